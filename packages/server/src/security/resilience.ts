import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import type { Connection, Logger } from '@carrier/core';
import type { Board } from '@carrier/engine';

/** The connection whose session created a promise, kept on the promise itself. */
const OWNER = Symbol('carrier.owner');

/**
 * Which caller a stray failure belongs to. Each session starts inside `run(conn, …)`;
 * every promise created from then on in that session's async tree is marked with its
 * connection (a non-enumerable symbol property, which lives and dies with the promise),
 * so an unhandled rejection names its session and only that session is closed.
 *
 * Not a WeakMap of promise -> connection: its table grows with the promises alive at the
 * busiest moment (the logins) and never shrinks, ~4 KiB per parked caller at 1,000.
 */
export class SessionScope {
  private readonly als = new AsyncLocalStorage<Connection>();
  private readonly hook = createHook({
    init: (_id, type, _trigger, resource) => {
      if (type !== 'PROMISE') return;
      const conn = this.als.getStore();
      if (conn) Object.defineProperty(resource, OWNER, { value: conn });
    },
  });

  constructor() {
    this.hook.enable();
  }

  run<T>(conn: Connection, fn: () => T): T {
    return this.als.run(conn, fn);
  }

  /** The connection whose session created `promise`, if any. */
  ownerOf(promise: unknown): Connection | undefined {
    return typeof promise === 'object' && promise !== null ? ((promise as { [OWNER]?: Connection })[OWNER] ?? undefined) : undefined;
  }

  /** The connection whose session is running now (inside its timers and callbacks). */
  current(): Connection | undefined {
    return this.als.getStore();
  }

  disable(): void {
    this.hook.disable();
  }
}

/** What a caller whose session failed outside any script reads before the line drops. */
export const CRASH_MESSAGE = 'Sorry: something went wrong on the board. Please call again.';

/**
 * carrier's process handlers, installed before any library's (blessed installs its own
 * while a screen exists): an exception or rejection that escaped a session is logged
 * with that session and closes it; the process and every other caller live on.
 */
export function installProcessGuards(opts: { log: Logger; scope: SessionScope; board: () => Board | undefined }): () => void {
  const { log, scope } = opts;
  const closeSessionOf = (conn: Connection | undefined): string | undefined => {
    if (!conn) return undefined;
    const session = opts.board()?.sessions().find((s) => s.conn === conn);
    if (session) session.disconnect('internal error', CRASH_MESSAGE);
    else conn.close('internal error');
    return session?.id;
  };
  const onRejection = (reason: unknown, promise: Promise<unknown>): void => {
    const conn = scope.ownerOf(promise);
    let session: string | undefined;
    try {
      session = closeSessionOf(conn);
    } finally {
      log.error('process.unhandled_rejection', { err: reason, session, conn: conn?.id });
    }
  };
  const onException = (err: Error): void => {
    const conn = scope.current();
    let session: string | undefined;
    try {
      session = closeSessionOf(conn);
    } finally {
      log.error('process.uncaught_exception', { err, session, conn: conn?.id });
    }
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
