// A file transfer inside a caller's session: the connection's input goes to the transfer
// instead of the key decoder, telnet turns 8-bit transparent, and after the transfer the
// stragglers (lrzsz's "OO", retransmitted ZFINs, a cancel's backspaces) are swallowed
// before the menu reads keys again.
import type { EventEmitter } from 'node:events';
import type { Session } from '../session-api.js';
import { connectionWire, type TransferWire } from './wire.js';

/** After a transfer, input is swallowed until it has been quiet this long... */
const LINGER_QUIET_MS = 400;
/** ...or at most this long. */
const LINGER_MAX_MS = 3_000;
/** The session's idle clock is pushed back this often while a transfer runs. */
const IDLE_TOUCH_MS = 5_000;

type Listener = (...args: any[]) => void;

/**
 * The hook a session may offer (one line in the session's input path: while a sink is
 * set, input bytes go to it and not to the keys; the idle clock still counts them).
 * Without it, the session's own 'data' listeners are set aside for the transfer.
 */
interface RawInputHook {
  takeRawInput?(sink: (bytes: Buffer) => void): () => void;
}

/** Run `fn` with the caller's connection as an 8-bit clean wire; the session's keys come back after. */
export async function withTransferWire<T>(s: Session, fn: (wire: TransferWire) => Promise<T>): Promise<T> {
  const conn = s.conn;
  const hook = (s as unknown as RawInputHook).takeRawInput;
  let sink: (bytes: Buffer) => void = () => undefined;
  const feed = (bytes: Buffer): void => sink(bytes);
  let restore: () => void;
  if (typeof hook === 'function') {
    restore = hook.call(s, feed);
  } else {
    // Set the session's input listeners aside (ours goes on first, so core never queues
    // input for want of a listener); poke them with nothing now and then so the idle
    // clock knows the caller is busy, not gone.
    const emitter = conn as unknown as EventEmitter;
    const theirs = emitter.listeners('data') as Listener[];
    conn.on('data', feed);
    for (const l of theirs) emitter.off('data', l);
    const empty = Buffer.alloc(0);
    const timer = setInterval(() => {
      for (const l of theirs) l(empty);
    }, IDLE_TOUCH_MS);
    timer.unref();
    restore = () => {
      clearInterval(timer);
      conn.off('data', feed);
      // Only put back what is still wanted: a session that ended meanwhile removed its own.
      if (!conn.closed) for (const l of theirs) if (!emitter.listeners('data').includes(l)) emitter.on('data', l);
    };
  }
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
