// Benchmark: doors. (1) Key-to-echo latency through a door: a caller types one key at a
// time into tests/fixtures/doors/echo-door.mjs --echo-raw and times each echo (telnet
// loopback, the whole path: carrier's telnet front end, the session, the PTY, the door,
// and back). (2) A door writing 50 MiB to a caller who reads at 5 MiB/s: carrier's RSS
// sampled every 250 ms must stay flat (the PTY is paused while the transport is full).
//   node --conditions=carrier-src --import tsx tools/bench/doors.ts [--keys 1000] [--mib 50] [--rate 5]
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@carrier/client';
import { repoRoot, startCarrier } from '../../tests/harness.js';
import { percentile, rssOf, sleep } from './stats.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}
const KEYS = arg('keys', 1000);
const MIB = arg('mib', 50);
const RATE = arg('rate', 5);
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

const door = join(repoRoot, 'tests/fixtures/doors/echo-door.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'carrier-bench-doors-'));
const doorsFile = join(tmp, 'doors.yaml');
writeFileSync(
  doorsFile,
  [
    'doors:',
    `  - { name: echo, description: Echo, command: [${process.execPath}, ${door}, --echo-raw], encoding: cp437, level: 10 }`,
    `  - { name: flood, description: Flood, command: [${process.execPath}, ${door}, --flood, "${MIB * 1024 * 1024}"], encoding: cp437, level: 10, timeLimit: 10m }`,
    '',
  ].join('\n'),
);
const board = await startCarrier({ logLevel: 'info', yaml: `doors: { file: ${JSON.stringify(doorsFile)} }` });
try {
  await board.addUser('bencher', 'bench-password-1');

  // (1) key-to-echo
  const c = await connect({ port: board.ports.telnet!, terminalType: 'ansi', encoding: 'cp437' });
  await c.readUntil('login:', { timeout: 30_000 });
  c.writeLine('bencher');
  await c.readUntil('password:');
  c.writeLine('bench-password-1');
  await c.readUntil('Command:', { timeout: 30_000 });
  c.write('d');
  await c.readUntil('Door (Enter');
  c.write('1');
  await c.readUntil('size ', { timeout: 30_000 });
  await sleep(300);
  c.readAvailable();
  const times: number[] = [];
  for (let i = 0; i < KEYS; i++) {
    const ch = String.fromCharCode(0x61 + (i % 26));
    const t0 = performance.now();
    c.write(ch);
    await c.readUntil(ch, { timeout: 10_000 });
    times.push(performance.now() - t0);
  }
  c.write('\x11');
  await c.readUntil('Door (Enter', { timeout: 10_000 });
  await c.close();
  const f = (v: number) => `${v.toFixed(2)} ms`;
  console.log(`key-to-echo through a door, ${KEYS} keys: p50 ${f(percentile(times, 50))}, p99 ${f(percentile(times, 99))}, max ${f(Math.max(...times))}`);

  // (2) a slow reader: raw telnet, answers no option, reads at RATE MiB/s.
  const pid = board.process.pid!;
  const s = net.connect({ port: board.ports.telnet!, host: '127.0.0.1' });
  let tail = '';
  let total = 0;
  let waiter: { pattern: string; resolve: () => void } | undefined;
  let t0 = performance.now();
  let reading = false;
  s.on('data', (d: Buffer) => {
    total += d.length;
    tail = (tail + d.toString('latin1')).slice(-200);
    if (waiter && tail.includes(waiter.pattern)) {
      const w = waiter;
      waiter = undefined;
      w.resolve();
    }
    if (reading) {
      const allowed = ((performance.now() - t0) / 1000) * RATE * 1024 * 1024;
      if (total > allowed) {
        s.pause();
        setTimeout(() => s.resume(), Math.min(1000, ((total - allowed) / (RATE * 1024 * 1024)) * 1000));
      }
    }
  });
  const wait = (pattern: string) =>
    new Promise<void>((resolve) => {
      if (tail.includes(pattern)) return resolve();
      waiter = { pattern, resolve };
    });
  await wait('login:');
  s.write('bencher\r\n');
  await wait('password:');
  s.write('bench-password-1\r\n');
  await wait('Command:');
  s.write('d');
  await wait('Door (Enter');
  const rss0 = await rssOf(pid);
  const samples: number[] = [];
  const sampler = setInterval(() => void rssOf(pid).then((r) => samples.push(r)), 250);
  const start = performance.now();
  total = 0;
  t0 = performance.now();
  reading = true;
  s.write('2');
  await wait('flood done');
  const secs = (performance.now() - start) / 1000;
  clearInterval(sampler);
  s.write('q');
  await wait('Door (Enter');
  s.destroy();
  const exit = await board.waitForLog((l) => l['event'] === 'door.exit' && l['door'] === 'flood', 10_000).catch(() => undefined);
  console.log(
    `${MIB} MiB from a door to a caller reading ${RATE} MiB/s: ${mib(total)} in ${secs.toFixed(1)} s; carrier RSS before ${mib(rss0)}, ` +
      `max ${mib(Math.max(...samples))}, median ${mib(percentile(samples, 50))}; first second max ${mib(Math.max(...samples.slice(0, 4)))}, ` +
      `last half ${mib(Math.min(...samples.slice(samples.length >> 1)))}-${mib(Math.max(...samples.slice(samples.length >> 1)))} (${samples.length} samples); PTY paused ${String(exit?.['pauses'] ?? '?')} times`,
  );
} finally {
  await board.stop();
}
