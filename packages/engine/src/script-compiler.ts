import { isBuiltin } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import type * as esbuild from 'esbuild';

/** One thing wrong with a script, as `carrier check` and the log report it. */
export interface ScriptProblem {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export type CompileResult =
  | {
      ok: true;
      /** ESM source ready to import */
      code: string;
      /** every local file bundled in (absolute), so an edited helper reloads its scripts */
      inputs: string[];
      exports: string[];
    }
  | { ok: false; problems: ScriptProblem[] };

/**
 * Bare imports (`@carrier/core`, `esbuild`) resolve the way the engine itself resolves
 * them, to absolute URLs: the compiled file lives in a cache dir with no node_modules,
 * and a script must share the engine's module instances (`instanceof
 * ConnectionClosedError` has to work). What the engine cannot resolve stays a bare
 * import (packages: 'external'), and `import type` disappears before resolution.
 */
const resolveLikeTheEngine: esbuild.Plugin = {
  name: 'carrier-resolve-like-engine',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (isAbsolute(args.path)) return undefined;
      if (args.path.startsWith('node:') || isBuiltin(args.path)) return { path: args.path, external: true };
      try {
        return { path: import.meta.resolve(args.path), external: true };
      } catch {
        return undefined;
      }
    });
  },
};

/** This module's URL: the script loader reuses a cached build only from the same compiler. */
export const COMPILER_URL = import.meta.url;

/** Compile one script file (TypeScript, with its relative imports bundled in) to ESM. */
export async function compileScript(file: string): Promise<CompileResult> {
  const entry = resolve(file);
  let result: esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    // Loaded on the first compile only: a board whose scripts are unchanged since the last
    // run imports their cached builds (script-loader.ts) and never needs esbuild.
    const { build } = await import('esbuild');
    result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      write: false,
      metafile: true,
      outfile: 'script.mjs',
      sourcemap: 'inline',
      sourcesContent: false,
      logLevel: 'silent',
      plugins: [resolveLikeTheEngine],
    });
  } catch (err) {
    const failure = err as Partial<esbuild.BuildFailure>;
    if (Array.isArray(failure.errors) && failure.errors.length > 0) {
      return { ok: false, problems: failure.errors.map((m) => problemFrom(m, entry)) };
    }
    return { ok: false, problems: [{ file: entry, message: err instanceof Error ? err.message : String(err) }] };
  }
  const output = result.outputFiles[0];
  const meta = Object.values(result.metafile.outputs)[0];
  if (!output || !meta) return { ok: false, problems: [{ file: entry, message: 'esbuild produced no output' }] };
  const inputs = Object.keys(result.metafile.inputs).map((p) => resolve(p));
  if (!inputs.includes(entry)) inputs.unshift(entry);
  return { ok: true, code: output.text, inputs, exports: meta.exports };
}

function problemFrom(m: esbuild.Message, entry: string): ScriptProblem {
  const loc = m.location;
  if (!loc) return { file: entry, message: m.text };
  return { file: resolve(loc.file), line: loc.line, column: loc.column + 1, message: m.text };
}
