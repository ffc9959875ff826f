import { silentLogger } from '@carrier/core';
import { inspectBoard, type PresenceEntry, type ProcessInfo } from '@carrier/engine';
import { openStore } from '@carrier/store';
import { chooseBus, storeOptions } from './backends.js';
import type { CarrierConfig } from './config-schema.js';
import { dialBoard, notRunning } from './control/cli-verbs.js';
import { dataDirLockState } from './data-dir-lock.js';
import { DEAD_AFTER_MS } from './process-calls.js';
import { renderStatus } from './status-format.js';
import { checkDatabase, countBans, tally, type BoardStats, type StatusReport } from './status-report.js';

/** `carrier status` gives up on a running board's endpoint after this. */
const FETCH_TIMEOUT_MS = 5_000;

/**
 * `carrier status`. With the health endpoint on, it asks the running board (which alone
 * knows its pool use and bus lag). Without it, it reads what it can reach itself: the
 * database, the bans, and on a Redis bus who is on the board. Exit 0 when the board's
 * database and bus answer, 1 when either does not, and 1 when no board answers at all
 * (`no board is running at <dataDir>`, as the other one-shot verbs say).
 */
export async function statusCommand(cfg: CarrierConfig, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  if (cfg.health.port !== 'off') return fromEndpoint(cfg, out, err);
  return direct(cfg, out, err);
}

async function fromEndpoint(cfg: CarrierConfig, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  // A wildcard bind address is not somewhere to connect to; the board is on this host.
  const host = cfg.health.host === '0.0.0.0' ? '127.0.0.1' : cfg.health.host === '::' ? '::1' : cfg.health.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${cfg.health.port}/health`;
  let body: StatusReport & { status: string; problems: string[] };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = (await res.json()) as typeof body;
  } catch (e) {
    err(`carrier: status: cannot reach the board at ${url} (${e instanceof Error ? e.message : String(e)}); is it running?\n`);
    return 1;
  }
  out(renderStatus(body));
  for (const p of body.problems) out(`problem: ${p}`);
  return body.status === 'ok' ? 0 : 1;
}

async function direct(cfg: CarrierConfig, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  let db: BoardStats['db'] = { up: false, error: 'not checked' };
  let bans: number | null = null;
  let beating = false;
  try {
    const store = await openStore(storeOptions(cfg, silentLogger, { min: 0, max: 1 }));
    try {
      db = await checkDatabase(store);
      bans = await countBans(store);
      beating = db.up && (await beatingProcesses(store)) > 0;
    } finally {
      await store.close();
    }
  } catch (e) {
    db = { up: false, error: e instanceof Error ? e.message.slice(0, 200) : String(e) };
  }
  const bus = chooseBus(cfg);
  let entries: PresenceEntry[] = [];
  let processes: ProcessInfo[] = [];
  let busProblem: string | undefined;
  if (bus.kind === 'redis') {
    try {
      ({ entries, processes } = await inspectBoard({ url: bus.url, keyPrefix: bus.keyPrefix, log: silentLogger }));
    } catch (e) {
      busProblem = e instanceof Error ? e.message : String(e);
    }
  }
  out(renderStatus({ at: Date.now(), board: { ...tally(entries), processes, db, bans }, processes: [] }, { presenceKnown: bus.kind === 'redis' }));
  if (busProblem) out(`problem: ${busProblem}`);
  if (!busProblem && !(bus.kind === 'redis' ? processes.length > 0 : await runsWithoutRedis(cfg, beating))) {
    err(`carrier: status: ${notRunning(cfg)}\n`);
    return 1;
  }
  return db.up && !busProblem ? 0 : 1;
}

/**
 * Processes whose beat in the database (every 5 s, process-calls.ts) is recent by this
 * clock. Without Redis this is a board on this host (SQLite) or the one process of a
 * PostgreSQL board, so the clocks compared are normally one; the control channel is asked
 * as well, so a skewed clock can only make a board look absent when its channel is off.
 */
async function beatingProcesses(store: Awaited<ReturnType<typeof openStore>>): Promise<number> {
  const now = Date.now();
  return (await store.processes.list().catch(() => [])).filter((p) => now - p.seenAt < DEAD_AFTER_MS).length;
}

/**
 * Without Redis the board is one process. Its data dir's lock, where this host has one,
 * says at once whether it runs: a board killed with -9 leaves a beat in the database that
 * reads as alive for DEAD_AFTER_MS (30 s), its lock refuses at once. With no lock (a board
 * on another host of a shared PostgreSQL), the beat and the control channel decide.
 */
async function runsWithoutRedis(cfg: CarrierConfig, beating: boolean): Promise<boolean> {
  const lock = await dataDirLockState(cfg.dataDir);
  if (lock !== 'none') return lock === 'live';
  return beating || (await controlAnswers(cfg));
}

async function controlAnswers(cfg: CarrierConfig): Promise<boolean> {
  const c = await dialBoard(cfg);
  c?.close();
  return c !== undefined;
}
