#!/usr/bin/env node
// Runs every test in the repo on node:test through tsx, straight from TypeScript sources
// (the `carrier-src` export condition points each @carrier package at its src/).
//   node tools/run-tests.mjs                 all tests
//   node tools/run-tests.mjs packages/telnet  tests under a path
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passthrough = process.argv.slice(2).filter((a) => a.startsWith('-'));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const searchIn = roots.length ? roots.map((r) => join(root, r)) : [join(root, 'packages'), join(root, 'tests')];
const files = [];
for (const dir of searchIn) {
  try {
    if (statSync(dir).isFile()) files.push(relative(root, dir));
    else walk(dir, files);
  } catch {
    /* a missing folder has no tests */
  }
}
files.sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ['--conditions=carrier-src', '--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=240000', ...passthrough, ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, CARRIER_TEST: '1' } },
);
process.exit(r.status ?? 1);
