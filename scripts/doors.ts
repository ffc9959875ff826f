// Doors: the programs the sysop declared in config/doors.yaml (games, utilities), each
// run in a pseudo-terminal with the drop files it expects. This screen lists the doors
// the caller's level may run; a number runs one, and the caller comes back here after.
import { doorsByLevel, drawAndReadKey, firstFitting, pipeLiteral, printWords, runDoor, wrapLine, type Session } from '@carrier/engine';

const MAX_LISTED = 36;
const KEYS = '123456789abcdefghijklmnopqrstuvwxyz';
/** The description's column, as wide as the rule under the title. */
const DESCRIPTION_WIDTH = 40;
/** `[1] `: a description's rows under its first start there. */
const DOOR_INDENT = 4;

/**
 * The doors' rows: `[1] Echo door ...    30m`, the times in a column, where every one fits
 * its row; on a narrow screen each description and time broken between words under its key
 * (the padded description ran onto the next row, mid-word, and the time after it).
 */
function doorRows(doors: ReadonlyArray<readonly [key: string, description: string, limit: string]>, cols: number): string[] {
  const room = Math.max(1, cols - 1);
  const wide = doors.map(([key, description, limit]) => `|08[|15${key}|08] |07${pipeLiteral(description).padEnd(DESCRIPTION_WIDTH)} |08${limit}`);
  if (wide.every((row) => wrapLine(row, room, true).length === 1)) return wide;
  return doors.flatMap(([key, description, limit]) =>
    wrapLine(`|07${pipeLiteral(description)} |08${limit}`, Math.max(1, room - DOOR_INDENT), true).map((r, i) => (i === 0 ? `|08[|15${key}|08] ${r}` : `${' '.repeat(DOOR_INDENT)}${r}`)),
  );
}

export default async function doors(s: Session): Promise<void> {
  for (;;) {
    s.setActivity('doors');
    const { open, aboveLevel } = await doorsByLevel(s);
    const list = open.slice(0, MAX_LISTED);
    const heading = (): void => {
      s.clear();
      s.println('|15Doors');
      s.println(`|08${'-'.repeat(Math.min(DESCRIPTION_WIDTH, s.terminal.cols - 1))}`);
    };
    if (list.length === 0) {
      heading();
      // Doors there are, but above this caller's level (a new user before validation).
      printWords(s, aboveLevel > 0 ? '|07None of the board\'s doors is open to your level yet.' : '|07No doors are open on this board yet.');
      s.println('');
      await s.pause();
      return;
    }
    // Drawn again for a sysop's spy that starts while the caller picks (for the spy alone).
    const draw = (): void => {
      heading();
      for (const row of doorRows(list.map((d, i) => [KEYS[i]!, d.description, `${Math.round(d.timeLimitMs / 60_000)}m`] as const), s.terminal.cols)) s.println(row);
      s.println('');
      s.print(firstFitting(['|07Door (Enter to go back): ', '|07Door (Enter: back): '], s.terminal.cols) ?? '|07Door: ');
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
