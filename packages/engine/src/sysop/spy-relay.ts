import { randomUUID } from 'node:crypto';
import { encodeText, type Connection, type Logger } from '@carrier/core';
import type { Bus, Unsubscribe } from '../bus.js';
import type { SpyOutput } from '../draw-again.js';
import type { SpyChunk } from '../topics.js';

/** The part of a session a spy needs. */
export interface SpiedSession {
  readonly id: string;
  readonly conn: Connection;
  /** Draw the caller's screen again to `out` alone; undefined when it was, else what the spy shows instead (LiveSession.repaint). */
  repaint?(out: SpyOutput): string | undefined;
}

/** The part of the board the relay reads: its local sessions. */
export interface SpyBoard {
  session(id: string): SpiedSession | undefined;
}

/** A remote spy renews its lease this often… */
export const SPY_RENEW_MS = 10_000;
/** …and the serving process drops a tap whose lease lapsed (the sysop's process died). */
export const SPY_LEASE_MS = 30_000;
/** Bytes gathered for one spy before a flush, whatever the tick. */
const MAX_BATCH_BYTES = 16 * 1024;
/** Taps served at once by one process: a bound on what the bus can be asked to carry. */
const MAX_SERVED = 64;

export interface SpyHandlers {
  data(chunk: Omit<SpyChunk, 'spyId'>): void;
  end(reason: string): void;
}

/**
 * The sysop's spy, wherever the caller is. A session on this process is tapped
 * directly (core's `tapOutput`); one on another process is asked for over the bus
 * (`sysop.spy`), and its process sends the copy back on `sysop.spy.data` under a lease
 * the asker renews. Output is gathered per tick, so a burst of small writes is one chunk.
 * Nobody keeps a copy of a caller's screen in case a spy comes (a parked caller costs a
 * few KiB): once tapped, the session is asked to draw its screen again into this spy's
 * copy alone (the caller is sent nothing, and other spies already have it), so the spy
 * starts with what the caller sees; what cannot be drawn again (a door) is named in the
 * first chunk's `note`, for the spy's label.
 */
export class SpyRelay {
  private readonly served = new Map<string, { untap: () => void; renewedAt: number }>();
  private readonly watching = new Map<string, SpyHandlers>();
  private readonly subscriptions: Unsubscribe[];
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly board: SpyBoard,
    private readonly bus: Bus,
    private readonly log: Logger,
  ) {
    this.subscriptions = [
      bus.subscribe('sysop.spy', (req) => {
        if (req.op === 'stop') return this.unserve(req.spyId, 'stopped');
        const held = this.served.get(req.spyId);
        if (held) {
          held.renewedAt = Date.now();
          return;
        }
        if (req.op !== 'start') return;
        const s = board.session(req.sessionId);
        if (!s) return;
        if (this.served.size >= MAX_SERVED) {
          bus.publish('sysop.spy.end', { spyId: req.spyId, reason: 'too many spies on that process' });
          return;
        }
        const untap = this.tap(s, {
          data: (c) => bus.publish('sysop.spy.data', { spyId: req.spyId, ...c }),
          end: (reason) => {
            this.served.delete(req.spyId);
            bus.publish('sysop.spy.end', { spyId: req.spyId, reason });
          },
        });
        this.served.set(req.spyId, { untap, renewedAt: Date.now() });
      }),
      bus.subscribe('sysop.spy.data', ({ spyId, ...c }) => this.watching.get(spyId)?.data(c)),
      bus.subscribe('sysop.spy.end', ({ spyId, reason }) => {
        const h = this.watching.get(spyId);
        this.watching.delete(spyId);
        h?.end(reason);
      }),
    ];
    this.sweep = setInterval(() => {
      const now = Date.now();
      for (const [id, s] of this.served) if (now - s.renewedAt > SPY_LEASE_MS) this.unserve(id, 'lease lapsed');
    }, SPY_RENEW_MS);
    this.sweep.unref();
  }

  /** Watch session `sessionId` (on any process); returns the stop. `end` runs once when the watch ends on its own. */
  watch(sessionId: string, handlers: SpyHandlers): () => void {
    const local = this.board.session(sessionId);
    if (local) return this.tap(local, handlers);
    const spyId = randomUUID();
    this.watching.set(spyId, handlers);
    this.bus.publish('sysop.spy', { spyId, sessionId, op: 'start' });
    const renew = setInterval(() => this.bus.publish('sysop.spy', { spyId, sessionId, op: 'renew' }), SPY_RENEW_MS);
    renew.unref();
    return () => {
      clearInterval(renew);
      if (this.watching.delete(spyId)) this.bus.publish('sysop.spy', { spyId, sessionId, op: 'stop' });
    };
  }

  close(): void {
    clearInterval(this.sweep);
    for (const off of this.subscriptions.splice(0)) off();
    for (const id of [...this.served.keys()]) this.unserve(id, 'board stopping');
    for (const h of this.watching.values()) h.end('board stopping');
    this.watching.clear();
  }

  private unserve(spyId: string, reason: string): void {
    const s = this.served.get(spyId);
    if (!s) return;
    this.served.delete(spyId);
    s.untap();
    this.log.debug('sysop.spy_ended', { spyId, reason });
  }

  /** Tap one local session: batched output to `h.data`, and `h.end` when the caller leaves. */
  private tap(s: SpiedSession, h: SpyHandlers): () => void {
    const conn = s.conn;
    if (!conn.tapOutput || conn.closed) {
      queueMicrotask(() => h.end(conn.closed ? 'hung up' : 'this front end cannot be spied on'));
      return () => undefined;
    }
    let batch: Buffer[] = [];
    let bytes = 0;
    let scheduled: NodeJS.Immediate | undefined;
    let ended = false;
    let note: string | undefined;
    const flush = (): void => {
      scheduled = undefined;
      if (bytes === 0 && note === undefined) return;
      const data = Buffer.concat(batch, bytes);
      batch = [];
      bytes = 0;
      const t = conn.terminal;
      h.data({ data: data.toString('base64'), encoding: t.encoding, cols: t.cols, rows: t.rows, ...(note !== undefined ? { note } : {}) });
      note = undefined;
    };
    const copy = (b: Buffer): void => {
      if (ended || b.length === 0) return;
      batch.push(Buffer.from(b));
      bytes += b.length;
      if (bytes >= MAX_BATCH_BYTES) {
        if (scheduled) clearImmediate(scheduled);
        flush();
      } else scheduled ??= setImmediate(flush);
    };
    const untap = conn.tapOutput(copy);
    const onClose = (reason: string): void => stop(`hung up (${reason})`);
    const stop = (reason?: string): void => {
      if (ended) return;
      ended = true;
      untap();
      conn.off('close', onClose);
      if (scheduled) clearImmediate(scheduled);
      flush();
      if (reason !== undefined) h.end(reason);
    };
    conn.once('close', onClose);
    // The screen drawn again goes into this copy only, encoded as the connection encodes.
    const out: SpyOutput = { write: (text) => copy(encodeText(text, conn.terminal.encoding)), writeBytes: copy };
    try {
      note = s.repaint?.(out);
    } catch (err) {
      this.log.warn('sysop.spy_repaint_failed', { err });
      note = 'shown from the next change';
    }
    if (note !== undefined) scheduled ??= setImmediate(flush);
    return () => stop();
  }
}
