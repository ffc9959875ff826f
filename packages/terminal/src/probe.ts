import { clampSize, type Connection, type Encoding } from '@carrier/core';
import { CprScanner, type CursorPosition } from './cpr.js';

/**
 * Ask the terminal what negotiation left open, with cursor position reports
 * (PROTOCOL-NOTES, "Terminal detection"):
 *
 * - size: save the cursor, move to 999;999 (terminals stop at their last cell), ask
 *   where the cursor is (`ESC[6n`), restore. Answers outside the sane range (NetRunner
 *   says 1x1, some clients echo 999;999) are rejected.
 * - encoding: on a fresh line ask the column, print U+00E9 as the UTF-8 bytes C3 A9,
 *   ask again. A UTF-8 terminal moved one column; a CP437 one printed two glyphs
 *   (├⌐) and moved two (three on some). The line is erased afterwards.
 *
 * All questions go out in one write and share one deadline: a terminal that never
 * answers (C64 clients, telnetlib) costs `timeoutMs` once, and one that answers
 * everything finishes the moment its last reply arrives. Anything else the caller
 * sends meanwhile comes back in `leftover`, in order, for the session to process.
 * Results are applied to the connection (`setSize`/`setEncoding` with source 'probe').
 */

export interface ProbeOptions {
  size: boolean;
  encoding: boolean;
  timeoutMs: number;
}

export interface ProbeResult {
  cols?: number;
  rows?: number;
  encoding?: Encoding;
  /** input that was not a probe reply, in arrival order */
  leftover: Buffer;
}

const ESC = '\x1b';
/** DECSC and SCOSC: ANSI-BBS terminals know one or the other, saving twice is harmless. */
const SAVE_CURSOR = `${ESC}7${ESC}[s`;
const RESTORE_CURSOR = `${ESC}[u${ESC}8`;
const ASK_POSITION = `${ESC}[6n`;
const SIZE_PROBE = `${SAVE_CURSOR}${ESC}[999;999H${ASK_POSITION}${RESTORE_CURSOR}`;
/** U+00E9: two bytes in UTF-8, two CP437 glyphs elsewhere. */
const PROBE_CHAR = Buffer.from([0xc3, 0xa9]);
const ERASE_LINE = `\r${ESC}[K`;

export function probeTerminal(conn: Connection, opts: ProbeOptions): Promise<ProbeResult> {
  const wanted = (opts.size ? 1 : 0) + (opts.encoding ? 2 : 0);
  if (wanted === 0 || conn.closed) return Promise.resolve({ leftover: Buffer.alloc(0) });

  return new Promise((resolve) => {
    const scanner = new CprScanner();
    const leftover: Buffer[] = [];
    const replies: CursorPosition[] = [];
    let finished = false;

    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      conn.off('data', onData);
      conn.off('close', onClose);
      leftover.push(scanner.flush());
      const result = interpret(replies, opts);
      if (!conn.closed) {
        if (result.cols !== undefined && result.rows !== undefined) conn.setSize(result.cols, result.rows, 'probe');
        if (result.encoding) conn.setEncoding(result.encoding, 'probe');
      }
      resolve({ ...result, leftover: Buffer.concat(leftover) });
    };
    const onData = (bytes: Buffer): void => {
      const scan = scanner.push(bytes);
      if (scan.passthrough.length > 0) leftover.push(scan.passthrough);
      replies.push(...scan.replies);
      if (replies.length >= wanted) finish();
    };
    const onClose = (): void => finish();

    conn.on('data', onData);
    conn.on('close', onClose);
    const timer = setTimeout(finish, Math.max(0, opts.timeoutMs));

    if (opts.size) conn.write(SIZE_PROBE);
    if (opts.encoding) {
      conn.write(`\r\n${ASK_POSITION}`);
      conn.writeBytes(PROBE_CHAR);
      conn.write(`${ASK_POSITION}${ERASE_LINE}`);
    }
  });
}

function interpret(replies: readonly CursorPosition[], opts: ProbeOptions): Omit<ProbeResult, 'leftover'> {
  const out: Omit<ProbeResult, 'leftover'> = {};
  let next = 0;
  if (opts.size) {
    const r = replies[next++];
    if (r) {
      const s = clampSize(r.col, r.row);
      if (s.sane) {
        out.cols = s.cols;
        out.rows = s.rows;
      }
    }
  }
  if (opts.encoding) {
    const before = replies[next++];
    const after = replies[next++];
    if (before && after && before.row >= 1 && before.col >= 1 && after.row === before.row) {
      const moved = after.col - before.col;
      if (moved === 1) out.encoding = 'utf8';
      else if (moved === 2 || moved === 3) out.encoding = 'cp437';
    }
  }
  return out;
}
