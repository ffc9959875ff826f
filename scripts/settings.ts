// User settings (menu key U): the caller's password, where they call from (shown in last
// callers and written to doors' drop files), their terminal's encoding (applied at once
// and at every login), hotkey or lightbar menus, and the new-scan of the message areas at
// login. Q or Escape goes back. A wrong current password counts as a failed
// login (the board's penalties apply), and three end the screen.
import { drawAndReadKey, getNewScanAtLogin, pipeLiteral, printPrompt, printWords, setNewScanAtLogin, wrapLine, type Session } from '@carrier/engine';
import { LOCATION_RULES, validateLocation, type UserSettings } from '@carrier/store';
import { wantsAsciiOnly } from '@carrier/terminal';
import { choosePassword, said } from './newuser.js';

/** Wrong current passwords before the screen gives up. */
const OLD_PASSWORD_TRIES = 3;

const ENCODING_NAMES: Record<'utf8' | 'cp437', string> = { utf8: 'UTF-8', cp437: 'CP437 (IBM PC)' };

export default async function settings(s: Session): Promise<void> {
  const user = s.user;
  if (!user) return;
  s.setActivity('user settings');
  for (;;) {
    const [mine, newScan, account] = await Promise.all([s.store.users.settings(user.id), getNewScanAtLogin(s), s.refreshUser()]);
    const location = account?.location ?? null;
    // Drawn again for a sysop's spy that starts while the caller picks (for the spy alone).
    const key = (
      await drawAndReadKey(s, () => {
        s.clear();
        s.println(`|15User settings|07 for ${pipeLiteral(user.handle)}`);
        s.println(`|08${'-'.repeat(Math.min(60, s.terminal.cols - 1))}`);
        settingRows(s, [
          ['P', 'Password', '|08change it'],
          ['L', 'Location', location === null ? '|08not given' : `|15${pipeLiteral(location)}`],
          ['E', 'Encoding', `|15${encodingText(s, mine)}`],
          ['M', 'Menus', `|15${mine.menuStyle === 'lightbar' ? 'lightbar (arrows and Enter)' : 'hotkeys (one key)'}`],
          ['N', 'New-scan at login', `|15${newScan ? 'on' : 'off'}`],
        ]);
        s.println(`|08[|15Q|08]|07 Back`);
        s.print('\n|07Change which? ');
      })
    ).toLowerCase();
    s.println('');
    if (key === 'q' || key === 'escape') return;
    if (key === 'p') {
      if (!(await changePassword(s, user.handle, user.id))) return;
    } else if (key === 'l') {
      await changeLocation(s, user.id, location);
    } else if (key === 'e') {
      await chooseEncoding(s, user.id);
    } else if (key === 'm') {
      const menuStyle = mine.menuStyle === 'lightbar' ? 'hotkeys' : 'lightbar';
      await s.store.users.updateSettings(user.id, { menuStyle });
      s.log.info('settings.changed', { setting: 'menuStyle', value: menuStyle });
    } else if (key === 'n') {
      await setNewScanAtLogin(s, !newScan);
      s.log.info('settings.changed', { setting: 'newScanAtLogin', value: !newScan });
    }
  }
}

/** The setting's name column: `[N] New-scan at login` and its two spaces. */
const NAME_COLUMN = 20;
/** A key's row of a choice, after `[X] `: the rows under it start there. */
const CHOICE_INDENT = 4;

/**
 * `[E] Encoding            UTF-8, ...`, a row each, where every one fits its row; on a
 * narrow screen (a phone's browser, a 40-column terminal) `[E] Encoding: UTF-8, ...`, each
 * broken between words under itself (the values ran onto the next row, mid-word).
 */
function settingRows(s: Session, rows: ReadonlyArray<readonly [key: string, name: string, value: string]>): void {
  const room = s.terminal.cols - 1;
  const wide = rows.map(([key, name, value]) => `|08[|15${key}|08]|07 ${name.padEnd(NAME_COLUMN)}${value}`);
  if (wide.every((row) => wrapLine(row, room, true).length === 1)) return wide.forEach((row) => s.println(row));
  for (const [key, name, value] of rows) choice(s, key, `${name}: ${value}`);
}

/** `[U] UTF-8 (most modern terminals)`, broken between words under its text where the screen is narrow. */
function choice(s: Session, key: string, text: string): void {
  const room = Math.max(1, s.terminal.cols - 1);
  const rows = wrapLine(`|07${text}`, Math.max(1, room - CHOICE_INDENT), true);
  rows.forEach((row, i) => s.println(`${i === 0 ? `|08[|15${key}|08]|07 ` : ' '.repeat(CHOICE_INDENT)}${row}`));
}

function encodingText(s: Session, mine: UserSettings): string {
  // A plain terminal nobody named a character set for is sent ASCII (terminal's wantsAsciiOnly).
  const now = wantsAsciiOnly(s.terminal) ? 'ASCII' : ENCODING_NAMES[s.terminal.encoding];
  return mine.encoding === null ? `${now}, as your terminal said` : `${now}, your choice`;
}

/** false when the caller gave up on the current password three times: the screen ends. */
async function changePassword(s: Session, handle: string, id: number): Promise<boolean> {
  s.discardInput();
  for (let attempt = 1; ; attempt++) {
    s.print('|11Current password: |15');
    const old = await s.readLine({ mask: '*', maxLength: 128 });
    if (old === '') return true;
    // Through the board's login policy: guessing here costs what guessing at login does.
    if (await s.authenticate(handle, old)) break;
    if (attempt >= OLD_PASSWORD_TRIES) {
      said(s, '|12That is not your password.|07');
      s.log.warn('settings.password_refused', { attempts: attempt });
      await s.pause();
      return false;
    }
    said(s, '|12That is not your password. Try again, or Enter to leave it.|07');
  }
  said(s, '|07Now the new one, twice (the same rules as when you joined; Enter cancels).');
  const password = await choosePassword(s, handle);
  if (password === undefined) {
    said(s, '|07Your password is unchanged.');
  } else {
    await s.store.users.setPassword(id, password);
    s.log.info('settings.password_changed');
    said(s, '|10Your password is changed.|07 Use it from your next login.');
  }
  await s.pause();
  return true;
}

/** Enter keeps the location, `-` clears it; a location the sign-up rules refuse is asked for again. */
async function changeLocation(s: Session, id: number, now: string | null): Promise<void> {
  for (;;) {
    printPrompt(s, `|11Where do you call from (city, country; Enter keeps it${now === null ? '' : ', - clears it'})? |15`);
    const typed = (await s.readLine({ maxLength: LOCATION_RULES.maxLength })).trim();
    s.print('|07');
    if (typed === '') return;
    const location = typed === '-' ? null : typed;
    if (location !== null) {
      const check = validateLocation(location);
      if (!check.ok) {
        said(s, `|12${check.reason}|07`);
        continue;
      }
    }
    await s.store.users.setLocation(id, location);
    await s.refreshUser();
    s.log.info('settings.changed', { setting: 'location', value: location === null ? 'cleared' : 'set' });
    return;
  }
}

async function chooseEncoding(s: Session, id: number): Promise<void> {
  if (s.terminal.protocol === 'websocket') {
    printWords(s, '|07The browser terminal is always UTF-8.');
    await s.pause();
    return;
  }
  printWords(s, '|07Which characters does your terminal draw?');
  choice(s, 'U', 'UTF-8 (most modern terminals)');
  choice(s, 'C', 'CP437 (SyncTERM, NetRunner, DOS terminals)');
  choice(s, 'A', 'As my terminal says (from the next login)');
  s.print('|07Choice: ');
  const key = (await s.readKey()).toLowerCase();
  s.println('');
  const encoding = key === 'u' ? 'utf8' : key === 'c' ? 'cp437' : key === 'a' ? null : undefined;
  if (encoding === undefined) return;
  await s.store.users.updateSettings(id, { encoding });
  s.log.info('settings.changed', { setting: 'encoding', value: encoding ?? 'negotiated' });
  if (encoding) s.conn.setEncoding(encoding, 'user');
  printWords(s, `|07Box lines: |15\u250c\u2500\u2500\u2510 \u2554\u2550\u2550\u2557 \u2591\u2592\u2593\u2588|07 should look like a box, a double box and shades.`);
  await s.pause();
}
