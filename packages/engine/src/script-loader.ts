import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CarrierError, ErrorCodes, type Logger } from '@carrier/core';
import { stampOf } from './file-stamp.js';
import { compileScript } from './script-compiler.js';
import { currentBuild, recordBuild } from './script-loader-cache.js';
import { singleFlight } from './single-flight.js';
import type { ScriptFunction } from './session-api.js';

export type { ScriptFunction } from './session-api.js';

/**
 * Script names come from scripts and menu files; keeping them to one path segment means
 * a name can never reach outside the scripts dir.
 */
const SCRIPT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;

interface LoadedVersion {
  fn: ScriptFunction;
  /** file -> stamp of every file bundled into this version */
  stamps: Map<string, string>;
}

interface ScriptEntry {
  good?: LoadedVersion;
  /** stamps of the sources that last failed to build, so one broken edit is compiled and logged once */
  failedStamps?: Map<string, string> | undefined;
  failure?: CarrierError;
  inflight?: Promise<ScriptFunction>;
}

/**
 * Finds, compiles and caches scripts. Each load stats the script's files and recompiles
 * when one changed (mtime or size). A caller already running a script keeps the function
 * it got; the next goto/gosub gets the new one. A version that fails to build is logged
 * with file and line, and the last good version stays in use.
 */
/** How long an old build of a script stays in the cache after a newer one is loaded. */
const BUILD_KEEP_MS = 3_600_000;

export class ScriptLoader {
  private readonly entries = new Map<string, ScriptEntry>();
  private readonly outDir: string;

  constructor(
    private readonly scriptsDir: string,
    cacheDir: string,
    private readonly log: Logger,
  ) {
    this.outDir = join(cacheDir, 'scripts');
  }

  fileFor(name: string): string {
    return join(this.scriptsDir, `${name}.ts`);
  }

  async load(name: string): Promise<ScriptFunction> {
    if (!SCRIPT_NAME.test(name)) {
      throw new CarrierError(ErrorCodes.NOT_FOUND, `not a script name: ${JSON.stringify(name.slice(0, 80))}`);
    }
    let entry = this.entries.get(name);
    if (!entry) this.entries.set(name, (entry = {}));
    // Callers arriving while a build runs share it instead of compiling the same file again.
    const e = entry;
    return singleFlight(e, () => this.refresh(name, e));
  }

  private async refresh(name: string, entry: ScriptEntry): Promise<ScriptFunction> {
    const file = this.fileFor(name);
    const entryStamp = await stampOf(file);
    if (entryStamp === undefined) {
      throw new CarrierError(ErrorCodes.NOT_FOUND, `no script named "${name}" (looked for ${file})`, { script: name, file });
    }
    if (entry.good && (await unchanged(entry.good.stamps))) return entry.good.fn;

    if (entry.failedStamps && (await unchanged(entry.failedStamps))) {
      if (entry.good) return entry.good.fn;
      throw entry.failure ?? new CarrierError(ErrorCodes.SCRIPT_FAILED, `script "${name}" does not build`);
    }
    try {
      const version = (!entry.good && !entry.failedStamps && (await this.cached(name, file))) || (await this.build(name, file));
      entry.good = version;
      entry.failedStamps = undefined;
      entry.failure = undefined;
      this.log.info('script.loaded', { script: name, file });
      return version.fn;
    } catch (err) {
      const failure =
        err instanceof CarrierError ? err : new CarrierError(ErrorCodes.SCRIPT_FAILED, `script "${name}" failed to load`, { script: name }, { cause: err });
      entry.failedStamps = await this.stampsAfterFailure(file, entryStamp, entry.good, failure);
      entry.failure = failure;
      if (entry.good) {
        this.log.warn('script.kept_previous', { script: name, file });
        return entry.good.fn;
      }
      throw failure;
    }
  }

  /** The build a previous run made, when none of its files changed since: no compile, no esbuild. */
  private async cached(name: string, file: string): Promise<LoadedVersion | undefined> {
    const build = await currentBuild(this.outDir, name);
    if (!build) return undefined;
    try {
      const mod = (await import(pathToFileURL(build.file).href)) as { default?: unknown };
      if (typeof mod.default !== 'function') return undefined;
      this.log.debug('script.cached_build', { script: name, file, build: build.file });
      return { fn: mod.default as ScriptFunction, stamps: build.stamps };
    } catch (err) {
      this.log.debug('script.cached_build_failed', { script: name, file, err });
      return undefined;
    }
  }

  private async build(name: string, file: string): Promise<LoadedVersion> {
    // Stamps are taken before compiling: an edit made during the build is seen next time.
    const before = await stampOf(file);
    const compiled = await compileScript(file);
    if (!compiled.ok) {
      for (const p of compiled.problems) {
        this.log.error('script.compile_failed', { script: name, file: p.file, line: p.line, column: p.column, message: p.message });
      }
      const first = compiled.problems[0];
      throw new CarrierError(
        ErrorCodes.SCRIPT_FAILED,
        `script "${name}" does not compile${first ? `: ${first.file}:${first.line ?? 0}: ${first.message}` : ''}`,
        { script: name, problems: compiled.problems },
      );
    }
    if (!compiled.exports.includes('default')) {
      const message = 'a script must export a default async function (s: Session)';
      this.log.error('script.compile_failed', { script: name, file, message });
      throw new CarrierError(ErrorCodes.SCRIPT_FAILED, `script "${name}": ${message}`, { script: name });
    }
    const stamps = new Map<string, string>();
    for (const input of compiled.inputs) {
      const s = input === file && before !== undefined ? before : await stampOf(input);
      if (s !== undefined) stamps.set(input, s);
    }
    const hash = createHash('sha256').update(compiled.code).digest('hex').slice(0, 16);
    const out = join(this.outDir, `${name}.${hash}.mjs`);
    await mkdir(this.outDir, { recursive: true });
    // Written under a temporary name and renamed, so another process sharing the cache
    // never imports a half-written file. Same content, same name: a rewrite is harmless.
    const tmp = `${out}.${process.pid}.${Date.now().toString(36)}.tmp`;
    await writeFile(tmp, compiled.code);
    await rename(tmp, out);
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(out).href)) as { default?: unknown };
    } catch (err) {
      this.log.error('script.import_failed', { script: name, file, err });
      throw new CarrierError(ErrorCodes.SCRIPT_FAILED, `script "${name}" failed while loading`, { script: name }, { cause: err });
    }
    void this.pruneOldBuilds(name, out);
    if (typeof mod.default !== 'function') {
      const message = 'the default export is not a function';
      this.log.error('script.compile_failed', { script: name, file, message });
      throw new CarrierError(ErrorCodes.SCRIPT_FAILED, `script "${name}": ${message}`, { script: name });
    }
    await recordBuild(this.outDir, name, basename(out), stamps).catch((err: unknown) => this.log.debug('script.manifest_failed', { script: name, err }));
    return { fn: mod.default as ScriptFunction, stamps };
  }

  /**
   * Every edit compiles to a new content-named file; drop this script's older builds so
   * the cache does not grow with each edit. A build is only removed once it is an hour
   * old: it was imported long ago by whoever compiled it (an imported module no longer
   * needs its file), and another process sharing the cache never loses a fresh one.
   */
  private async pruneOldBuilds(name: string, keep: string): Promise<void> {
    const cutoff = Date.now() - BUILD_KEEP_MS;
    try {
      for (const f of await readdir(this.outDir)) {
        const path = join(this.outDir, f);
        if (path === keep || !f.startsWith(`${name}.`) || !f.endsWith('.mjs')) continue;
        if ((await stat(path)).mtimeMs < cutoff) await unlink(path);
      }
    } catch (err) {
      this.log.debug('script.prune_failed', { script: name, err });
    }
  }

  /** The files whose edit could fix a failed build: the script, its last good inputs, the files with errors. */
  private async stampsAfterFailure(
    file: string,
    entryStamp: string,
    good: LoadedVersion | undefined,
    failure: CarrierError,
  ): Promise<Map<string, string>> {
    const files = new Set<string>(good ? good.stamps.keys() : []);
    const problems = failure.details?.['problems'];
    if (Array.isArray(problems)) for (const p of problems as { file: string }[]) files.add(p.file);
    const stamps = new Map<string, string>([[file, entryStamp]]);
    for (const f of files) if (f !== file) stamps.set(f, (await stampOf(f)) ?? 'missing');
    return stamps;
  }
}

async function unchanged(stamps: Map<string, string>): Promise<boolean> {
  for (const [file, s] of stamps) if (((await stampOf(file)) ?? 'missing') !== s) return false;
  return true;
}
