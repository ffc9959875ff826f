import type { Connection } from '@carrier/core';

/**
 * The byte pipe a transfer runs over: a caller's connection while the session looks away,
 * or a child process's stdio in a test. 8-bit clean in both directions (telnet escapes
 * IAC itself and turns Enter normalisation off for the transfer).
 */
export interface TransferWire {
  write(bytes: Buffer): boolean;
  /** Resolves when the output buffer has room again (or the wire closed). */
  drained(): Promise<void>;
  onData(fn: (bytes: Buffer) => void): () => void;
  /** `fn` hears why the call ended (the Connection's close reason), when the wire knows it. */
  onClose(fn: (reason?: string) => void): () => void;
  readonly closed: boolean;
}

/** A wire over a board Connection. */
export function connectionWire(conn: Connection): TransferWire {
  return {
    write: (bytes) => (conn.closed ? false : conn.writeBytes(bytes)),
    drained: () =>
      new Promise<void>((resolve) => {
        if (conn.closed) return resolve();
        const done = (): void => {
          conn.off('drain', done);
          conn.off('close', done);
          resolve();
        };
        conn.on('drain', done);
        conn.once('close', done);
      }),
    onData: (fn) => {
      conn.on('data', fn);
      return () => conn.off('data', fn);
    },
    onClose: (fn) => {
      conn.once('close', fn);
      return () => conn.off('close', fn);
    },
    get closed() {
      return conn.closed;
    },
  };
}
