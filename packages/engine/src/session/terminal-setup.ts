import { isPlainTerminal, type Connection, type Logger } from '@carrier/core';
import type { Store } from '@carrier/store';
import { probeTerminal } from '@carrier/terminal';
import type { BoardConfig } from '../board-config.js';

/**
 * Fill in what negotiation left at its default: the cursor-position probes for size and
 * encoding (front ends depend only on core, so they cannot run them), then the board's
 * default encoding. Returns the bytes typed ahead during the probes, for the input.
 */
export async function prepareTerminal(conn: Connection, config: Readonly<BoardConfig>, log: Logger, isClosed: () => boolean): Promise<Buffer> {
  const term = conn.terminal;
  const size = term.sizeSource === 'default';
  const encoding = term.encodingSource === 'default';
  // Nothing negotiated and no TTYPE/env: a raw socket or a script. Probing it only
  // delays the first screen and prints cursor noise into a log.
  // A terminal that says it has no cursor control (TERM=dumb) would print the questions.
  const silent = (term.types.length === 0 && Object.keys(term.env).length === 0) || isPlainTerminal(term.type);
  let leftover: Buffer = Buffer.alloc(0);
  if ((size || encoding) && !silent) {
    try {
      const result = await probeTerminal(conn, { size, encoding, timeoutMs: config.probeTimeoutMs });
      leftover = result.leftover;
      log.debug('session.probed', { cols: result.cols, rows: result.rows, encoding: result.encoding });
    } catch (err) {
      if (isClosed()) return leftover;
      log.warn('session.probe_failed', { err });
    }
  }
  const fallback = config.defaultEncoding;
  if (fallback && conn.terminal.encodingSource === 'default' && conn.terminal.encoding !== fallback) {
    conn.setEncoding(fallback, 'config');
  }
  return leftover;
}

/** How long a view-open size probe waits for the answer (it runs beside the view, never blocking it). */
export const REMEASURE_TIMEOUT_MS = 2_000;
const remeasuring = new WeakSet<Connection>();

/**
 * rlogin has no live resize (issue 11 item 8): its window-size reports follow the
 * server's TCP urgent byte, which Node cannot send, so a caller who resizes would get
 * views drawn for the size measured at login. When a full-screen view opens on an
 * rlogin call whose size came from the login probe, the same cursor-position probe runs
 * again, and an answer that differs is applied as a resize (views follow 'resize').
 * The reply reaches the view's or session's input too, which drop cursor reports.
 * A caller whose client answered nothing at login is not asked again.
 */
export function remeasureOnViewOpen(conn: Connection, timeoutMs = REMEASURE_TIMEOUT_MS): void {
  void remeasured(conn, timeoutMs);
}

/**
 * remeasureOnViewOpen for a screen that lays itself out once, before it draws (the message
 * editor wraps its text and the reply's quote to the width): resolves when the answer was
 * applied, or at once where nothing is asked, or at `timeoutMs` for a terminal that stopped
 * answering. Never rejects.
 */
export async function remeasured(conn: Connection, timeoutMs = REMEASURE_TIMEOUT_MS): Promise<void> {
  if (conn.terminal.protocol !== 'rlogin' || conn.terminal.sizeSource !== 'probe' || conn.closed || remeasuring.has(conn)) return;
  remeasuring.add(conn);
  try {
    await probeTerminal(conn, { size: true, encoding: false, timeoutMs });
  } finally {
    remeasuring.delete(conn);
  }
}

/**
 * At login, the encoding the caller chose on the user-settings screen (U) wins over what
 * negotiation and the probes said: a terminal that claims UTF-8 and draws CP437 (or the
 * other way round) is put right once, by the caller. A browser terminal is UTF-8 only
 * and keeps it. A store that cannot answer leaves the negotiated encoding.
 */
export async function applyUserEncoding(conn: Connection, store: Store, userId: number, log: Logger): Promise<void> {
  if (conn.terminal.protocol === 'websocket') return;
  try {
    const { encoding } = await store.users.settings(userId);
    if (encoding === null) return;
    if (encoding !== conn.terminal.encoding) log.debug('session.encoding_chosen', { encoding, negotiated: conn.terminal.encoding });
    conn.setEncoding(encoding, 'user');
  } catch (err) {
    log.warn('session.settings_unavailable', { err });
  }
}
