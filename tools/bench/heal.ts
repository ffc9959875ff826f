// Presence heal after kill -9, and each carrier process's Redis traffic (issue 18; run
// through tools/bench/scaling.ts heal, which passes its board helpers in).
//
// Node A (one process) has a watcher in the chat lobby; each run starts node B, logs
// `--callers` callers in on B and takes them to the lobby, lets the board settle, then
// kills B with SIGKILL and times, from the kill:
//   - B's `alive` key gone (Redis's view: the TTL ran out), polled every 10 ms;
//   - B gone from the process index (A or no one reaped it: ZREM), polled every 10 ms;
//   - the watcher on A has read "hung up" for every one of B's callers (what a caller sees).
// Before the first kill it records `--window` seconds of MONITOR and counts, per carrier
// process, the commands that name the board's keys or channel (from the client's own
// address, not the commands a script runs inside Redis).
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { TelnetClient } from '@carrier/client';
import { closeAll, loginCaller, pool, sleep } from './load/callers.js';
import { enterChat } from './load/scenarios/chat.js';
import type { Board } from './scaling.js';

interface Deps {
  prepare(): Promise<{ schema: string; prefix: string; cleanup(): Promise<void> }>;
  startBoard(schema: string, prefix: string, workers: number): Promise<Board>;
  arg(name: string, def: string): string;
  num(name: string, def: number): number;
  users: number;
  redisUrl: string;
}

const HUNG_UP = / hung up/g;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A long-running redis-cli (line-buffered), each output line stamped when it arrived. */
function redisCli(url: string, args: string[]): { lines: Array<{ at: number; text: string }>; stop(): Promise<void> } {
  const child = spawn('stdbuf', ['-oL', 'redis-cli', '-u', url, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  const lines: Array<{ at: number; text: string }> = [];
  createInterface({ input: child.stdout }).on('line', (text) => lines.push({ at: performance.now(), text }));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    lines,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** carrier's client name for each connection address (RedisBus names its connections `carrier <processId>`). */
function clientNames(url: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of spawnSync('redis-cli', ['-u', url, 'client', 'list'], { encoding: 'utf8' }).stdout.split('\n')) {
    const addr = / addr=(\S+)/.exec(line)?.[1];
    const name = / name=(\S+)/.exec(line)?.[1];
    if (addr && name?.startsWith('carrier_')) out.set(addr, name.slice('carrier_'.length));
  }
  return out;
}

/** Commands per second per carrier process over `seconds`, by command name. */
async function traffic(url: string, prefix: string, seconds: number): Promise<Map<string, Map<string, number>>> {
  const names = clientNames(url);
  const monitor = redisCli(url, ['monitor']);
  await sleep(seconds * 1000);
  await monitor.stop();
  const perProcess = new Map<string, Map<string, number>>();
  for (const { text } of monitor.lines) {
    const m = /^\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(text);
    if (!m || m[1] === 'lua' || !text.includes(prefix)) continue;
    const who = names.get(m[1]!) ?? m[1]!;
    const counts = perProcess.get(who) ?? new Map<string, number>();
    counts.set(m[2]!.toUpperCase(), (counts.get(m[2]!.toUpperCase()) ?? 0) + 1 / seconds);
    perProcess.set(who, counts);
  }
  return perProcess;
}

export async function healBench(deps: Deps): Promise<void> {
  const callers = deps.num('callers', 200);
  const runs = deps.num('runs', 3);
  const windowS = deps.num('window', 10);
  const env = await deps.prepare();
  const a = await deps.startBoard(env.schema, env.prefix, 1);
  let watcher: TelnetClient | undefined;
  let hungUp = 0;
  let allSeenAt = 0;
  const results: Array<{ expired: number; reaped: number; seen: number }> = [];
  try {
    watcher = await loginCaller(a.port, callers + 1, deps.users);
    await enterChat(watcher);
    let tail = '';
    watcher.on('data', (bytes: Buffer) => {
      const text = tail + bytes.toString('latin1');
      for (const m of text.matchAll(HUNG_UP)) if (m.index! + m[0].length > tail.length) hungUp++;
      if (hungUp >= callers && allSeenAt === 0) allSeenAt = performance.now();
      tail = text.slice(-16);
    });
    for (let run = 0; run < runs; run++) {
      const b = await deps.startBoard(env.schema, env.prefix, 1);
      const members: TelnetClient[] = [];
      try {
        const opened = await pool(callers, 50, async (i) => {
          const c = await loginCaller(b.port, i, deps.users);
          await enterChat(c);
          return c;
        });
        for (const r of opened) if (r.ok) members.push(r.value);
        await sleep(5_000);
        const bPid = b.pids()[0]!;
        const bId = [...clientNames(deps.redisUrl).values()].find((id) => id.includes(`:${bPid}:`));
        if (!bId) throw new Error(`no Redis connection named for process ${bPid}`);
        if (run === 0) {
          const t = await traffic(deps.redisUrl, env.prefix, windowS);
          console.log(`Redis commands per second naming the board's keys (${windowS} s of MONITOR, ${members.length} callers on B, 1 on A, all idle in chat):`);
          for (const [who, counts] of t) {
            const total = [...counts.values()].reduce((x, y) => x + y, 0);
            const parts = [...counts].sort((x, y) => y[1] - x[1]).map(([cmd, n]) => `${cmd} ${n.toFixed(1)}`);
            console.log(`  ${who === bId ? 'B' : 'A'} (${who}): ${total.toFixed(1)}/s: ${parts.join(', ')}`);
          }
        }
        const alive = redisCli(deps.redisUrl, ['-r', '-1', '-i', '0.01', 'exists', `${env.prefix}alive:${bId}`]);
        const indexed = redisCli(deps.redisUrl, ['-r', '-1', '-i', '0.01', 'zscore', `${env.prefix}processes`, bId]);
        await sleep(300);
        hungUp = 0;
        allSeenAt = 0;
        const killedAt = performance.now();
        process.kill(bPid, 'SIGKILL');
        const deadline = killedAt + 20_000;
        while (allSeenAt === 0 && performance.now() < deadline) await sleep(20);
        await sleep(200);
        await Promise.all([alive.stop(), indexed.stop()]);
        const after = (lines: Array<{ at: number; text: string }>, gone: (t: string) => boolean): number =>
          (lines.find((l) => l.at > killedAt && gone(l.text.trim()))?.at ?? NaN) - killedAt;
        const r = {
          expired: after(alive.lines, (t) => t === '0'),
          reaped: after(indexed.lines, (t) => t === ''),
          seen: allSeenAt === 0 ? NaN : allSeenAt - killedAt,
        };
        results.push(r);
        console.log(
          `run ${run + 1}: kill -9 of B with ${members.length} callers -> alive key gone ${r.expired.toFixed(0)} ms, reaped ${r.reaped.toFixed(0)} ms, ` +
            `all ${callers} "hung up" on A's watcher ${r.seen.toFixed(0)} ms (saw ${hungUp})`,
        );
      } finally {
        await closeAll(members);
        await b.stop();
      }
      await sleep(1_000);
    }
    const med = (k: 'expired' | 'reaped' | 'seen'): string => median(results.map((r) => r[k])).toFixed(0);
    console.log(`medians of ${results.length}: alive key gone ${med('expired')} ms, reaped ${med('reaped')} ms, A's watcher saw every hang-up ${med('seen')} ms`);
  } finally {
    if (watcher) await closeAll([watcher]);
    await a.stop();
    await env.cleanup();
  }
}
