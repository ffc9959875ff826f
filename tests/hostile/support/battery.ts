// The hostile-input battery's board: a real carrier with every front end on, short
// deadlines so each attack's outcome comes quickly, and a check that wraps every attack
// in the four things issue 6 asks of it: the attack is handled or closed within its
// deadline, the server's memory stays bounded, a well-behaved caller connected at the
// same time still logs in and sees its echo, and nothing in the store is lost.
// CARRIER_BATTERY_REPORT=1 prints each attack's memory peak and duration.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { repoRoot, startCarrier, type Carrier } from '../../harness.js';
import { within } from './attacker.js';
import { connectCaller, type Account, type Protocol } from './callers.js';
import { memoryOf, MiB, resetPeak } from './memory.js';

/**
 * Deadlines short enough that waiting them out is cheap, long enough for a loaded CI box:
 * a silent telnet client is let through after 500 ms, an rlogin handshake gets 2 s, an ssh
 * caller 3 s to authenticate, and nobody gets more than 5 s at `login:`.
 */
export const DEADLINES = {
  negotiationMs: 500,
  rloginHandshakeMs: 2000,
  sshGraceMs: 3000,
  loginMs: 5000,
  idleMs: 10_000,
} as const;

/** Slack on top of a configured deadline: timers, a loaded machine, the close reaching us. */
export const SLACK_MS = 3000;

/**
 * What one attack may add to the server's peak resident memory. Node grows its heap in
 * steps and keeps garbage until it needs the room, so noise reaches a few tens of MiB; an
 * unbounded buffer fed the battery's 10 MiB inputs shows up as several times that
 * (telnetlib3: 20 MiB unterminated SB -> +170 MB).
 */
export const PEAK_GROWTH_BYTES = 64 * MiB;

type Json = string | number | boolean | readonly Json[] | { readonly [k: string]: Json };

const BASE_CONFIG = {
  host: '127.0.0.1',
  telnet: { port: 0, negotiationTimeout: `${DEADLINES.negotiationMs}ms` },
  ssh: { port: 0, graceTime: `${DEADLINES.sshGraceMs}ms` },
  rlogin: { port: 0, handshakeTimeout: `${DEADLINES.rloginHandshakeMs}ms` },
  web: { port: 'off' },
  // Room for the battery's own connections: caps are item 16's subject, not the others'.
  // Key rate lifted: item 14 makes the board draw output faster than a caller reads it,
  // by asking for the menu thousands of times a second (the rate cap has its own test).
  limits: { maxConnections: 5000, maxPerIp: 200, maxPerSubnet: 5000, startups: { start: 2000, rate: 30, full: 4000 }, keysPerSecond: 100000, keyBurst: 100000 },
  // Penalties would ban an attacker address mid-item and change what the item observes;
  // the cheapest scrypt keeps the battery's many logins fast.
  security: { penalties: { enabled: false }, scrypt: { N: 1024 } },
  session: { loginTimeout: `${DEADLINES.loginMs}ms`, idleTimeout: `${DEADLINES.idleMs}ms` },
  paths: { scripts: join(repoRoot, 'scripts'), art: join(repoRoot, 'art'), menus: join(repoRoot, 'config', 'menus') },
  log: { level: 'debug', file: false },
} satisfies Json;

/** The accounts every battery board starts with; the store check logs each of them in. */
export const ACCOUNTS: readonly Account[] = [
  { handle: 'alice', password: 'wonderland-7' },
  { handle: 'bob', password: 'builder-42x' },
  { handle: 'carol', password: 'carol-s3cret' },
  { handle: 'mallory', password: 'mallory-99x' },
];

export type LogLine = Record<string, unknown>;

export interface SurviveOptions {
  /** the attack must settle (its own assertions included) within this */
  deadlineMs: number;
  /** the front end the well-behaved caller uses; default telnet */
  caller?: Protocol;
  /** a tighter bound than PEAK_GROWTH_BYTES, where the attack's size makes one meaningful */
  maxGrowthBytes?: number;
}

export interface Battery {
  board: Carrier;
  ports: Partial<Record<Protocol, number>>;
  /** A fresh attacker source address: 127.0.0.2, .3, … (or in another /24 with `net`). */
  attacker(net?: number): string;
  /** Log lines about one remote address, in order. */
  logsFrom(remote: string): LogLine[];
  /** Wait for a log line. */
  waitForLog(match: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Run `attack` while a caller logs in, and assert the four properties. */
  survives(what: string, opts: SurviveOptions, attack: () => Promise<void>): Promise<void>;
  /** Every account still logs in, and the server process is the one that started. */
  assertStoreIntact(): Promise<void>;
  stop(): Promise<void>;
}

function merge(base: Json, over: Json): Json {
  if (typeof base !== 'object' || typeof over !== 'object' || Array.isArray(base) || Array.isArray(over)) return over;
  const out: Record<string, Json> = { ...(base as Record<string, Json>) };
  for (const [k, v] of Object.entries(over as Record<string, Json>)) out[k] = k in out ? merge(out[k]!, v) : v;
  return out;
}

export async function startBattery(overrides: { [k: string]: Json } = {}): Promise<Battery> {
  // JSON is YAML: the harness's own config would repeat keys we need to set (telnet,
  // ssh), so the battery hands carrier a whole config of its own through CARRIER_CONFIG.
  const configDir = mkdtempSync(join(tmpdir(), 'carrier-hostile-'));
  const configFile = join(configDir, 'carrier.yaml');
  writeFileSync(configFile, JSON.stringify(merge(BASE_CONFIG, overrides), null, 2));
  const board = await startCarrier({ ssh: true, rlogin: true, env: { CARRIER_CONFIG: configFile } });
  const pid = board.process.pid!;
  try {
    await Promise.all(ACCOUNTS.map((a) => board.addUser(a.handle, a.password)));
  } catch (err) {
    await board.stop();
    rmSync(configDir, { recursive: true, force: true });
    throw err;
  }

  const counters = new Map<number, number>();
  let turn = 0;
  const ports = board.ports;

  const errorsSince = (mark: number): LogLine[] => board.logs.slice(mark).filter((l) => l['level'] === 'error');

  const battery: Battery = {
    board,
    ports,
    attacker(net = 0) {
      const n = (counters.get(net) ?? 1) + 1;
      if (n > 254) throw new Error(`attacker addresses in 127.0.${net}.0/24 used up`);
      counters.set(net, n);
      return `127.0.${net}.${n}`;
    },
    logsFrom: (remote) => board.logs.filter((l) => l['remote'] === remote),
    waitForLog: (match, timeoutMs = 10_000) => board.waitForLog(match, timeoutMs),

    async survives(what, opts, attack) {
      const account = ACCOUNTS[turn++ % ACCOUNTS.length]!;
      const mark = board.logs.length;
      const before = memoryOf(pid);
      const peakReset = resetPeak(pid);
      const started = Date.now();
      const caller = await connectCaller(opts.caller ?? 'telnet', ports);
      try {
        const attacked = within(opts.deadlineMs, what, attack());
        // The caller logs in while the attack is under way, uses the menu every few seconds
        // while it lasts (an attack can outlast the idle deadline on a loaded machine, and a
        // caller idle that long is rightly hung up), then checks again after it.
        const settled = attacked.then(
          () => undefined,
          () => undefined,
        );
        let over = false;
        void settled.then(() => (over = true));
        const using = (async () => {
          await caller.login(account);
          while (!over) {
            await Promise.race([settled, sleep(DEADLINES.idleMs / 4)]);
            if (!over) await caller.stillWorks();
          }
        })();
        await Promise.all([attacked, using]);
        await caller.stillWorks();
      } catch (err) {
        // What the board said meanwhile about calls ending: the first thing to read when
        // the well-behaved caller is the one that failed.
        const ends = board.logs.slice(mark).filter((l) => l['level'] !== 'debug' && /end|close|overflow|hangup|kick/.test(String(l['event'])));
        if (err instanceof Error) err.message += `\n${what}: board log since the attack began:\n${ends.slice(-40).map((l) => JSON.stringify(l)).join('\n')}`;
        throw err;
      } finally {
        caller.close();
      }
      const after = memoryOf(pid);
      // Without a reset the peak is the process's own: it tells about this attack only if it moved.
      const grew = (peakReset || after.peak > before.peak ? after.peak : after.rss) - before.rss;
      if (process.env['CARRIER_BATTERY_REPORT']) {
        console.log(`# ${what}: peak +${(grew / MiB).toFixed(1)} MiB over ${(before.rss / MiB).toFixed(1)} MiB, ${Date.now() - started} ms`);
      }
      assert.ok(
        grew <= (opts.maxGrowthBytes ?? PEAK_GROWTH_BYTES),
        `${what}: the server's peak memory grew by ${(grew / MiB).toFixed(1)} MiB (from ${(before.rss / MiB).toFixed(1)} MiB)`,
      );
      assert.equal(board.process.exitCode, null, `${what}: the server exited`);
      // An exception that reached a handler (telnet.crash, session.failed, an unhandled
      // rejection) is logged at error level: none may come from hostile input.
      assert.deepEqual(errorsSince(mark), [], `${what}: the server logged errors`);
    },

    async assertStoreIntact() {
      assert.equal(board.process.exitCode, null, 'the server exited during the battery');
      // One at a time: a board configured with tight caps (item 16) counts 127.0.0.1 too.
      for (const a of ACCOUNTS) {
        const c = await connectCaller('telnet', ports);
        try {
          await c.login(a);
        } finally {
          c.close();
        }
      }
    },

    async stop() {
      await board.stop();
      rmSync(configDir, { recursive: true, force: true });
    },
  };
  return battery;
}
