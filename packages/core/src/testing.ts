// Test helpers shared by every package's tests and the repo-level suites, reached as
// `@carrier/core/testing`. Not part of the published build (tsconfig excludes it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EventuallyOptions {
  /** give up after this long; generous, since the wait ends as soon as the check holds */
  timeoutMs?: number;
  /** time between checks */
  intervalMs?: number;
}

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Polls `check` until it returns a truthy value (or a promise of one) and resolves with
 * that value; rejects with `timed out waiting for <what>` once `timeoutMs` has passed.
 * `what` may be a function, called only on failure, to describe the state seen last.
 * A check that throws fails at once (a wrong state is not something to wait out).
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  what: string | (() => string | Promise<string>),
  { timeoutMs = 15_000, intervalMs = 20 }: EventuallyOptions = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as Truthy<T>;
    if (Date.now() > deadline) {
      const said = typeof what === 'function' ? await what() : what;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${said}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Resolves after `ms` milliseconds of real time. */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** True under a CI run (`CI=true`, as .ci/run is started). */
export function underCi(): boolean {
  const v = process.env['CI'];
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/**
 * A suite's service (PostgreSQL, Redis) is missing. On a developer's machine the suite
 * skips with `reason`, returned here; under CI that would turn a green run into a lie,
 * so it throws instead and the run fails.
 */
export function serviceMissing(reason: string): string {
  if (underCi()) throw new Error(`${reason} (CI=true: a missing service fails the run instead of skipping)`);
  return reason;
}

const scratchDirs: string[] = [];

/**
 * A fresh folder under the system's temp dir, named `<prefix>-` and six random characters
 * (mkdtemp), removed with everything
 * in it when the test process exits, so a suite leaves nothing in /tmp whatever failed.
 */
export function scratchDir(prefix: string): string {
  if (scratchDirs.length === 0) {
    process.once('exit', () => {
      for (const d of scratchDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  scratchDirs.push(dir);
  return dir;
}
