#!/usr/bin/env node
// The machine packages the tests drive (real telnet, ssh, rlogin and expect clients, tmux,
// redis-server, ...), listed ONCE in tools/ci-packages.txt: one Debian package name a line,
// `#` starts a comment. `npm test` and .ci/run both start here.
//   - everything installed: silent, exit 0;
//   - something missing, as root on Debian/Ubuntu: `apt-get update` once, then
//     `apt-get install -y` of only the missing ones;
//   - something missing otherwise: print the exact install command and exit 1, before any
//     test runs. CARRIER_SKIP_PREREQS=1 runs the tests anyway (those needing them fail).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const listFile = join(root, 'tools', 'ci-packages.txt');
const say = (msg) => process.stderr.write(`[prereqs] ${msg}\n`);

/** Where dpkg is missing (not Debian): a command each known package provides. */
const COMMAND_OF = {
  telnet: 'telnet',
  expect: 'expect',
  'rsh-client': 'rlogin',
  sshpass: 'sshpass',
  tmux: 'tmux',
  'openssh-client': 'ssh',
  'redis-server': 'redis-server',
  'putty-tools': 'puttygen',
  chromium: 'chromium',
  lrzsz: 'sz',
  bsdgames: 'fortune',
};

export function readPackageList(file = listFile) {
  if (!existsSync(file)) return [];
  const names = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '');
  for (const n of names) if (!/^[a-z0-9][a-z0-9+.-]*$/.test(n)) throw new Error(`${file}: not a Debian package name: ${JSON.stringify(n)}`);
  return [...new Set(names)];
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** The names in `wanted` that dpkg does not list as installed. */
function missingByDpkg(wanted) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...wanted], { encoding: 'utf8' });
  const installed = new Set();
  for (const line of (r.stdout ?? '').split('\n')) {
    const [pkg, status] = line.split(' ');
    if (pkg && status === 'installed') installed.add(pkg.replace(/:.*/, ''));
  }
  return wanted.filter((p) => !installed.has(p));
}

function main() {
  const wanted = readPackageList();
  if (wanted.length === 0) return 0;
  const debian = has('dpkg-query') && has('apt-get');
  const missing = debian ? missingByDpkg(wanted) : wanted.filter((p) => COMMAND_OF[p] !== undefined && !has(COMMAND_OF[p]));
  if (missing.length === 0) return 0;

  const root_ = process.getuid?.() === 0;
  if (debian && root_) {
    say(`installing ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    // Wait for another apt run's lock rather than failing at once.
    const lock = ['-o', 'DPkg::Lock::Timeout=600'];
    for (const args of [['update', '-qq', ...lock], ['install', '-y', '-qq', ...lock, ...missing]]) {
      const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
      if (r.status !== 0) {
        say(`apt-get ${args[0]} failed (exit ${r.status})`);
        return 1;
      }
    }
    const still = missingByDpkg(missing);
    if (still.length > 0) {
      say(`still missing after apt-get install: ${still.join(' ')}`);
      return 1;
    }
    return 0;
  }

  const command = debian ? `sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}` : `install the equivalents of these Debian packages: ${missing.join(' ')}`;
  say(`the tests drive real clients that are not installed: ${missing.join(' ')}`);
  say(`install them first:\n\n    ${command}\n`);
  if (process.env['CARRIER_SKIP_PREREQS'] === '1') {
    say('CARRIER_SKIP_PREREQS=1: running the tests anyway; the ones that need them will fail');
    return 0;
  }
  return 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exit(main());
