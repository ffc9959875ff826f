import { cleanUserText } from '@carrier/core';
import { TERMINAL_RESET } from '@carrier/doors';
import type { DeadlineWarning } from '../deadline.js';
import { wrapLine } from '../pager.js';
import type { Notice } from '../social/notice.js';

// The idle timeout's warning and the last line of a call (issue 11 item 9): the caller
// hears a bell and reads one line a minute before the idle timeout, wherever they are, and
// the line that ends a call reaches the screen whatever view was drawing on it.

/** The warning comes this long before the idle timeout (half the timeout, when that is shorter). */
export const IDLE_WARNING_MS = 60_000;
const BELL = '\x07';
/** The longest sysop or shutdown line shown to a caller being disconnected. */
const MAX_LAST_LINE = 300;

/** The idle deadline's warning: a bell, then one notice through the caller's notice path. */
export function idleWarning(idleMs: number, say: { bell(text: string): void; notice(n: Notice): void }): DeadlineWarning {
  const beforeMs = Math.min(IDLE_WARNING_MS, Math.floor(idleMs / 2));
  return {
    beforeMs,
    onWarn: () => {
      say.bell(BELL);
      // "*** You have been idle: disconnecting in 1 minute. Press a key to stay." fits a status line of 80 columns.
      say.notice({ kind: 'system', from: 'You have been idle', text: idleWarningText(beforeMs), at: Date.now() });
    },
  };
}

export function idleWarningText(beforeMs: number): string {
  const s = Math.max(1, Math.round(beforeMs / 1000));
  const left = s % 60 === 0 ? `${s / 60} minute${s === 60 ? '' : 's'}` : `${s} second${s === 1 ? '' : 's'}`;
  return `disconnecting in ${left}. Press a key to stay.`;
}

/**
 * The last line of a call (`text`, a sysop's may be: cleaned here), the last thing the
 * board sends. First, for a terminal that gets escape codes, the reset a door gets at its
 * end: whatever a view, chat, lightbar or door left set (the alternate screen, a hidden
 * cursor, the keypad, mouse reporting, bracketed paste, a scrolling region, colours) is
 * undone, so the line is read on the normal screen and the caller's own shell prompt that
 * follows it is too. Over a screen the board owns (a view, chat's scrolling region),
 * written where the cursor is it would land on a row that does not scroll, where the
 * client's own "connection closed" overwrites it: so it goes on the bottom row and scrolls
 * up from there.
 */
export function lastLine(text: string, to: { screenOwned: boolean; rows: number; cols?: number; plain: boolean }): string {
  // Broken between words at the caller's width (a sysop's reason went on mid-word on a narrow screen).
  const clean = cleanUserText(text, MAX_LAST_LINE);
  const line = `\r\n${to.cols === undefined ? clean : wrapLine(clean, Math.max(1, to.cols - 1)).join('\r\n')}\r\n`;
  if (to.plain) return line;
  return `${TERMINAL_RESET}${to.screenOwned ? `\x1b[${to.rows};1H` : ''}${line}`;
}
