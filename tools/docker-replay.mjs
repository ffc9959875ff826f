#!/usr/bin/env node
// Replay the Dockerfile without a Docker engine: every stage's RUN and COPY steps run in
// a clean temporary directory with stdin closed and no CI variable (as in `docker build`),
// then the last stage's CMD starts as an unprivileged user (nobody), the image's own
// HEALTHCHECK and a GET /health must answer, and SIGTERM must stop it with exit 0.
// So `docker compose up` can only fail on what Docker itself adds.
//
//   node tools/docker-replay.mjs [--keep] [--dockerfile Dockerfile]
//
// The mapping from an image to this machine (each line is checked, never assumed):
// - A stage's filesystem is <tmp>/stages/<n>; the absolute paths the Dockerfile owns (the
//   first segment of every WORKDIR and VOLUME: /app, /data) are rewritten to live there,
//   in RUN, COPY --from, ENV, CMD and HEALTHCHECK. Other absolute paths are refused.
// - `FROM node:<major>-…` needs this machine's Node to have the same major version.
// - `npm install -g pnpm@<version>` puts that exact pnpm first on PATH (.tools/pnpm when
//   it is that version, else installed once under node_modules/.cache), reusing the
//   machine's pnpm store so nothing is downloaded twice.
// - `chown <user>:<group>` of the image's unprivileged user becomes nobody:nogroup; the
//   USER the image runs as must not be root, and is run as nobody.
// - The build context is the working tree filtered by .dockerignore, like `docker build .`.
// - At start: CARRIER_HOST=127.0.0.1 and free ports (env overrides), and a copy of the
//   CARRIER_CONFIG file with its health port replaced by a free one. Checked: /health says
//   ok, the image's HEALTHCHECK passes, the web page and xterm.js are served, /data holds
//   only files of the image's user, SIGTERM stops it with exit 0 within 20 s.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const dfIdx = args.indexOf('--dockerfile');
const dockerfile = resolve(root, dfIdx >= 0 ? args[dfIdx + 1] : 'Dockerfile');
const started = Date.now();
const say = (msg) => process.stderr.write(`[docker-replay ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
class ReplayError extends Error {}
const fail = (msg) => {
  throw new ReplayError(msg);
};

// ---- Dockerfile parsing --------------------------------------------------------------

/** Instructions with their line numbers; continuation lines joined, comments dropped. */
export function parseDockerfile(text) {
  const out = [];
  const lines = text.split(/\r?\n/);
  let buf = '';
  let startLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (buf === '' && (trimmed === '' || trimmed.startsWith('#'))) continue;
    if (buf !== '' && trimmed.startsWith('#')) continue;
    if (buf === '') startLine = i + 1;
    if (trimmed.endsWith('\\')) {
      buf += trimmed.slice(0, -1) + ' ';
      continue;
    }
    buf += trimmed;
    const m = /^(\w+)\s+([\s\S]*)$/.exec(buf);
    if (!m) fail(`Dockerfile:${startLine}: cannot read "${buf}"`);
    out.push({ line: startLine, op: m[1].toUpperCase(), rest: m[2].trim() });
    buf = '';
  }
  return out;
}

/** `["a", "b"]` (exec form) or a plain string split on blanks. */
function words(rest) {
  if (rest.startsWith('[')) return JSON.parse(rest);
  return rest.split(/\s+/).filter(Boolean);
}

// ---- .dockerignore -------------------------------------------------------------------

/** Docker's pattern syntax (Go filepath.Match plus `**`), as anchored regular expressions. */
function ignoreRules(text) {
  const rules = [];
  for (let line of text.split(/\r?\n/)) {
    line = line.trim();
    if (!line || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    line = posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
    let re = '';
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (c === '*' && line[i + 1] === '*') {
        re += line[i + 2] === '/' ? '(?:.*/)?' : '.*';
        i += line[i + 2] === '/' ? 2 : 1;
      } else if (c === '*') re += '[^/]*';
      else if (c === '?') re += '[^/]';
      else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    rules.push({ negate, re: new RegExp(`^${re}$`) });
  }
  return rules;
}

function ignored(rules, rel) {
  let result = false;
  for (const r of rules) if (r.re.test(rel)) result = !r.negate;
  return result;
}

/** Copy the context: the working tree, without what .dockerignore excludes. */
function copyContext(from, to, rules, rel = '') {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const r = rel ? `${rel}/${name}` : name;
    if (ignored(rules, r)) continue;
    const src = join(from, name);
    const st = lstatSync(src);
    if (st.isDirectory()) copyContext(src, join(to, name), rules, r);
    else cpSync(src, join(to, name), { verbatimSymlinks: true, preserveTimestamps: true });
  }
}

// ---- helpers ---------------------------------------------------------------------------

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function runStep(cmd, argv, opts) {
  const r = spawnSync(cmd, argv, { ...opts, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) fail(`${argv.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = `${r.stdout}${r.stderr}`.trim().split('\n').slice(-25).join('\n');
    fail(`exit ${r.status ?? r.signal}: ${cmd} ${argv.join(' ')}\n${tail}`);
  }
  return r.stdout;
}

const versionOf = (pnpmCjs) => {
  const r = spawnSync(process.execPath, [pnpmCjs, '--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return r.status === 0 ? r.stdout.trim() : undefined;
};

/** A directory whose `pnpm` runs exactly `version`. */
function pnpmShim(version, shimDir) {
  let cjs = join(root, '.tools', 'pnpm', 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  if (!existsSync(cjs) || versionOf(cjs) !== version) {
    const prefix = join(root, 'node_modules', '.cache', 'carrier-docker-replay', `pnpm-${version}`);
    cjs = join(prefix, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
    if (!existsSync(cjs) || versionOf(cjs) !== version) {
      say(`installing pnpm@${version} into ${relative(root, prefix)}`);
      runStep('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `pnpm@${version}`], { cwd: root });
    }
  }
  if (versionOf(cjs) !== version) fail(`pnpm@${version} could not be found or installed`);
  mkdirSync(shimDir, { recursive: true });
  writeFileSync(join(shimDir, 'pnpm'), `#!/bin/sh\nexec "${process.execPath}" "${cjs}" "$@"\n`, { mode: 0o755 });
}

// ---- the replay ------------------------------------------------------------------------

async function main() {
  const steps = parseDockerfile(readFileSync(dockerfile, 'utf8'));
  const hostStore = spawnSync(process.execPath, [join(root, '.tools', 'pnpm', 'node_modules', 'pnpm', 'bin', 'pnpm.cjs'), 'store', 'path'], {
    encoding: 'utf8',
    cwd: root,
    stdio: ['ignore', 'pipe', 'ignore'],
  }).stdout?.trim();

  const work = mkdtempSync(join(tmpdir(), 'carrier-docker-replay-'));
  chmodSync(work, 0o755); // nobody must reach the last stage's files
  for (let d = dirname(work); ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) fail(`${join(d, 'node_modules')} would leak modules into the replayed image`);
    if (dirname(d) === d) break;
  }
  const context = join(work, 'context');
  const shimDir = join(work, 'bin');
  const home = join(work, 'home');
  mkdirSync(home, { recursive: true });
  let child;
  try {
    const dockerignore = existsSync(join(root, '.dockerignore')) ? readFileSync(join(root, '.dockerignore'), 'utf8') : '';
    copyContext(root, context, ignoreRules(dockerignore));
    say(`context copied (${relative(root, dockerfile)}, .dockerignore applied)`);

    // Absolute paths the Dockerfile owns: the first segment of each WORKDIR and VOLUME.
    const owned = new Set();
    for (const s of steps) {
      if (s.op === 'WORKDIR') owned.add(s.rest.split('/')[1]);
      if (s.op === 'VOLUME') for (const v of words(s.rest)) owned.add(v.split('/')[1]);
    }
    const ownedRe = new RegExp(`(^|[\\s=:'"(,])/(${[...owned].join('|')})(?=/|$|[\\s'",)])`, 'g');

    const stages = [];
    let stage;
    const mapPaths = (text) => text.replace(ownedRe, (_m, pre, top) => `${pre}${stage.fs}/${top}`);
    const inStage = (p) => join(stage.fs, posix.resolve(stage.workdir, p));
    let user;
    const userMap = new Map();

    for (const s of steps) {
      const where = `Dockerfile:${s.line} ${s.op}`;
      switch (s.op) {
        case 'FROM': {
          const [image, as, name] = words(s.rest);
          const m = /^node:(\d+)(?:[.-]|$)/.exec(image);
          if (!m) fail(`${where}: only node:<major>-* images can be replayed (got ${image})`);
          if (Number(m[1]) !== Number(process.versions.node.split('.')[0])) {
            fail(`${where}: ${image} is Node ${m[1]}, this machine runs Node ${process.versions.node}`);
          }
          stage = { name: as?.toUpperCase() === 'AS' ? name : String(stages.length), fs: join(work, 'stages', String(stages.length)), workdir: '/', env: {}, user: undefined };
          mkdirSync(stage.fs, { recursive: true });
          stages.push(stage);
          say(`stage ${stage.name} (${image})`);
          break;
        }
        case 'WORKDIR':
          stage.workdir = posix.resolve(stage.workdir, s.rest);
          mkdirSync(inStage('.'), { recursive: true });
          break;
        case 'ENV': {
          const m = /^(\w+)=(.*)$/.exec(s.rest) ?? /^(\w+)\s+(.*)$/.exec(s.rest);
          if (!m) fail(`${where}: one NAME=value per ENV line`);
          stage.env[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
          break;
        }
        case 'RUN': {
          if (s.rest.startsWith('[')) fail(`${where}: the exec form of RUN is not replayed; use the shell form`);
          for (const part of s.rest.split('&&').map((p) => p.trim())) {
            const pnpmPin = /^npm install -g pnpm@(\S+)$/.exec(part);
            if (pnpmPin) {
              if (!/^\d+\.\d+\.\d+$/.test(pnpmPin[1])) fail(`${where}: pin pnpm by exact version (got ${pnpmPin[1]})`);
              pnpmShim(pnpmPin[1], shimDir);
              say(`pnpm ${pnpmPin[1]} on PATH`);
              continue;
            }
            for (const m of part.matchAll(/(?:^|\s)\/([\w.-]+)/g)) {
              if (!owned.has(m[1]) && m[1] !== 'dev') fail(`${where}: absolute path /${m[1]} is outside what the replay maps (${[...owned].map((o) => `/${o}`).join(', ')})`);
            }
            let cmd = mapPaths(part);
            const chown = /^chown\s+(\w+):(\w+)\s/.exec(cmd);
            if (chown) {
              userMap.set(chown[1], 'nobody');
              cmd = cmd.replace(/^chown\s+\w+:\w+/, 'chown nobody:nogroup');
            }
            const t0 = Date.now();
            runStep('/bin/sh', ['-c', cmd], {
              cwd: inStage('.'),
              env: {
                PATH: `${shimDir}:${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
                HOME: home,
                ...(hostStore ? { npm_config_store_dir: hostStore } : {}),
                ...Object.fromEntries(Object.entries(stage.env).map(([k, v]) => [k, mapPaths(v)])),
              },
            });
            say(`RUN ${part} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
          }
          break;
        }
        case 'COPY': {
          const parts = words(s.rest);
          let from;
          while (parts[0]?.startsWith('--')) {
            const flag = parts.shift();
            if (flag.startsWith('--from=')) from = flag.slice(7);
            else fail(`${where}: flag ${flag} is not replayed`);
          }
          const dest = parts.pop();
          if (!dest || parts.length === 0) fail(`${where}: COPY needs a source and a destination`);
          let srcRoot = context;
          if (from !== undefined) {
            const src = stages.find((st) => st.name === from);
            if (!src || src === stage) fail(`${where}: no earlier stage ${from}`);
            srcRoot = src.fs;
          }
          const target = inStage(dest);
          for (const p of parts) {
            if (/[*?[]/.test(p)) fail(`${where}: wildcards are not replayed (${p})`);
            if (from === undefined && p.startsWith('/')) fail(`${where}: context paths are relative`);
            const src = join(srcRoot, from === undefined ? p : p.replace(/^\/+/, ''));
            if (!src.startsWith(srcRoot + sep) && src !== srcRoot) fail(`${where}: ${p} leaves the context`);
            if (!existsSync(src)) fail(`${where}: ${p} does not exist${from === undefined ? ' in the context (.dockerignore?)' : ` in stage ${from}`}`);
            const intoDir = dest.endsWith('/') || parts.length > 1 || statSync(src).isDirectory();
            if (statSync(src).isDirectory()) cpSync(src, target, { recursive: true, verbatimSymlinks: true });
            else {
              const file = intoDir ? join(target, p.split('/').pop()) : target;
              mkdirSync(dirname(file), { recursive: true });
              cpSync(src, file);
            }
          }
          break;
        }
        case 'USER':
          stage.user = s.rest;
          break;
        case 'CMD':
          stage.cmd = words(s.rest);
          break;
        case 'HEALTHCHECK': {
          const m = /\bCMD\s+(\[.*\])\s*$/.exec(s.rest);
          if (!m) fail(`${where}: only HEALTHCHECK … CMD ["…"] is replayed`);
          stage.healthcheck = JSON.parse(m[1]);
          break;
        }
        case 'EXPOSE':
        case 'VOLUME':
          if (s.op === 'VOLUME') for (const v of words(s.rest)) mkdirSync(join(stage.fs, v), { recursive: true });
          break;
        default:
          fail(`${where}: instruction not replayed; teach tools/docker-replay.mjs or keep to the ones it knows`);
      }
    }

    // ---- start the last stage as nobody ------------------------------------------------
    const final = stages.at(-1);
    stage = final;
    if (!final.cmd) fail('the last stage has no CMD');
    if (!final.user || final.user === 'root' || final.user === '0') fail('the image must run as an unprivileged USER');
    if (!userMap.has(final.user.split(':')[0])) fail(`USER ${final.user} owns nothing the image chowns (no RUN chown ${final.user}:…)`);
    const env = Object.fromEntries(Object.entries(final.env).map(([k, v]) => [k, mapPaths(v)]));
    const healthPort = await freePort();
    let imagePort = '';
    if (env.CARRIER_CONFIG) {
      const text = readFileSync(env.CARRIER_CONFIG, 'utf8');
      const replaced = text.replace(/(\nhealth:[^\n]*\n(?:[ \t]+#[^\n]*\n|[ \t]+\w+:[^\n]*\n)*?[ \t]+port:[ \t]*)(\d+)/, (_m, pre, port) => {
        imagePort = port;
        return `${pre}${healthPort}`;
      });
      if (!imagePort) fail(`${env.CARRIER_CONFIG}: no health.port to replace (the replay needs the health endpoint)`);
      env.CARRIER_CONFIG = join(work, 'replay-config.yaml');
      writeFileSync(env.CARRIER_CONFIG, mapPaths(replaced).replaceAll('0.0.0.0', '127.0.0.1'), { mode: 0o644 });
    }
    const ports = { CARRIER_TELNET_PORT: await freePort(), CARRIER_SSH_PORT: await freePort(), CARRIER_WEB_PORT: await freePort() };
    const cmd = final.cmd.map(mapPaths);
    const healthCmd = final.healthcheck?.map((a) => mapPaths(a).replaceAll(`:${imagePort}/`, `:${healthPort}/`));
    const runEnv = {
      PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
      HOME: join(final.fs, 'data'),
      ...env,
      CARRIER_HOST: '127.0.0.1',
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    };
    const asNobody = ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'];
    const exe = (argv) => (argv[0] === 'node' ? [process.execPath, ...argv.slice(1)] : argv);
    const log = [];
    say(`starting ${cmd.join(' ')} as nobody (health port ${healthPort})`);
    child = spawn('setpriv', [...asNobody, ...exe(cmd)], { cwd: join(final.fs, final.workdir), env: runEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
    child.stdout.on('data', (b) => log.push(b));
    child.stderr.on('data', (b) => log.push(b));
    const logText = () => Buffer.concat(log).toString('utf8').trim().split('\n').slice(-30).join('\n');

    let health;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const early = await Promise.race([exited, new Promise((r) => setTimeout(r, 250, undefined).unref())]);
      if (early) fail(`the image's CMD exited (${early.code ?? early.signal}) before /health answered:\n${logText()}`);
      try {
        const r = await fetch(`http://127.0.0.1:${healthPort}/health`, { signal: AbortSignal.timeout(3000) });
        health = { status: r.status, body: await r.json() };
        break;
      } catch {
        /* not listening yet */
      }
    }
    if (!health) fail(`GET /health did not answer within 60 s:\n${logText()}`);
    if (health.status !== 200 || health.body.status !== 'ok') fail(`GET /health: ${health.status} ${JSON.stringify(health.body)}`);
    say(`GET /health: 200 status ok, ${health.body.processes?.[0]?.db?.kind ?? '?'} store`);
    // The web package is in the image: its page and the vendored xterm.js are served.
    for (const path of ['/', '/assets/xterm.js']) {
      const r = await fetch(`http://127.0.0.1:${ports.CARRIER_WEB_PORT}${path}`, { signal: AbortSignal.timeout(5000) }).catch((err) => fail(`GET ${path} on the web port: ${err.message}`));
      if (r.status !== 200) fail(`GET ${path} on the web port: ${r.status}`);
      await r.arrayBuffer();
    }
    say('web front end serves its page and xterm.js');
    if (healthCmd) {
      const r = spawnSync('setpriv', [...asNobody, ...exe(healthCmd)], { env: runEnv, stdio: 'ignore', timeout: 10_000 });
      if (r.status !== 0) fail(`the image's HEALTHCHECK failed (exit ${r.status ?? r.signal})`);
      say('HEALTHCHECK passed');
    }
    const owner = statSync(join(final.fs, 'data')).uid;
    const files = readdirSync(join(final.fs, 'data'));
    for (const f of files) {
      if (lstatSync(join(final.fs, 'data', f)).uid !== owner) fail(`/data/${f} is not owned by the image's user`);
    }
    child.kill('SIGTERM');
    const end = await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000, undefined).unref())]);
    if (!end) fail(`SIGTERM did not stop it within 20 s (compose's stop_grace_period):\n${logText()}`);
    child = undefined;
    if (end.code !== 0) fail(`stopped with ${end.code ?? end.signal}, not 0:\n${logText()}`);
    say(`stopped cleanly on SIGTERM; replay passed in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  } finally {
    if (child) child.kill('SIGKILL');
    if (keep) say(`kept ${work}`);
    else {
      rmSync(work, { recursive: true, force: true });
      say('temporary tree removed');
    }
  }
}

main().catch((err) => {
  say(err instanceof ReplayError ? `FAILED: ${err.message}` : `FAILED: ${err.stack ?? err}`);
  process.exit(1);
});
