import type { Protocol } from '@carrier/core';
import type { StatusReport } from './status-report.js';

/** Every protocol gets a series, zero included, so a dashboard's lines never vanish. */
const PROTOCOLS: readonly Protocol[] = ['telnet', 'ssh', 'rlogin', 'websocket'];

/** Prometheus text exposition: label values escape backslash, quote and newline. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  const inner = Object.entries(pairs)
    .map(([k, v]) => `${k}="${label(v)}"`)
    .join(',');
  return inner ? `{${inner}}` : '';
}

class Exposition {
  private readonly lines: string[] = [];
  metric(name: string, type: 'gauge' | 'counter', help: string, samples: Array<[Record<string, string>, number]>): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of samples) this.lines.push(`${name}${labels(l)} ${Number.isFinite(v) ? v : 'NaN'}`);
  }
  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/** /metrics, in the Prometheus text format (version 0.0.4). */
export function renderMetrics(r: StatusReport): string {
  const x = new Exposition();
  const b = r.board;
  x.metric('carrier_processes', 'gauge', 'Carrier processes with a current heartbeat on the board.', [[{}, b.processes.length]]);
  x.metric(
    'carrier_callers',
    'gauge',
    'Logged-in callers on the whole board, by protocol.',
    PROTOCOLS.map((p) => [{ protocol: p }, b.callersByProtocol[p] ?? 0]),
  );
  x.metric('carrier_callers_logging_in', 'gauge', 'Connected callers not logged in yet, board-wide.', [[{}, b.loggingIn]]);
  x.metric('carrier_nodes_in_use', 'gauge', 'Node numbers held on the whole board.', [[{}, b.nodesInUse]]);
  x.metric('carrier_database_up', 'gauge', '1 when the database answered a query.', [[{}, b.db.up ? 1 : 0]]);
  if (b.bans !== null) x.metric('carrier_bans', 'gauge', 'Active bans.', [[{}, b.bans]]);

  const each = <T>(f: (p: StatusReport['processes'][number]) => T) => r.processes.map(f);
  x.metric(
    'carrier_process_sessions',
    'gauge',
    'Sessions served by each process, by protocol.',
    each((p) => PROTOCOLS.map((proto): [Record<string, string>, number] => [{ process: p.processId, protocol: proto }, p.sessionsByProtocol[proto] ?? 0])).flat(),
  );
  x.metric('carrier_bus_connected', 'gauge', '1 while the process reaches the rest of the board over its bus.', each((p) => [{ process: p.processId, kind: p.bus.kind }, p.bus.connected ? 1 : 0]));
  x.metric(
    'carrier_bus_lag_seconds',
    'gauge',
    'Round trip of the last ping through the bus (a ping still out counts as its age).',
    each((p): [Record<string, string>, number] => [{ process: p.processId }, p.bus.lagMs === null ? NaN : p.bus.lagMs / 1000]),
  );
  x.metric(
    'carrier_bus_messages_total',
    'counter',
    'Bus messages sent to, received from, or not sent to other processes (link down).',
    each((p) =>
      (['published', 'received', 'dropped'] as const).map((d): [Record<string, string>, number] => [{ process: p.processId, direction: d }, p.bus[d]]),
    ).flat(),
  );
  x.metric(
    'carrier_db_pool_connections',
    'gauge',
    'Database pool connections by state (pending: queries waiting for one).',
    each((p) =>
      p.db.pool
        ? (['used', 'free', 'pending'] as const).map((s): [Record<string, string>, number] => [{ process: p.processId, state: s }, p.db.pool![s]])
        : [],
    ).flat(),
  );
  x.metric(
    'carrier_db_pool_max',
    'gauge',
    'Database pool size limit.',
    each((p) => (p.db.pool ? [[{ process: p.processId }, p.db.pool.max] as [Record<string, string>, number]] : [])).flat(),
  );
  x.metric('carrier_process_resident_memory_bytes', 'gauge', 'Resident memory of each process.', each((p) => [{ process: p.processId }, p.rssBytes]));
  x.metric('carrier_process_start_time_seconds', 'gauge', 'When each process started, seconds since the epoch.', each((p) => [{ process: p.processId }, p.startedAt / 1000]));
  return x.toString();
}

function byProtocol(counts: Partial<Record<Protocol, number>>): string {
  const parts = PROTOCOLS.filter((p) => (counts[p] ?? 0) > 0).map((p) => `${p} ${counts[p]}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/**
 * `carrier status`, for a sysop at a shell. `presenceKnown: false` when the figures come
 * from outside an in-process board, which keeps who is online to itself.
 */
export function renderStatus(r: StatusReport, opts: { presenceKnown?: boolean } = {}): string {
  const b = r.board;
  const callers = Object.values(b.callersByProtocol).reduce((a, n) => a + (n ?? 0), 0);
  const lines = [
    opts.presenceKnown === false
      ? "board: who's online is kept inside the running board (in-process bus); set health.port to see it here"
      : `board: ${b.processes.length} ${b.processes.length === 1 ? 'process' : 'processes'}, ${callers} ${callers === 1 ? 'caller' : 'callers'}${byProtocol(b.callersByProtocol)}, ${b.loggingIn} logging in, ${b.nodesInUse} ${b.nodesInUse === 1 ? 'node' : 'nodes'} in use`,
    `database: ${b.db.up ? 'up' : `DOWN (${b.db.error ?? 'no answer'})`}`,
    `bans: ${b.bans === null ? 'not kept by this store' : `${b.bans} active`}`,
  ];
  for (const p of r.processes) {
    const lag = p.bus.lagMs === null ? 'lag unknown' : `lag ${p.bus.lagMs.toFixed(1)} ms`;
    const bus = `${p.bus.kind} bus ${p.bus.connected ? 'connected' : 'DISCONNECTED'}, ${lag}`;
    const pool = p.db.pool ? `pool ${p.db.pool.used} used / ${p.db.pool.free} idle / ${p.db.pool.pending} waiting of ${p.db.pool.max}` : 'pool n/a';
    lines.push(`process ${p.processId} (pid ${p.pid}): ${p.sessions} ${p.sessions === 1 ? 'session' : 'sessions'}${byProtocol(p.sessionsByProtocol)}; ${bus}; ${pool}; rss ${(p.rssBytes / 1048576).toFixed(0)} MiB`);
  }
  if (r.processes.length === 0) lines.push('processes: no per-process figures (set health.port to see pool use and bus lag here)');
  return `${lines.join('\n')}\n`;
}
