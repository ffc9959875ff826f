// Benchmark: slowloris. 2,000 connections that send one byte every 10 s, while 50 real
// callers connect and log in. Reports the real callers' connect -> `login:` and
// connect -> main menu percentiles, refusals, and the server's RSS.
//   npx tsc -b packages/server; ulimit -n 8192
//   node --conditions=carrier-src --import tsx tools/bench/slowloris.ts
//     [--slow 2000] [--callers 50] [--seconds 40] [--retries 5] [--scenario botnet|network|both]
// Scenarios (each starts its own carrier from the build, port 0, temp data dir):
//  - botnet: every slow connection from its own address across many /24s, and admission
//    opened wide (caps and MaxStartups far above 2,000), so the server really holds all of
//    them: does the board stay quick for real callers, and what does it cost in memory?
//  - network: the same 2,000 from one /24 against the default caps: how many get in.
// Loopback only; every loop is bounded by a count and by --seconds.
import net from 'node:net';
import { startCarrier } from '../../tests/harness.js';
import { percentile, rssOf, sleep } from './stats.js';
import { realCaller, type CallerResult } from './telnet-caller.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? String(process.argv[i + 1]) : def;
}
const SLOW = Number(arg('slow', '2000'));
const CALLERS = Number(arg('callers', '50'));
const SECONDS = Number(arg('seconds', '40'));
const SCENARIO = arg('scenario', 'both');
const RETRIES = Number(arg('retries', '5'));
/** One byte every 10 s per connection (the issue's slowloris). */
const DRIP_MS = 10_000;
const TICK_MS = 100;
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a');

function slowAddress(i: number, oneNetwork: boolean): string {
  return oneNetwork ? `127.0.50.${1 + (i % 250)}` : `127.${20 + (i >> 16)}.${(i >> 8) & 255}.${1 + (i & 255) % 254}`;
}

async function openSlow(port: number, oneNetwork: boolean): Promise<{ sockets: net.Socket[]; refused: number }> {
  const sockets: net.Socket[] = [];
  let refused = 0;
  const batch = 100;
  for (let i = 0; i < SLOW; i += batch) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(batch, SLOW - i) }, (_, k) =>
        new Promise<net.Socket | undefined>((resolve) => {
          const s = net.connect({ port, host: '127.0.0.1', localAddress: slowAddress(i + k, oneNetwork) });
          let got = false;
          s.on('error', () => resolve(undefined));
          s.on('data', (d: Buffer) => {
            // An admitted telnet socket opens with IAC negotiation; a refusal is text.
            if (!got) resolve(d[0] === 0xff ? s : undefined);
            got = true;
          });
          s.on('close', () => resolve(undefined));
          setTimeout(() => resolve(got ? s : undefined), 5000);
        }),
      ),
    );
    for (const s of opened) {
      if (s) sockets.push(s);
      else refused++;
    }
  }
  return { sockets, refused };
}

async function scenario(name: 'botnet' | 'network'): Promise<void> {
  const yaml =
    name === 'botnet'
      ? `limits: { maxConnections: ${SLOW + CALLERS + 500}, maxPerIp: 64, maxPerSubnet: ${SLOW + 500}, startups: { start: ${SLOW + 200}, rate: 30, full: ${SLOW + 400} } }`
      : '';
  const board = await startCarrier({ logLevel: 'info', yaml, dist: true });
  try {
    await board.addUser('caller', 'a-good-password');
    const port = board.ports.telnet!;
    await realCaller(port, { handle: 'caller', password: 'a-good-password', localAddress: '127.1.0.1' }); // warm the script cache
    await sleep(500);
    const idleRss = await rssOf(board.process.pid!);
    const t0 = performance.now();
    const { sockets, refused } = await openSlow(port, name === 'network');
    const openMs = performance.now() - t0;
    let tick = 0;
    const drip = setInterval(() => {
      // Each socket gets its byte once per DRIP_MS, spread over the ticks.
      const slots = DRIP_MS / TICK_MS;
      for (let i = tick % slots; i < sockets.length; i += slots) sockets[i]!.write('a');
      tick++;
    }, TICK_MS);
    await sleep(2000);
    const heldRss = await rssOf(board.process.pid!);
    const results: CallerResult[] = [];
    let retries = 0;
    const deadline = performance.now() + SECONDS * 1000;
    // A refused human calls again a second later, up to RETRIES times; the last try counts.
    const persistentCaller = async (addr: string): Promise<CallerResult> => {
      for (let attempt = 0; ; attempt++) {
        const r = await realCaller(port, { handle: 'caller', password: 'a-good-password', localAddress: addr, timeoutMs: 30_000 });
        if (!r.refused || attempt >= RETRIES) return r;
        retries++;
        await sleep(1000);
      }
    };
    // Real callers arrive five at a time, like a busy evening, until all 50 have tried.
    for (let i = 0; i < CALLERS && performance.now() < deadline; i += 5) {
      const wave = Array.from({ length: Math.min(5, CALLERS - i) }, (_, k) => persistentCaller(`127.1.${i + k}.1`));
      results.push(...(await Promise.all(wave)));
    }
    const rest = deadline - performance.now();
    if (rest > 0) await sleep(Math.min(rest, 15_000)); // let every slow socket drip at least once more
    const endRss = await rssOf(board.process.pid!);
    clearInterval(drip);
    const stillOpen = sockets.filter((s) => !s.destroyed).length;
    for (const s of sockets) s.destroy();
    const prompt = results.flatMap((r) => (r.loginPromptMs === undefined ? [] : [r.loginPromptMs]));
    const menu = results.flatMap((r) => (r.menuMs === undefined ? [] : [r.menuMs]));
    const refusals = results.filter((r) => r.refused).map((r) => r.refused);
    console.log(`\n== ${name}: ${SLOW} slow connections (${name === 'network' ? 'one /24, default caps' : 'distinct addresses, caps raised'})`);
    console.log(`slow sockets admitted ${sockets.length}, refused ${refused}, still open at the end ${stillOpen}; opened in ${(openMs / 1000).toFixed(1)} s`);
    console.log(`real callers: ${results.length} tried, ${menu.length} reached the menu, ${refusals.length} gave up after ${RETRIES} retries; ${retries} refused tries were retried${refusals.length ? ` (${[...new Set(refusals)].map((r) => r?.trim()).join('; ')})` : ''}`);
    console.log(`  connect -> login:  p50 ${ms(percentile(prompt, 50))}  p99 ${ms(percentile(prompt, 99))}  max ${ms(Math.max(...prompt))}`);
    console.log(`  connect -> menu    p50 ${ms(percentile(menu, 50))}  p99 ${ms(percentile(menu, 99))}  max ${ms(Math.max(...menu))}`);
    console.log(`server RSS: idle ${mib(idleRss)}, holding the slow sockets ${mib(heldRss)}, at the end ${mib(endRss)}`);
  } finally {
    await board.stop();
  }
}

if (SCENARIO === 'botnet' || SCENARIO === 'both') await scenario('botnet');
if (SCENARIO === 'network' || SCENARIO === 'both') await scenario('network');
