// Benchmark: time from TCP connect to `login:`.
//   node --conditions=carrier-src --import tsx tools/bench/connect-latency.ts [--n 200] [--silent-n 5]
// Starts its own carrier (temp data dir, port 0) and measures:
//  - a well-behaved client that answers TTYPE, NAWS and cursor-position probes (p50, p99);
//  - a client that answers nothing (waits for the negotiation deadline);
//  - the server's idle RSS with no callers.
import net from 'node:net';
import { startCarrier } from '../../tests/harness.js';
import { percentile, rssOf, sleep } from './stats.js';

const IAC = 0xff, SB = 0xfa, SE = 0xf0, WILL = 0xfb, WONT = 0xfc, DO = 0xfd, DONT = 0xfe;
const TTYPE = 24, NAWS = 31;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

/** A client like SyncTERM: WILL TTYPE/NAWS, refuses the rest, answers CPR with 25;80. */
function politeConnect(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = net.connect({ port, host: '127.0.0.1' });
    let seen = '';
    s.on('error', reject);
    s.on('data', (d: Buffer) => {
      const out: number[] = [];
      for (let i = 0; i < d.length; i++) {
        if (d[i] !== IAC) continue;
        const cmd = d[i + 1], opt = d[i + 2];
        if (cmd === DO) out.push(IAC, opt === TTYPE || opt === NAWS ? WILL : WONT, opt!);
        if (cmd === DO && opt === NAWS) out.push(IAC, SB, NAWS, 0, 80, 0, 25, IAC, SE);
        if (cmd === WILL) out.push(IAC, opt === 1 || opt === 3 || opt === 0 ? DO : DONT, opt!);
        if (cmd === SB && opt === TTYPE) out.push(IAC, SB, TTYPE, 0, ...Buffer.from('syncterm'), IAC, SE);
      }
      if (out.length) s.write(Buffer.from(out));
      const text = d.toString('latin1');
      const cprs = text.split('\x1b[6n').length - 1;
      for (let k = 0; k < cprs; k++) s.write('\x1b[25;80R');
      seen += text;
      if (seen.includes('login:')) {
        resolve(performance.now() - t0);
        s.destroy();
      }
    });
  });
}

function silentConnect(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = net.connect({ port, host: '127.0.0.1' });
    let seen = '';
    s.on('error', reject);
    s.on('data', (d: Buffer) => {
      seen += d.toString('latin1');
      if (seen.includes('login:')) {
        resolve(performance.now() - t0);
        s.destroy();
      }
    });
  });
}

const n = arg('n', 200);
const silentN = arg('silent-n', 5);
const board = await startCarrier({ logLevel: 'info', dist: true });
try {
  await politeConnect(board.ports.telnet!); // warm the script cache
  await sleep(500);
  const idleRss = await rssOf(board.process.pid!);
  const polite: number[] = [];
  for (let i = 0; i < n; i++) polite.push(await politeConnect(board.ports.telnet!));
  const silent: number[] = [];
  for (let i = 0; i < silentN; i++) silent.push(await silentConnect(board.ports.telnet!));
  const fmt = (v: number) => `${v.toFixed(1)} ms`;
  console.log(`answering client, ${n} sequential connects: p50 ${fmt(percentile(polite, 50))}, p99 ${fmt(percentile(polite, 99))}, max ${fmt(Math.max(...polite))}`);
  console.log(`silent client, ${silentN} connects: p50 ${fmt(percentile(silent, 50))}, max ${fmt(Math.max(...silent))}`);
  console.log(`idle server RSS: ${(idleRss / 1024 / 1024).toFixed(1)} MiB`);
} finally {
  await board.stop();
}
