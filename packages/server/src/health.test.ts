import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createMemoryLogger } from '@carrier/core';
import { healthOf, startHealthServer, type HealthServer } from './health.js';
import { recentReport } from './recent-report.js';
import { renderMetrics, renderStatus } from './status-format.js';
import { tally, type StatusReport } from './status-report.js';

function report(over: { dbUp?: boolean; connected?: boolean; bans?: number | null } = {}): StatusReport {
  return {
    at: 1,
    board: {
      processes: [
        { processId: 'host:1', startedAt: 1, sessions: 2 },
        { processId: 'host:2', startedAt: 1, sessions: 1 },
      ],
      callersByProtocol: { telnet: 2, ssh: 1 },
      loggingIn: 1,
      nodesInUse: 4,
      db: over.dbUp === false ? { up: false, error: 'connect ECONNREFUSED' } : { up: true },
      bans: over.bans === undefined ? 3 : over.bans,
    },
    processes: [
      {
        processId: 'host:1',
        pid: 1,
        startedAt: 1_700_000_000_000,
        sessions: 3,
        sessionsByProtocol: { telnet: 2, ssh: 1 },
        bus: { kind: 'redis', connected: over.connected ?? true, lagMs: 0.25, published: 10, received: 7, dropped: 0 },
        db: { kind: 'postgres', pool: { used: 1, free: 2, pending: 0, max: 10 } },
        rssBytes: 100 * 1048576,
      },
    ],
  };
}

describe('the status report', () => {
  it('counts callers by protocol, logged-in only, plus those still logging in and the nodes held', () => {
    const e = (node: number, handle: string | null, protocol: 'telnet' | 'ssh') =>
      ({ node, handle, protocol }) as Parameters<typeof tally>[0][number];
    assert.deepEqual(tally([e(1, 'ann', 'telnet'), e(2, null, 'telnet'), e(3, 'bob', 'ssh'), e(4, 'cy', 'ssh')]), {
      callersByProtocol: { telnet: 1, ssh: 2 },
      loggingIn: 1,
      nodesInUse: 4,
    });
  });

  it('renders Prometheus text: every protocol has a series, labels identify the process, lag in seconds', () => {
    const text = renderMetrics(report());
    for (const line of [
      'carrier_processes 2',
      'carrier_callers{protocol="telnet"} 2',
      'carrier_callers{protocol="ssh"} 1',
      'carrier_callers{protocol="rlogin"} 0',
      'carrier_callers_logging_in 1',
      'carrier_nodes_in_use 4',
      'carrier_database_up 1',
      'carrier_bans 3',
      'carrier_bus_connected{process="host:1",kind="redis"} 1',
      'carrier_bus_lag_seconds{process="host:1"} 0.00025',
      'carrier_bus_messages_total{process="host:1",direction="received"} 7',
      'carrier_db_pool_connections{process="host:1",state="used"} 1',
      'carrier_db_pool_max{process="host:1"} 10',
      '# TYPE carrier_bus_messages_total counter',
    ]) {
      assert.ok(text.split('\n').includes(line), `missing: ${line}`);
    }
    // Every sample line is `name{labels} value`, every metric has HELP and TYPE first.
    for (const line of text.trimEnd().split('\n')) assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? \S+)$/, line);
  });

  it('leaves the bans metric out when the store keeps no bans, and escapes label values', () => {
    const r = report({ bans: null });
    r.processes[0]!.processId = 'a"b\\c\nd';
    const text = renderMetrics(r);
    assert.ok(!text.includes('carrier_bans'));
    assert.ok(text.includes('process="a\\"b\\\\c\\nd"'));
  });

  it('reads as sentences for a sysop at a shell', () => {
    const text = renderStatus(report());
    assert.match(text, /^board: 2 processes, 3 callers \(telnet 2, ssh 1\), 1 logging in, 4 nodes in use$/m);
    assert.match(text, /^database: up$/m);
    assert.match(text, /^bans: 3 active$/m);
    assert.match(text, /^process host:1 \(pid 1\): 3 sessions \(telnet 2, ssh 1\); redis bus connected, lag 0\.3 ms; pool 1 used \/ 2 idle \/ 0 waiting of 10; rss 100 MiB$/m);
  });

  it('is degraded, with reasons, when the database or a bus link is down', () => {
    assert.deepEqual(healthOf(report()), { status: 'ok', problems: [] });
    const bad = healthOf(report({ dbUp: false, connected: false }));
    assert.equal(bad.status, 'degraded');
    assert.deepEqual(bad.problems, [
      'database unavailable: connect ECONNREFUSED',
      "host:1: bus disconnected (chat and who's online are node-local)",
    ]);
  });
});

describe('a report for the callers\' port', () => {
  it('is made once for many askers at a time, and reused while it is recent', async (t) => {
    // The report's age is read on a mock clock, so a busy machine cannot age it early.
    t.mock.timers.enable({ apis: ['Date'] });
    let made = 0;
    const shared = recentReport(async () => {
      made++;
      await new Promise((r) => setTimeout(r, 20));
      return report();
    }, 200);
    await Promise.all(Array.from({ length: 50 }, () => shared()));
    assert.equal(made, 1, 'fifty at once share one');
    t.mock.timers.tick(199);
    await shared();
    assert.equal(made, 1, 'a recent one is reused');
    t.mock.timers.tick(1);
    await shared();
    assert.equal(made, 2, 'an old one is made again');
  });
});

describe('the health endpoint', () => {
  let server: HealthServer;
  let current = report();
  after(() => server?.close());

  it('serves /metrics as Prometheus text and /health as JSON, and nothing else', async () => {
    server = await startHealthServer({ host: '127.0.0.1', port: 0, log: createMemoryLogger(), report: async () => current });
    const base = `http://127.0.0.1:${server.port}`;
    const metrics = await fetch(`${base}/metrics`);
    assert.equal(metrics.status, 200);
    assert.equal(metrics.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.match(await metrics.text(), /^carrier_processes 2$/m);

    current = report({ connected: false });
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200, 'a degraded node still serves its callers');
    const body = (await health.json()) as { status: string; board: { processes: unknown[] } };
    assert.equal(body.status, 'degraded');
    assert.equal(body.board.processes.length, 2);

    assert.equal((await fetch(`${base}/`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
  });

  it('answers 500 without crashing when the report cannot be made', async () => {
    const log = createMemoryLogger();
    const broken = await startHealthServer({ host: '127.0.0.1', port: 0, log, report: () => Promise.reject(new Error('boom')) });
    try {
      assert.equal((await fetch(`http://127.0.0.1:${broken.port}/metrics`)).status, 500);
      assert.ok(log.lines.some((l) => l['event'] === 'health.report_failed'));
    } finally {
      await broken.close();
    }
  });
});
