// Benchmark: time from TCP connect to `login:`.
//   node --conditions=carrier-src --import tsx tools/bench/connect-latency.ts [--n 200] [--silent-n 5]
// Starts its own carrier (temp data dir, port 0) and measures:
//  - a well-behaved client that answers TTYPE, NAWS and cursor-position probes (p50, p99);
//  - a client that answers nothing (waits for the negotiation deadline);
//  - the server's idle RSS with no callers.
import net from 'node:net';
import { startCarrier } from '../../tests/harness.js';
import { percentile, rssOf, sleep } from './stats.js';
import { answerLikeSyncterm } from './syncterm-answers.js';


function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

/** Connect -> `login:` in ms; `answer` decides whether the caller answers negotiation. */
function timeToLogin(port: number, answer: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = net.connect({ port, host: '127.0.0.1' });
    let seen = '';
    s.on('error', reject);
    s.on('data', (d: Buffer) => {
      seen += answer ? answerLikeSyncterm(s, d) : d.toString('latin1');
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
  await timeToLogin(board.ports.telnet!, true); // warm the script cache
  await sleep(500);
  const idleRss = await rssOf(board.process.pid!);
  const polite: number[] = [];
  for (let i = 0; i < n; i++) polite.push(await timeToLogin(board.ports.telnet!, true));
  const silent: number[] = [];
  for (let i = 0; i < silentN; i++) silent.push(await timeToLogin(board.ports.telnet!, false));
  const fmt = (v: number) => `${v.toFixed(1)} ms`;
  console.log(`answering client, ${n} sequential connects: p50 ${fmt(percentile(polite, 50))}, p99 ${fmt(percentile(polite, 99))}, max ${fmt(Math.max(...polite))}`);
  console.log(`silent client, ${silentN} connects: p50 ${fmt(percentile(silent, 50))}, max ${fmt(Math.max(...silent))}`);
  console.log(`idle server RSS: ${(idleRss / 1024 / 1024).toFixed(1)} MiB`);
} finally {
  await board.stop();
}
