import { cleanUserText } from '@carrier/core';
import type { DeadlineWarning } from '../deadline.js';
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
 * The last line of a call (`text`, a sysop's may be: cleaned here). Over a full-screen view or a screen
 * with a scrolling region (chat), written where the cursor is it would land inside the
 * layout, or on a row that does not scroll, where the client's own "connection closed"
 * overwrites it: so the region is reset, the cursor shown and put on the bottom row, and
 * the line scrolls up from there.
 */
export function lastLine(text: string, screenOwned: boolean, rows: number): string {
  const line = cleanUserText(text, MAX_LAST_LINE);
  return screenOwned ? `\x1b[0m\x1b[r\x1b[?25h\x1b[${rows};1H\r\n${line}\r\n` : `\r\n${line}\r\n`;
}
