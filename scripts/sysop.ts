// The sysop's console on the board (main menu `!`, sysops only): the same console as
// `carrier sysop`, drawn on this caller's terminal through the board's view adapter,
// whatever the front end. It speaks only the board's control channel.
import { isPlainTerminal } from '@carrier/core';
import { noticeText, type Session } from '@carrier/engine';
import { LEVELS } from '@carrier/store';
import { controlDialerFor, runConsole } from '@carrier/sysop';

/** Sysops only, whatever the menu says: the console can kick, ban and delete. */
const SYSOP_LEVEL = LEVELS.sysop;
/** While the console is open, the account is read again this often: a demoted sysop loses it. */
const RECHECK_MS = 5_000;

export default async function sysop(s: Session): Promise<void> {
  // The console needs the control channel, not the database: with the database not
  // answering, the level read at the last good look stands.
  if (((await s.refreshUser().catch(() => s.user))?.level ?? 0) < SYSOP_LEVEL) {
    s.println('|12The sysop console is for sysops.');
    return;
  }
  if (isPlainTerminal(s.terminal.type)) {
    s.println('|12The console needs a terminal with cursor control: use `carrier sysop` on the host.');
    await s.pause();
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
  let demoted = false;
  const recheck = setInterval(() => {
    void s
      .refreshUser()
      .then((u) => {
        if ((u?.level ?? 0) >= SYSOP_LEVEL || view.closed) return;
        demoted = true;
        s.log.info('sysop.console_closed_demoted', { level: u?.level ?? null });
        view.close();
      })
      .catch(() => undefined);
  }, RECHECK_MS);
  try {
    // The sysop's own notices (the idle warning, pages, broadcasts) show on the console's footer.
    const notices = (show: (text: string) => void): (() => void) => s.social.onNotice((n) => show(noticeText(n)), { oneLine: true });
    const self = s.user?.handle;
    await Promise.race([runConsole({ blessed: view.blessed, screen: view.screen, client, title: s.board.name, notices, ...(self ? { self } : {}) }), view.result]);
  } finally {
    clearInterval(recheck);
    client.close();
    if (!view.closed) view.close();
  }
  if (demoted) {
    s.println('|12Your account is no longer a sysop: the console is closed.|07');
    await s.pause();
  }
}
