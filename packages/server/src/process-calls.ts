import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@carrier/core';
import { isEarlierStart, type ProcessGone } from '@carrier/engine';
import type { Store } from '@carrier/store';

/**
 * The calls a dead carrier process left open (kill -9, a crash, a lost host) are ended by
 * a process that notices, at the time the dead one was last seen alive, so they reach
 * "last callers" instead of staying open for ever.
 *
 * - Every process beats in the database (`processes`: its id and the time) every BEAT_MS,
 *   and sweeps every SWEEP_MS: a process whose beat has not moved for DEAD_AFTER_MS of the
 *   sweeper's own clock is dead, and its calls end at its last beat. Only the beat's
 *   moving counts, never its value against this host's clock, so hosts whose clocks
 *   disagree do not take each other for dead. The database outlives everything else, so
 *   this works when no process saw the death: a Redis that restarted empty, a host that
 *   rebooted, the only process of a board.
 * - With the Redis bus, the process that reaps a dead one off who's online (or clears an
 *   earlier start of itself) also ends its calls at once: `endCallsOf` is the bus's
 *   onProcessGone. The sweep is the backstop.
 * - A beat that stood still while this process could not beat itself proves nothing
 *   (after a database outage nobody could): the time counts from this process's first
 *   good beat after its last failed one.
 * - A board of one process (the in-process bus) on SQLite is the only writer of its file:
 *   any other process there is an earlier start of it, dead once its beat has not moved
 *   for ALONE_DEAD_AFTER_MS, and calls with no beat at all (from before the table) end too.
 *   On PostgreSQL, which other boards' processes may share, calls of a process that never
 *   beat are left alone.
 */

/**
 * The random part of a cluster worker's process id (newProcessId), chosen by the primary
 * before the fork: the primary can then name a dead worker to clear its callers and calls.
 */
export const PROCESS_NONCE_ENV = 'CARRIER_PROCESS_NONCE';

export const BEAT_MS = 5_000;
export const SWEEP_MS = 10_000;
/** Six beats missed. */
export const DEAD_AFTER_MS = 30_000;
/** Three beats missed, for a board of one process on SQLite (nobody else beats there). */
export const ALONE_DEAD_AFTER_MS = 15_000;
/** Processes watched at most (rows beyond it wait for a later sweep). */
const MAX_WATCHED = 10_000;
const REASON = 'process died';
/** How long a stop waits for the database to take this process's row away. */
export const STOP_WAIT_MS = 2_000;

export function endCallsOf(store: Store, log: Logger): (gone: ProcessGone) => void {
  return (gone) => {
    store.calls
      .endProcess(gone.processId, gone.lastSeenAt, REASON)
      .then((calls) => log.info('calls.ended_for_dead_process', { processId: gone.processId, lastSeenAt: gone.lastSeenAt, calls }))
      .catch((err: unknown) => log.warn('calls.end_for_dead_process_failed', { processId: gone.processId, err }));
  };
}

export interface ProcessWatchOptions {
  store: Store;
  processId: string;
  log: Logger;
  /** The board is this one process (the in-process bus). */
  alone: boolean;
  clock?: () => number;
  /** BEAT_MS and SWEEP_MS unless given (tests). */
  beatMs?: number;
  sweepMs?: number;
}

/** This process's beat in the database, and the sweep that ends dead processes' calls. */
export class ProcessWatch {
  private readonly store: Store;
  private readonly processId: string;
  private readonly log: Logger;
  private readonly clock: () => number;
  /** Alone on SQLite: the only writer of the file. */
  private readonly soleWriter: boolean;
  private readonly deadAfterMs: number;
  private readonly beatMs: number;
  private readonly sweepMs: number;
  /** Since when every beat has succeeded; undefined after a failed one. */
  private healthySince: number | undefined;
  /** Each other process's beat as last read, and when (this clock) it was first read so. */
  private readonly watched = new Map<string, { seenAt: number; since: number }>();
  private beatFailing = false;
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(opts: ProcessWatchOptions) {
    this.store = opts.store;
    this.processId = opts.processId;
    this.log = opts.log;
    this.clock = opts.clock ?? Date.now;
    this.soleWriter = opts.alone && opts.store.kind === 'sqlite';
    this.deadAfterMs = this.soleWriter ? ALONE_DEAD_AFTER_MS : DEAD_AFTER_MS;
    this.beatMs = opts.beatMs ?? BEAT_MS;
    this.sweepMs = opts.sweepMs ?? SWEEP_MS;
  }

  /** Beat and sweep once, then keep both going (the timers do not hold the process open). */
  async start(): Promise<void> {
    await this.beat();
    await this.sweep();
    let busy = false;
    const every = (ms: number, job: () => Promise<unknown>): void => {
      const t = setInterval(() => {
        // One job at a time: a tick that finds the last one still waiting on a slow
        // database is skipped, so nothing piles up.
        if (busy) return;
        busy = true;
        this.running = job().finally(() => (busy = false));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.beatMs, () => this.beat());
    every(this.sweepMs, () => this.sweep());
  }

  /** Moves this process's row forward. False (and logged once per outage) when it fails. */
  async beat(): Promise<boolean> {
    if (this.stopped) return false;
    const now = this.clock();
    try {
      await this.store.processes.beat(this.processId, now);
    } catch (err) {
      this.healthySince = undefined;
      if (!this.beatFailing) this.log.warn('process.beat_failed', { err });
      this.beatFailing = true;
      return false;
    }
    this.healthySince ??= now;
    if (this.beatFailing) this.log.info('process.beat_restored', {});
    this.beatFailing = false;
    return true;
  }

  /** Ends the calls of every process found dead and forgets it. Returns how many were. */
  async sweep(): Promise<number> {
    if (this.stopped || this.healthySince === undefined) return 0;
    const now = this.clock();
    // A beat still is judged from when this process began to beat without a failure:
    // during a database outage nobody could beat.
    const healthySince = this.healthySince;
    let found = 0;
    try {
      const seen = new Map((await this.store.processes.list()).slice(0, MAX_WATCHED).map((p) => [p.id, p.seenAt]));
      for (const id of this.watched.keys()) if (!seen.has(id)) this.watched.delete(id);
      for (const [id, seenAt] of seen) {
        const w = this.watched.get(id);
        if (w?.seenAt !== seenAt) this.watched.set(id, { seenAt, since: now });
      }
      const ids = new Set([...seen.keys(), ...(await this.store.calls.openProcesses())]);
      for (const id of ids) {
        if (id === this.processId) continue;
        const seenAt = seen.get(id);
        let dead: boolean;
        if (id !== '' && isEarlierStart(this.processId, id)) dead = true;
        else if (seenAt === undefined) dead = this.soleWriter;
        else dead = now - Math.max(this.watched.get(id)!.since, healthySince) >= this.deadAfterMs;
        if (!dead) continue;
        const lastSeenAt = seenAt ?? 0;
        const calls = await this.store.calls.endProcess(id, lastSeenAt, REASON);
        if (seenAt !== undefined) await this.store.processes.remove(id);
        this.watched.delete(id);
        // The Redis reap has usually ended them already and said so: then one debug line.
        if (calls > 0) this.log.info('calls.ended_for_dead_process', { processId: id || null, lastSeenAt, calls });
        else this.log.debug('process.forgotten', { processId: id || null, lastSeenAt });
        found++;
      }
    } catch (err) {
      this.log.warn('calls.end_for_dead_process_failed', { err });
    }
    return found;
  }

  /**
   * At a clean stop (its calls already ended): no more beats, and its row goes. A database
   * that does not answer holds the stop up for STOP_WAIT_MS at most (the row is then swept
   * like a dead process's).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    const bounded = async (p: Promise<unknown>): Promise<void> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([p, new Promise((r) => (timer = setTimeout(r, STOP_WAIT_MS)))]);
      } finally {
        clearTimeout(timer);
      }
    };
    await bounded(this.running);
    await bounded(this.store.processes.remove(this.processId).catch((err: unknown) => this.log.warn('process.remove_failed', { err })));
  }
}

/**
 * Starts this process's watch. `dataDir` loses the stamp file that the watch replaced
 * (`process.alive`, from a carrier before the processes table).
 */
export async function watchProcesses(opts: ProcessWatchOptions & { dataDir: string }): Promise<() => Promise<void>> {
  rmSync(join(opts.dataDir, 'process.alive'), { force: true });
  const watch = new ProcessWatch(opts);
  await watch.start();
  return () => watch.stop();
}
