import type { Protocol } from '@carrier/core';
import type { Board, BusStatus, PresenceEntry, ProcessInfo } from '@carrier/engine';
import type { PoolStats, Store, StoreKind } from '@carrier/store';

/**
 * What `carrier status` and /metrics report: the board as a whole (from presence, which
 * spans every process on a Redis bus, and from the database) and each process's own
 * figures (its sessions, bus link, pool), which only that process knows.
 */
export interface ProcessStats {
  processId: string;
  pid: number;
  startedAt: number;
  /** sessions this process serves, logged in or not */
  sessions: number;
  sessionsByProtocol: Partial<Record<Protocol, number>>;
  bus: BusStatus;
  db: { kind: StoreKind; pool: PoolStats | null };
  rssBytes: number;
}

export interface BoardStats {
  /** carrier processes with a current heartbeat (1 on the in-process bus) */
  processes: ProcessInfo[];
  /** logged-in callers, board-wide */
  callersByProtocol: Partial<Record<Protocol, number>>;
  /** connected but not logged in yet */
  loggingIn: number;
  /** node numbers held, board-wide */
  nodesInUse: number;
  db: { up: boolean; error?: string };
  /** active bans; null when this board's store keeps none */
  bans: number | null;
}

export interface StatusReport {
  at: number;
  board: BoardStats;
  processes: ProcessStats[];
}

/** What a running process hands the status collector. */
export interface StatusSource {
  processId: string;
  board: Board;
  store: Store;
  busStatus(): BusStatus;
  busProcesses(): Promise<ProcessInfo[]>;
}

const startedAt = Date.now();

export function processStats(src: StatusSource): ProcessStats {
  const sessionsByProtocol: Partial<Record<Protocol, number>> = {};
  const sessions = src.board.sessions();
  for (const s of sessions) sessionsByProtocol[s.terminal.protocol] = (sessionsByProtocol[s.terminal.protocol] ?? 0) + 1;
  return {
    processId: src.processId,
    pid: process.pid,
    startedAt,
    sessions: sessions.length,
    sessionsByProtocol,
    bus: src.busStatus(),
    db: { kind: src.store.kind, pool: src.store.pool() },
    rssBytes: process.memoryUsage.rss(),
  };
}

/** A status request must answer even when the database hangs rather than refuses. */
const DB_CHECK_TIMEOUT_MS = 2_000;

export async function boardStats(src: StatusSource): Promise<BoardStats> {
  const [entries, processes, db, bans] = await Promise.all([
    src.board.bus.presence.snapshot().catch((): PresenceEntry[] => []),
    src.busProcesses().catch((): ProcessInfo[] => []),
    checkDatabase(src.store),
    countBans(src.store),
  ]);
  return { ...tally(entries), processes, db, bans };
}

export function tally(entries: readonly PresenceEntry[]): Pick<BoardStats, 'callersByProtocol' | 'loggingIn' | 'nodesInUse'> {
  const callersByProtocol: Partial<Record<Protocol, number>> = {};
  let loggingIn = 0;
  for (const e of entries) {
    if (e.handle === null) loggingIn++;
    else callersByProtocol[e.protocol] = (callersByProtocol[e.protocol] ?? 0) + 1;
  }
  return { callersByProtocol, loggingIn, nodesInUse: new Set(entries.map((e) => e.node)).size };
}

export async function checkDatabase(store: Store): Promise<BoardStats['db']> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      store.knex.raw('select 1'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${DB_CHECK_TIMEOUT_MS} ms`)), DB_CHECK_TIMEOUT_MS);
      }),
    ]);
    return { up: true };
  } catch (err) {
    return { up: false, error: err instanceof Error ? err.message.slice(0, 200) : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** The bans repository arrives with the security layer; a store without one reports null. */
interface BansLike {
  active(now: number, limit?: number): Promise<unknown[]>;
}

export async function countBans(store: Store): Promise<number | null> {
  const bans = (store as unknown as { bans?: Partial<BansLike> }).bans;
  if (!bans || typeof bans.active !== 'function') return null;
  try {
    return (await bans.active(Date.now())).length;
  } catch {
    return null;
  }
}
