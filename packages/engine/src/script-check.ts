import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileScript, type ScriptProblem } from './script-compiler.js';

export interface CheckOptions {
  /** Also run the TypeScript compiler (`tsc --noEmit`, strict) over the scripts: slower, finds type errors. */
  typecheck?: boolean;
}

/** A type-check of a scripts dir should not run for minutes on a broken setup. */
const TYPECHECK_TIMEOUT_MS = 120_000;

function isScriptFile(name: string): boolean {
  return name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts');
}

/**
 * What `carrier check` reports for a scripts dir: every build error with file and line
 * (esbuild), a script without a default export, and with `typecheck` every type error.
 */
export async function checkScripts(dir: string, opts: CheckOptions = {}): Promise<ScriptProblem[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter(isScriptFile).sort();
  } catch (err) {
    return [{ file: resolve(dir), message: `cannot read the scripts dir: ${(err as Error).message}` }];
  }
  const files = names.map((n) => resolve(dir, n));
  const problems: ScriptProblem[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const result = await compileScript(file);
    if (!result.ok) {
      for (const p of result.problems) {
        // A broken helper shared by several scripts is one problem, not one per script.
        const key = `${p.file}:${p.line ?? 0}:${p.column ?? 0}:${p.message}`;
        if (!seen.has(key)) problems.push(p);
        seen.add(key);
      }
    } else if (!result.exports.includes('default')) {
      problems.push({ file, line: 1, message: 'a script must export a default async function (s: Session)' });
    }
  }
  if (opts.typecheck && files.length > 0) problems.push(...(await typecheckScripts(files)));
  return problems;
}

/**
 * Scripts import types from '@carrier/engine'; the scripts dir has no node_modules of
 * its own, so a throwaway tsconfig maps @carrier/* to the packages this engine runs
 * with (their src/ in the repo, dist/ declarations in a build).
 */
async function typecheckScripts(files: string[]): Promise<ScriptProblem[]> {
  const require = createRequire(import.meta.url);
  let tscPath: string;
  try {
    tscPath = require.resolve('typescript/bin/tsc');
  } catch {
    return [{ file: dirname(files[0] ?? '.'), message: 'type-check skipped: the typescript package is not installed' }];
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const fromSource = here.endsWith('/src') || here.endsWith('\\src');
  const paths: Record<string, string[]> = {};
  for (const pkg of ['core', 'terminal', 'store', 'engine']) {
    const pkgDir = join(here, '..', '..', pkg);
    paths[`@carrier/${pkg}`] = [fromSource ? join(pkgDir, 'src', 'index.ts') : join(pkgDir, 'dist', 'index.d.ts')];
  }
  let typeRoots: string[] = [];
  try {
    typeRoots = [dirname(dirname(require.resolve('@types/node/package.json')))];
  } catch {
    /* tsc reports the missing node types itself */
  }
  const work = await mkdtemp(join(tmpdir(), 'carrier-typecheck-'));
  try {
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        customConditions: ['carrier-src'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        allowImportingTsExtensions: true,
        types: ['node'],
        typeRoots,
        paths,
      },
      files,
    };
    const config = join(work, 'tsconfig.json');
    await writeFile(config, JSON.stringify(tsconfig));
    const output = await run(process.execPath, [tscPath, '-p', config, '--pretty', 'false']);
    return parseTscOutput(output);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `file(line,col): error TS2345: message` lines; continuation lines belong to the one before. */
export function parseTscOutput(output: string): ScriptProblem[] {
  const problems: ScriptProblem[] = [];
  for (const line of output.split(/\r?\n/)) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    if (m) {
      problems.push({ file: resolve(m[1]!), line: Number(m[2]), column: Number(m[3]), message: `${m[5]} (${m[4]})` });
      continue;
    }
    const global = /^error (TS\d+): (.*)$/.exec(line);
    if (global) {
      problems.push({ file: '(typescript)', message: `${global[2]} (${global[1]})` });
      continue;
    }
    const last = problems[problems.length - 1];
    if (last && /^\s+\S/.test(line)) last.message += ` ${line.trim()}`;
  }
  return problems;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), TYPECHECK_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolvePromise(out);
    });
  });
}
