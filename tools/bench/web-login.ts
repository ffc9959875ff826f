// Benchmark: click to `login:` in headless Chromium, and memory per WebSocket caller.
//   node --conditions=carrier-src --import tsx tools/bench/web-login.ts [--n 50] [--callers 2000] [--at menu|login]
// Starts its own carrier (temp data dir, port 0, caps lifted for one-machine load) and measures:
//  - page load -> `login:` drawn by xterm.js, in a fresh tab each time (p50, p99 over n);
//  - the server's RSS with `callers` raw WebSocket callers logged in at the main menu (or
//    sitting at `login:` with --at login), then as many telnet callers the same way.
//    The accounts' password hashes are cheap (scrypt N 1024): only the logins' CPU changes.
import { loadavg } from 'node:os';
import { startCarrier, type Carrier } from '../../tests/harness.js';
import { RawTelnet } from '../../tests/raw-telnet.js';
import { WebCaller } from '../../tests/web-caller.js';
import { launchBrowser, waitScreen } from '../../tests/web-browser.js';
import { percentile, rssOf, sleep } from './stats.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const n = arg('n', 50);
const callers = arg('callers', 2000);
const atIndex = process.argv.indexOf('--at');
const atMenu = (atIndex > 0 ? process.argv[atIndex + 1] : 'menu') !== 'login';
const ACCOUNTS = 20;
const PASSWORD = 'web-bench-pw-1';
/** A board of its own per figure: RSS a process once grew to does not come back, so a second figure on the same board reads low. */
async function benchBoard(): Promise<Carrier> {
  const b = await startCarrier({
    logLevel: 'info',
    yaml: [
      'limits: { maxConnections: 30000, maxPerIp: 10000, maxPerSubnet: 100000, startups: { start: 100000, rate: 0, full: 100000 } }',
      'security: { allowlist: [127.0.0.0/8], penalties: { enabled: false }, auditLog: false, scrypt: { N: 1024 } }',
      'session: { loginTimeout: 30m, idleTimeout: 2h }',
    ].join('\n'),
  });
  if (callers > 0 && atMenu) for (let i = 1; i <= ACCOUNTS; i++) await b.addUser(`web${i}`, PASSWORD);
  return b;
}
let board = await benchBoard();
const where = atMenu ? 'at the main menu' : 'at login:';
/** Log caller number `i` in (web1..web20 in turn) and wait for the main menu. */
async function logIn(c: { readUntil(p: string, o: { timeout: number; from?: number }): Promise<unknown>; text(): string }, send: (s: string) => void, i: number): Promise<void> {
  if (!atMenu) return;
  let from = c.text().length;
  send(`web${1 + (i % ACCOUNTS)}\r`);
  await c.readUntil('password:', { timeout: 120_000, from });
  from = c.text().length;
  send(`${PASSWORD}\r`);
  await c.readUntil('Command:', { timeout: 120_000, from });
}
const browser = await launchBrowser();
try {
  const url = `http://127.0.0.1:${board.ports.web}/`;
  // one warm-up load (the board's script cache, the browser's first process)
  const warm = await browser.context.newPage();
  await warm.goto(url);
  await waitScreen(warm, /login:/, 30_000);
  await warm.close();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const page = await browser.context.newPage();
    const t0 = performance.now();
    await page.goto(url);
    // Watched in the page by a MutationObserver (a 50 ms poll from here would add up to
    // 50 ms plus a round trip to each sample). A string: the page's CSP refuses eval, and
    // this file type-checks without the DOM library.
    await page.evaluate(
      `new Promise((resolve, reject) => {
        const seen = () => Array.from(document.querySelectorAll('.xterm-rows > div')).some((d) => (d.textContent || '').includes('login:'));
        if (seen()) return resolve(true);
        const o = new MutationObserver(() => { if (seen()) { o.disconnect(); resolve(true); } });
        o.observe(document.body, { subtree: true, childList: true, characterData: true });
        setTimeout(() => reject(new Error('no login: within 30 s')), 30000);
      })`,
    );
    times.push(performance.now() - t0);
    await page.close();
  }
  console.log(`click -> login: over ${n} loads: p50 ${percentile(times, 50).toFixed(0)} ms, p99 ${percentile(times, 99).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms (loadavg ${loadavg()[0]!.toFixed(2)})`);
  await browser.close();

  if (callers > 0) {
    // Each memory figure starts from a fresh board at rest (the page loads above grew this one).
    await board.stop();
    board = await benchBoard();
    await sleep(2000);
    const pid = board.process.pid!;
    const idle = await rssOf(pid);
    const open: WebCaller[] = [];
    for (let i = 0; i < callers; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, callers - i) }, (_, j) => WebCaller.connect({ port: board.ports.web!, localAddress: `127.0.${1 + Math.floor((i + j) / 250)}.${1 + ((i + j) % 250)}` })),
      );
      await Promise.all(batch.map((c) => c.readUntil('login:', { timeout: 120_000 })));
      await Promise.all(batch.map((c, j) => logIn(c, (t) => c.type(t), i + j)));
      open.push(...batch);
    }
    await sleep(3000);
    const loaded = await rssOf(pid);
    console.log(`${callers} websocket callers ${where}: RSS ${(idle / 2 ** 20).toFixed(0)} -> ${(loaded / 2 ** 20).toFixed(0)} MiB, ${((loaded - idle) / callers / 1024).toFixed(0)} KiB per caller`);
    for (const c of open) c.close();
    // the same number of telnet callers, on a fresh board, for the side-by-side figure
    await board.stop();
    board = await benchBoard();
    await sleep(2000);
    const pid2 = board.process.pid!;
    const idle2 = await rssOf(pid2);
    const tel: RawTelnet[] = [];
    for (let i = 0; i < callers; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, callers - i) }, (_, j) =>
          RawTelnet.connect({ port: board.ports.telnet!, terminalType: 'xterm-256color', size: { cols: 80, rows: 25 }, localAddress: `127.0.${1 + Math.floor((i + j) / 250)}.${1 + ((i + j) % 250)}` }),
        ),
      );
      await Promise.all(batch.map((c) => c.waitFor('login:', 120_000)));
      await Promise.all(
        batch.map((c, j) =>
          logIn({ readUntil: (p, o) => c.waitFor(p, o.timeout, o.from), text: () => c.text() }, (t) => c.send(t), i + j),
        ),
      );
      tel.push(...batch);
    }
    await sleep(3000);
    const loaded2 = await rssOf(pid2);
    console.log(`${callers} telnet callers ${where}: RSS ${(idle2 / 2 ** 20).toFixed(0)} -> ${(loaded2 / 2 ** 20).toFixed(0)} MiB, ${((loaded2 - idle2) / callers / 1024).toFixed(0)} KiB per caller`);
    for (const c of tel) c.close();
  }
} finally {
  await browser.close();
  await board.stop();
}
