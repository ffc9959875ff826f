// The sysop's console on the board (main menu `!`, sysops only): the same console as
// `carrier sysop`, drawn on this caller's terminal through the board's view adapter,
// whatever the front end. It speaks only the board's control channel.
import { noticeText, type Session } from '@carrier/engine';
import { controlDialerFor, runConsole } from '@carrier/sysop';

/** Sysops only, whatever the menu says: the console can kick, ban and delete. */
const SYSOP_LEVEL = 90;

export default async function sysop(s: Session): Promise<void> {
  if ((s.user?.level ?? 0) < SYSOP_LEVEL) {
    s.println('|12The sysop console is for sysops.');
    return;
  }
  const dial = controlDialerFor(s.board);
  if (!dial) {
    s.println('|12The control channel is off on this board (control.enabled in carrier.yaml).');
    await s.pause();
    return;
  }
  const client = await dial();
  s.setActivity('sysop console');
  const view = s.view({ title: 'sysop console' });
  try {
    // The sysop's own notices (the idle warning, pages, broadcasts) show on the console's footer.
    const notices = (show: (text: string) => void): (() => void) => s.social.onNotice((n) => show(noticeText(n)));
    await Promise.race([runConsole({ blessed: view.blessed, screen: view.screen, client, title: s.board.name, notices }), view.result]);
  } finally {
    client.close();
    if (!view.closed) view.close();
  }
}
