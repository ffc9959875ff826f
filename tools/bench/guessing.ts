// Benchmark: password guessing. One address tries 100 wrong passwords a second over
// telnet (as many connections as the per-address cap allows, each typing its guesses
// ahead as a bot does). Reports how long until the address is banned and how many
// guesses it got in, and real callers' connect -> main menu times before and during.
//   npx tsc -b packages/server
//   node --conditions=carrier-src --import tsx tools/bench/guessing.ts [--rate 100] [--callers 20] [--seconds 30]
// Starts its own carrier from the build (default config, temp data dir, port 0).
// Loopback only; the attack stops at the ban or after --seconds, whichever is first.
import net from 'node:net';
import { startCarrier } from '../../tests/harness.js';
import { percentile, sleep } from './stats.js';
import { realCaller } from './telnet-caller.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}
const RATE = arg('rate', 100);
const CALLERS = arg('callers', 20);
const SECONDS = arg('seconds', 30);
/** The default per-address cap: the attacker uses every slot it is given. */
const WORKERS = 8;
/** session.maxLoginTries: the board hangs up after this many wrong passwords. */
const GUESSES_PER_CALL = 3;
const ATTACKER = '127.0.60.1';
const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a');

interface Attack {
  guesses: number;
  /** wall clock of the first guess typed */
  firstGuessAt: number | undefined;
  answered: number;
  bannedAfterMs: number | undefined;
  refusedConnects: number;
}

/** A token bucket shared by the workers: RATE guesses a second, no more. */
function bucket(rate: number): () => Promise<void> {
  let next = performance.now();
  return async () => {
    const now = performance.now();
    const at = Math.max(now, next);
    next = at + 1000 / rate;
    if (at > now) await sleep(at - now);
  };
}

function worker(port: number, stats: Attack, t0: number, stopAt: number, take: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: ATTACKER });
    let seen = '';
    let bytes = 0;
    s.on('error', () => undefined);
    s.on('close', () => {
      if (bytes === 0) {
        // Closed before a single byte: refused at accept, which is what a ban looks like.
        stats.refusedConnects++;
        stats.bannedAfterMs ??= performance.now() - t0;
      }
      resolve();
    });
    // A bot does not wait for answers: it types every guess the call allows ahead.
    const guesses = async () => {
      for (let i = 0; i < GUESSES_PER_CALL; i++) {
        if (performance.now() > stopAt || stats.bannedAfterMs !== undefined || s.destroyed) return void s.destroy();
        await take();
        stats.guesses++;
        stats.firstGuessAt ??= Date.now();
        s.write(`alice\rguess-${stats.guesses}\r`);
      }
    };
    let started = false;
    s.on('data', (d: Buffer) => {
      bytes += d.length;
      seen += d.toString('latin1');
      if (seen.includes('Login incorrect')) {
        stats.answered++;
        seen = '';
      }
      if (!started && seen.includes('login:')) {
        started = true;
        void guesses();
      }
    });
  });
}

const board = await startCarrier({ logLevel: 'info', dist: true });
try {
  await board.addUser('alice', 'her-real-passphrase');
  await board.addUser('caller', 'a-good-password');
  const port = board.ports.telnet!;
  const callers = async (base: number) => {
    const times: number[] = [];
    for (let i = 0; i < CALLERS; i++) {
      const r = await realCaller(port, { handle: 'caller', password: 'a-good-password', localAddress: `127.1.${base}.${1 + i}` });
      if (r.menuMs !== undefined) times.push(r.menuMs);
    }
    return times;
  };
  await callers(0); // warm the script cache
  const baseline = await callers(1);

  const stats: Attack = { guesses: 0, firstGuessAt: undefined, answered: 0, bannedAfterMs: undefined, refusedConnects: 0 };
  const t0 = performance.now();
  const stopAt = t0 + SECONDS * 1000;
  const take = bucket(RATE);
  const attack = (async () => {
    // Each worker reconnects as soon as its call ends, until the ban or the time is up.
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (performance.now() < stopAt && stats.bannedAfterMs === undefined) await worker(port, stats, t0, stopAt, take);
      }),
    );
  })();
  const during = await callers(2);
  await attack;
  const ban = board.logs.find((l) => l['event'] === 'security.ban' && l['target'] === ATTACKER);

  console.log(`attacker ${ATTACKER}: ${RATE} guesses/s offered over ${WORKERS} connections`);
  const banMs = ban && stats.firstGuessAt !== undefined ? Date.parse(String(ban['t'])) - stats.firstGuessAt : undefined;
  console.log(`  ban written ${banMs === undefined ? 'never (within the run)' : `${banMs} ms after the first guess`} (${ban ? `${String(ban['source'])}, expires ${String(ban['expiresAt'])}` : 'no ban line'})`);
  console.log(`  first connect refused at accept ${stats.bannedAfterMs === undefined ? 'never' : `${(stats.bannedAfterMs / 1000).toFixed(2)} s after the attack began`} (a silent telnet client waits out the 1.5 s negotiation before its first login:)`);
  console.log(`  guesses sent ${stats.guesses}, answered "Login incorrect" ${stats.answered}, connects refused after the ban ${stats.refusedConnects}`);
  console.log(`real callers (${CALLERS} each, sequential, other addresses), connect -> menu:`);
  console.log(`  before the attack: p50 ${ms(percentile(baseline, 50))} p99 ${ms(percentile(baseline, 99))} (${baseline.length}/${CALLERS} in)`);
  console.log(`  during the attack: p50 ${ms(percentile(during, 50))} p99 ${ms(percentile(during, 99))} (${during.length}/${CALLERS} in)`);
} finally {
  await board.stop();
}
