// Shared by the workshop benchmarks (menu.ts, view-rss.ts): a copy of the board's
// scripts and menus in a temp folder where every caller is logged in as `bench` without
// a password (the menu is what is measured, not scrypt), and a telnet caller that
// answers like SyncTERM and waits for a text.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../tests/harness.js';
import { answerLikeSyncterm } from './syncterm-answers.js';


export const BENCH_USER = 'bench';

const AUTO_LOGIN = `import type { Session } from '@carrier/engine';
// Benchmarks only: every caller is the bench user, straight to the main menu.
export default async function matrix(s: Session): Promise<unknown> {
  const user = await s.store.users.findByHandle('${BENCH_USER}');
  if (!user) throw new Error('no bench user');
  await s.login(user);
  return s.goto('main');
}
`;

const ANONYMOUS = `import type { Session } from '@carrier/engine';
// Benchmarks only: straight to the main menu as a guest, with no login bookkeeping.
export default async function matrix(s: Session): Promise<unknown> {
  return s.goto('main');
}
`;

/** Scripts and menus for a bench board: the shipped ones, auto-login, plus `scripts` and main-menu `items`. */
export function benchBoardDirs(
  scripts: Record<string, string> = {},
  items: string[] = [],
  opts: { anonymous?: boolean } = {},
): { dir: string; scriptsDir: string; menusDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'carrier-bench-workshop-'));
  const scriptsDir = join(dir, 'scripts');
  const menusDir = join(dir, 'menus');
  cpSync(join(repoRoot, 'scripts'), scriptsDir, { recursive: true });
  cpSync(join(repoRoot, 'config', 'menus'), menusDir, { recursive: true });
  writeFileSync(join(scriptsDir, 'matrix.ts'), opts.anonymous ? ANONYMOUS : AUTO_LOGIN);
  for (const [name, source] of Object.entries(scripts)) writeFileSync(join(scriptsDir, `${name}.ts`), source);
  if (items.length > 0) {
    const main = join(menusDir, 'main.yaml');
    writeFileSync(main, `${readFileSync(main, 'utf8').trimEnd()}\n${items.join('\n')}\n`);
  }
  return { dir, scriptsDir, menusDir };
}

/** Caps opened wide: every bench caller comes from loopback at once. */
export const BENCH_LIMITS = 'limits: { maxConnections: 5000, maxPerIp: 5000, maxPerSubnet: 5000, startups: { start: 5000, rate: 0, full: 5000 } }';

export interface BenchCaller {
  socket: net.Socket;
  /** ms from connect until `text` was first seen */
  ms: number;
  received: () => string;
}

/** Connect, negotiate like SyncTERM (CP437, 80x25), resolve once `text` arrives. */
export function callUntil(port: number, text: string, timeoutMs = 60_000): Promise<BenchCaller> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = net.connect({ port, host: '127.0.0.1' });
    let seen = '';
    let done = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no ${JSON.stringify(text)} within ${timeoutMs} ms; got ${JSON.stringify(seen.slice(-200))}`));
    }, timeoutMs);
    socket.on('error', (err) => {
      clearTimeout(timer);
      if (!done) reject(err);
    });
    socket.on('data', (d: Buffer) => {
      const chunk = answerLikeSyncterm(socket, d);
      // Keep a bounded tail: long runs only need to find the text.
      seen = (seen + chunk).slice(-4096);
      if (!done && seen.includes(text)) {
        done = true;
        clearTimeout(timer);
        resolve({ socket, ms: performance.now() - t0, received: () => seen });
      }
    });
  });
}

/** After `callUntil`: send keys and wait for `text` in what arrives next. */
export function sendUntil(caller: BenchCaller, keys: string, text: string, timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let seen = '';
    const onData = (d: Buffer) => {
      seen = (seen + d.toString('latin1')).slice(-4096);
      if (seen.includes(text)) {
        clearTimeout(timer);
        caller.socket.off('data', onData);
        resolve(performance.now() - t0);
      }
    };
    const timer = setTimeout(() => {
      caller.socket.off('data', onData);
      reject(new Error(`no ${JSON.stringify(text)} within ${timeoutMs} ms`));
    }, timeoutMs);
    caller.socket.on('data', onData);
    caller.socket.write(keys);
  });
}
