// Idle memory (issue 18, docs/benchmarks.md): V8 grows its young generation to 16 MiB for
// a burst of work (start-up, logins) and gives it back only when its memory reducer runs,
// which V8 arms after a full collection. A board that goes quiet right after its callers
// leave may never run one, and then idles 16 MiB higher for as long as nobody calls. When
// this process has had no caller for a while and the young generation is still grown,
// one full collection lets V8 shrink it (it does when allocation has slowed, as it has on
// an empty board). Nobody is connected to notice the pause (~15 ms on an idle board).
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from '@carrier/core';

/** How often the collector looks at the board. */
export const IDLE_CHECK_INTERVAL_MS = 5_000;
/** Checks in a row with no caller before a collection: 10-15 s of an empty board. */
export const IDLE_CHECKS_BEFORE_COLLECT = 2;
/** V8 starts the young generation at 1 MiB (a semi-space) and grows it by doubling. */
export const YOUNG_GENERATION_GROWN_BYTES = 4 * 1024 * 1024;
/**
 * Collections per quiet spell: V8 may keep the young generation after the first one if
 * it still counts the burst's allocation rate; a second one, a check later, sees it gone.
 * Never more, so a V8 that will not shrink costs two collections, not one per check.
 */
export const IDLE_COLLECTIONS_PER_SPELL = 2;

export interface IdleCollectorOptions {
  /** Callers on this process right now (sessions, including those at `login:`). */
  callers: () => number;
  log: Logger;
  /** The young generation's committed size; V8's new space by default. */
  youngGenerationBytes?: () => number;
  /** A full collection; V8's, through the gc extension, by default. */
  collect?: () => void;
}

/**
 * Decides, one `check()` at a time, when an empty board collects: no timers or V8 inside,
 * so a test drives it with numbers.
 */
export class IdleCollector {
  private quietChecks = 0;
  private collections = 0;
  private readonly youngGenerationBytes: () => number;
  private collectFn: (() => void) | undefined;

  constructor(private readonly opts: IdleCollectorOptions) {
    this.youngGenerationBytes = opts.youngGenerationBytes ?? v8YoungGenerationBytes;
    this.collectFn = opts.collect;
  }

  /** One look at the board; true when it collected. */
  check(): boolean {
    if (this.opts.callers() > 0) {
      this.quietChecks = 0;
      this.collections = 0;
      return false;
    }
    this.quietChecks++;
    if (this.quietChecks < IDLE_CHECKS_BEFORE_COLLECT || this.collections >= IDLE_COLLECTIONS_PER_SPELL) return false;
    const young = this.youngGenerationBytes();
    if (young <= YOUNG_GENERATION_GROWN_BYTES) return false;
    this.collections++;
    const t0 = performance.now();
    (this.collectFn ??= v8FullCollection())();
    this.opts.log.debug('memory.idle_collect', { youngBytes: young, afterBytes: this.youngGenerationBytes(), ms: Math.round(performance.now() - t0) });
    return true;
  }
}

/** Runs an IdleCollector every IDLE_CHECK_INTERVAL_MS; the timer never keeps the process up. */
export function startIdleCollector(opts: IdleCollectorOptions): { stop(): void } {
  const collector = new IdleCollector(opts);
  const timer = setInterval(() => collector.check(), IDLE_CHECK_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

function v8YoungGenerationBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * V8's `gc()` without starting node with --expose-gc (which would also need the Dockerfile
 * and the systemd unit to match): the flag applies to contexts made after it is set. The
 * context is made for each collection and dropped, since keeping it costs ~150 KiB of
 * heap; the memory reducer that the collection arms frees it a few seconds later.
 */
function v8FullCollection(): () => void {
  setFlagsFromString('--expose-gc');
  return () => (runInNewContext('gc') as () => void)();
}
