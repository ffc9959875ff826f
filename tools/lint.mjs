#!/usr/bin/env node
// `npm run lint`: typescript-eslint over the whole tree (eslint.config.js: floating and
// misused promises, no paths into another package's src/), then the import-cycle check.
// Extra arguments go to eslint (e.g. `npm run lint -- packages/engine`).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const started = Date.now();
const eslint = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--cache', '--cache-location', join(root, 'node_modules', '.cache', 'eslint') + '/', '--max-warnings=0', ...(args.length ? args : ['.'])],
  { cwd: root, stdio: 'inherit' },
);
const cycles = spawnSync(process.execPath, [join(root, 'tools', 'check-cycles.mjs')], { cwd: root, stdio: 'inherit' });
const failed = eslint.status !== 0 || cycles.status !== 0;
console.log(`lint: ${failed ? 'FAILED' : 'ok'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
