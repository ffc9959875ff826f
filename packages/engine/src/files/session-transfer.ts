// A file transfer inside a caller's session: the connection's input goes to the transfer
// instead of the key decoder, telnet turns 8-bit transparent, and after the transfer the
// stragglers (lrzsz's "OO", retransmitted ZFINs, a cancel's backspaces) are swallowed
// before the menu reads keys again.
import { ABORT_SEQUENCE } from '@carrier/zmodem';
import type { Session } from '../session-api.js';
import { connectionWire, type TransferWire } from './wire.js';

/** After a transfer, input is swallowed until it has been quiet this long... */
const LINGER_QUIET_MS = 400;
/** ...or at most this long. */
const LINGER_MAX_MS = 3_000;

/** Run `fn` with the caller's connection as an 8-bit clean wire; the session's keys come back after. */
export async function withTransferWire<T>(s: Session, fn: (wire: TransferWire) => Promise<T>): Promise<T> {
  const conn = s.conn;
  let sink: (bytes: Buffer) => void = () => undefined;
  // The sysop broke in to chat while the transfer was being prepared: it starts when the chat ends.
  await s.whenInputFree();
  // A hang-up mid-transfer aborts the caller's rz/sz first: its last line is then shown, not eaten as data.
  const restore = s.takeRawInput((bytes) => sink(bytes), ABORT_SEQUENCE);
  const base = connectionWire(conn);
  const listeners = new Set<(bytes: Buffer) => void>();
  sink = (bytes) => {
    for (const l of listeners) l(bytes);
  };
  const wire: TransferWire = {
    write: (b) => base.write(b),
    drained: () => base.drained(),
    onData: (f) => {
      listeners.add(f);
      return () => listeners.delete(f);
    },
    onClose: (f) => base.onClose(f),
    get closed() {
      return base.closed;
    },
  };
  conn.setTransferMode?.(true);
  try {
    return await fn(wire);
  } finally {
    await linger(wire);
    conn.setTransferMode?.(false);
    restore();
    s.discardInput();
  }
}

/** Swallow input until it is quiet (or a cap): the peer's last frames are not keys. */
function linger(wire: TransferWire): Promise<void> {
  if (wire.closed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    let quiet: NodeJS.Timeout;
    const finish = (): void => {
      clearTimeout(quiet);
      clearTimeout(cap);
      off();
      offClose();
      resolve();
    };
    const off = wire.onData(() => {
      clearTimeout(quiet);
      quiet = setTimeout(finish, LINGER_QUIET_MS);
    });
    const offClose = wire.onClose(finish);
    quiet = setTimeout(finish, LINGER_QUIET_MS);
    const cap = setTimeout(finish, LINGER_MAX_MS);
  });
}
