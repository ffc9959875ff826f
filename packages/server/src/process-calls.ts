import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@carrier/core';
import { isEarlierStart, type ProcessGone } from '@carrier/engine';
import type { Store } from '@carrier/store';

/**
 * The calls a dead carrier process left open (kill -9, a crash, a lost host) are ended by
 * the process that notices, at the time the dead one was last seen alive, so they reach
 * "last callers" instead of staying open for ever.
 *
 * - With the Redis bus, the process that reaps a dead one off who's online (or clears an
 *   earlier start of itself) ends its calls: `endCallsOf` is the bus's onProcessGone.
 * - With the in-process bus this process is the whole board. It stamps
 *   `<dataDir>/process.alive` (its id and the time) every STAMP_MS; at the next start the
 *   stamp says when the previous process was last alive. On SQLite every call still open
 *   then was left by a dead process; on PostgreSQL, which other boards' processes may
 *   share, only those of the stamp's process and of earlier starts of this host:pid.
 */

/**
 * The random part of a cluster worker's process id (newProcessId), chosen by the primary
 * before the fork: the primary can then name a dead worker to clear its callers and calls.
 */
export const PROCESS_NONCE_ENV = 'CARRIER_PROCESS_NONCE';

const STAMP_MS = 5_000;
const REASON = 'process died';

interface Stamp {
  processId: string;
  at: number;
}

export function endCallsOf(store: Store, log: Logger): (gone: ProcessGone) => void {
  return (gone) => {
    store.calls
      .endProcess(gone.processId, gone.lastSeenAt, REASON)
      .then((calls) => log.info('calls.ended_for_dead_process', { processId: gone.processId, lastSeenAt: gone.lastSeenAt, calls }))
      .catch((err: unknown) => log.warn('calls.end_for_dead_process_failed', { processId: gone.processId, err }));
  };
}

function readStamp(file: string): Stamp | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<Stamp>;
    return typeof v.processId === 'string' && Number.isSafeInteger(v.at) ? { processId: v.processId, at: v.at! } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * For a board on the in-process bus: end the calls earlier processes left open, then keep
 * this process's stamp fresh. Returns the stop (which removes nothing: a clean stop has
 * ended every call, and the next start reads the stamp only for calls still open).
 */
export async function sweepSingleProcess(opts: { store: Store; dataDir: string; processId: string; log: Logger }): Promise<() => void> {
  const { store, processId, log } = opts;
  const file = join(opts.dataDir, 'process.alive');
  const previous = readStamp(file);
  const stamp = (): void => {
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify({ processId, at: Date.now() } satisfies Stamp));
      renameSync(`${file}.tmp`, file);
    } catch (err) {
      log.debug('calls.stamp_failed', { err });
    }
  };
  stamp();
  const timer = setInterval(stamp, STAMP_MS);
  timer.unref();
  try {
    for (const id of await store.calls.openProcesses()) {
      if (id === processId) continue;
      const mine = id === previous?.processId || (id !== '' && isEarlierStart(processId, id));
      if (!mine && store.kind !== 'sqlite') continue;
      // On SQLite the stamp's process was the whole board: its last-seen time is the best
      // there is for any call left open (never earlier than a call's own start).
      const lastSeenAt = previous?.at ?? 0;
      const calls = await store.calls.endProcess(id, lastSeenAt, REASON);
      log.info('calls.ended_for_dead_process', { processId: id || null, lastSeenAt, calls });
    }
  } catch (err) {
    log.warn('calls.end_for_dead_process_failed', { err });
  }
  return () => clearInterval(timer);
}
