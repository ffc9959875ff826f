#!/usr/bin/env node
// Runs every test in the repo on node:test through tsx, straight from TypeScript sources
// (the `carrier-src` export condition points each @carrier package at its src/).
//   node tools/run-tests.mjs                 all tests
//   node tools/run-tests.mjs packages/telnet  tests under a path
//   node tools/run-tests.mjs --built ...      boards and CLIs the tests start run the built
//                                             server (packages/*/dist, build it first), as
//                                             `npm test` does right after its build
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const built = args.includes('--built');
const roots = args.filter((a) => !a.startsWith('-'));
const passthrough = args.filter((a) => a.startsWith('-') && a !== '--built');

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
// node's own report (spec on a terminal, TAP otherwise: node's defaults) goes to stdout
// untouched; a second reporter records each test's outcome for the per-suite summary.
const ownReporter = passthrough.some((a) => a.startsWith('--test-reporter'));
const summaryDir = mkdtempSync(join(tmpdir(), 'carrier-tests-'));
const summaryFile = join(summaryDir, 'outcomes.jsonl');
const reporters = ownReporter
  ? []
  : [
      `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`, '--test-reporter-destination=stdout',
      `--test-reporter=${pathToFileURL(join(root, 'tools', 'test-summary-reporter.mjs')).href}`, `--test-reporter-destination=${summaryFile}`,
    ];
const r = spawnSync(
  process.execPath,
  ['--conditions=carrier-src', '--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=240000', ...reporters, ...passthrough, ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, CARRIER_TEST: '1', ...(built ? { CARRIER_TEST_BUILT: '1' } : {}) } },
);
if (!ownReporter) printSummary();
rmSync(summaryDir, { recursive: true, force: true });
process.exit(r.status ?? 1);

/** How many tests ran in each suite (packages/<name>, tests/<folder>), after node's report. */
function printSummary() {
  let lines = [];
  try {
    lines = readFileSync(summaryFile, 'utf8').split('\n').filter((l) => l !== '');
  } catch {
    /* node wrote nothing: it failed before any test ran */
  }
  const bySuite = new Map();
  const total = { passed: 0, failed: 0, skipped: 0, todo: 0 };
  for (const line of lines) {
    const { file, outcome } = JSON.parse(line);
    const parts = relative(root, file).split(/[\\/]/);
    const suite = parts[0] === 'packages' || parts[0] === 'tests' ? parts.slice(0, 2).join('/') : parts[0] || '(unknown)';
    const c = bySuite.get(suite) ?? { passed: 0, failed: 0, skipped: 0, todo: 0 };
    c[outcome] += 1;
    total[outcome] += 1;
    bySuite.set(suite, c);
  }
  const width = Math.max(0, ...[...bySuite.keys()].map((k) => k.length));
  const out = ['', '[run-tests] tests run per suite:'];
  for (const [suite, c] of [...bySuite].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`  ${suite.padEnd(width)}  ${String(c.passed).padStart(5)} pass  ${String(c.failed).padStart(3)} fail  ${String(c.skipped).padStart(3)} skipped${c.todo ? `  ${c.todo} todo` : ''}`);
  }
  out.push(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  process.stdout.write(`${out.join('\n')}\n`);
}
