// Doors: the programs the sysop declared in config/doors.yaml (games, utilities), each
// run in a pseudo-terminal with the drop files it expects. This screen lists the doors
// the caller's level may run; a number runs one, and the caller comes back here after.
import { doorsByLevel, drawAndReadKey, pipeLiteral, runDoor, type Session } from '@carrier/engine';

const MAX_LISTED = 36;
const KEYS = '123456789abcdefghijklmnopqrstuvwxyz';

export default async function doors(s: Session): Promise<void> {
  for (;;) {
    s.setActivity('doors');
    const { open, aboveLevel } = await doorsByLevel(s);
    const list = open.slice(0, MAX_LISTED);
    const heading = (): void => {
      s.clear();
      s.println('|15Doors');
      s.println(`|08${'-'.repeat(40)}`);
    };
    if (list.length === 0) {
      heading();
      // Doors there are, but above this caller's level (a new user before validation).
      s.println(aboveLevel > 0 ? '|07None of the board\'s doors is open to your level yet.' : '|07No doors are open on this board yet.');
      s.println('');
      await s.pause();
      return;
    }
    // Drawn again for a sysop's spy that starts while the caller picks (for the spy alone).
    const draw = (): void => {
      heading();
      list.forEach((d, i) => {
        const limit = Math.round(d.timeLimitMs / 60_000);
        const desc = pipeLiteral(d.description);
        s.println(`|08[|15${KEYS[i]}|08] |07${desc.padEnd(40)} |08${limit}m`);
      });
      s.println('');
      s.print('|07Door (Enter to go back): ');
    };
    const key = (await drawAndReadKey(s, draw)).toLowerCase();
    const i = KEYS.indexOf(key);
    const door = i >= 0 ? list[i] : undefined;
    if (!door) {
      if (key === 'enter' || key === 'escape' || key === 'q') return;
      continue;
    }
    s.println(key);
    const outcome = await runDoor(s, door.name);
    // The list clears the screen: what the door left there (its last words, a final
    // score), or why it did not run, is read first. Nobody is left to read after a hang-up.
    if (outcome !== 'hangup') await s.pause();
  }
}
