#!/usr/bin/env node
// One step that makes a fresh clone runnable with only Node and npm on the machine:
// find or fetch pnpm 10 (corepack's signature check fails against this registry mirror,
// so we never use corepack), install the workspace, and build the packages.
// Everything it prints goes to stderr so `npm run carrier -- user list` stays clean.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, readdirSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const say = (msg) => { if (!quiet) process.stderr.write(`[bootstrap] ${msg}\n`); };

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 2, 2], ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    process.stderr.write(`[bootstrap] failed: ${cmd} ${args.join(' ')} (exit ${r.status})\n`);
    process.exit(r.status ?? 1);
  }
}

function pnpmMajor(cmd, args) {
  const r = spawnSync(cmd, [...args, '--version'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout) return 0;
  return Number(r.stdout.trim().split('.')[0]);
}

function findPnpm() {
  const local = join(root, '.tools', 'pnpm', 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  if (existsSync(local) && pnpmMajor(process.execPath, [local]) === 10) return [process.execPath, [local]];
  if (pnpmMajor('pnpm', []) === 10) return ['pnpm', []];
  say('pnpm 10 not found; installing it into .tools/pnpm (npm, no corepack)');
  mkdirSync(join(root, '.tools', 'pnpm'), { recursive: true });
  run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', join(root, '.tools', 'pnpm'), 'pnpm@10']);
  return [process.execPath, [local]];
}

function installStamp() {
  const h = createHash('sha256');
  const files = ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml'];
  for (const p of readdirSync(join(root, 'packages'))) files.push(join('packages', p, 'package.json'));
  for (const f of files.sort()) if (existsSync(join(root, f))) h.update(f).update(readFileSync(join(root, f)));
  return h.digest('hex');
}

const stampFile = join(root, 'node_modules', '.carrier-install-stamp');
const stamp = installStamp();
if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
  const [cmd, pre] = findPnpm();
  say('installing the workspace (native addons compile from source; the first run takes a few minutes)');
  const frozen = existsSync(join(root, 'pnpm-lock.yaml')) && process.env.CI ? ['--frozen-lockfile'] : [];
  run(cmd, [...pre, 'install', '--reporter=append-only', ...frozen]);
  writeFileSync(stampFile, installStamp());
}
say('building (tsc -b)');
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'packages/server', 'packages/client']);
