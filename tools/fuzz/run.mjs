#!/usr/bin/env node
// Longer fuzzing runs of the same properties `npm test` runs briefly: every
// `*.fuzz.test.ts` in the repo (or under the paths given), with a chosen seed and run count.
//   node tools/fuzz/run.mjs                          a fresh random seed, 10,000 runs per property
//   node tools/fuzz/run.mjs --runs 100000 --seed 42  reproducible, longer
//   node tools/fuzz/run.mjs packages/telnet          one package's properties only
// A failing property prints its seed and fast-check's replay path; run it again with that seed.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEFAULT_RUNS = 10_000;

function usage(message) {
  console.error(`${message}\nusage: node tools/fuzz/run.mjs [--runs N] [--seed S] [path ...]`);
  process.exit(2);
}

const args = process.argv.slice(2);
const paths = [];
let runs = DEFAULT_RUNS;
// A 31-bit seed, so it survives any round trip through fast-check's 32-bit generator.
let seed = Math.floor(Math.random() * 0x7fffffff);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--runs' || a === '--seed') {
    const v = Number(args[++i]);
    if (!Number.isSafeInteger(v) || (a === '--runs' && v < 1)) usage(`${a} needs an integer${a === '--runs' ? ' above 0' : ''}`);
    if (a === '--runs') runs = v;
    else seed = v;
  } else if (a === '--help' || a === '-h') {
    usage('Runs every *.fuzz.test.ts property with the given seed and run count.');
  } else if (a.startsWith('-')) {
    usage(`unknown option ${a}`);
  } else {
    paths.push(a);
  }
}

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.fuzz.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const files = [];
for (const p of paths.length ? paths : ['packages']) {
  const abs = join(root, p);
  try {
    if (statSync(abs).isFile()) files.push(relative(root, abs));
    else walk(abs, files);
  } catch {
    usage(`no such path: ${p}`);
  }
}
if (files.length === 0) usage('no *.fuzz.test.ts files found');
files.sort();

console.log(`fuzzing ${files.length} files, seed ${seed}, ${runs} runs per property`);
const r = spawnSync(process.execPath, [join(root, 'tools', 'run-tests.mjs'), ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CARRIER_FUZZ_SEED: String(seed), CARRIER_FUZZ_RUNS: String(runs) },
});
console.log(`fuzzing ${r.status === 0 ? 'passed' : 'FAILED'}: seed ${seed}, ${runs} runs per property`);
process.exit(r.status ?? 1);
