// `workers: 2` / `carrier start --workers 2`: two processes share the listening ports
// (node:cluster), callers spread over both, and every caller sees every other in who's
// online. A worker killed with -9 is restarted and its callers leave who's online at once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { carrierArgv, repoRoot, startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';
import { whoIsOnline, whoIsOnlineUntil } from './callers.js';
import { addUsers, dropPrefix, dropSchema, findPostgres, findRedis, freshSchemaName, uniquePrefix } from './services.js';
import { eventually } from '@carrier/core/testing';

const pg = await findPostgres();
const redis = await findRedis();
const skip = !pg ? 'no PostgreSQL at 127.0.0.1:5432/test (set CARRIER_TEST_PG_URL)' : !redis ? 'no Redis at 127.0.0.1:6379 (set CARRIER_TEST_REDIS_URL)' : false;

const CALLERS = 20;
const handle = (i: number): string => `caller${String(i).padStart(2, '0')}`;
const password = (i: number): string => `password-of-${handle(i)}`;
/** Twenty callers from one address, all logging in at once: the per-address and start-up caps must not refuse them. */
const GENEROUS_LIMITS = 'limits: { maxPerIp: 200, maxPerSubnet: 200, startups: { start: 200, rate: 30, full: 400 } }';
/** The list must fit all twenty callers on one screen. */
const TALL = { cols: 80, rows: 30 };

const started = (c: Carrier) => c.logs.filter((l) => l['event'] === 'board.started');

describe('carrier with two workers', { skip, timeout: 180_000 }, () => {
  const schema = freshSchemaName();
  const prefix = uniquePrefix();
  let board: Carrier;
  const callers: RawTelnet[] = [];

  before(async () => {
    await addUsers(pg!, schema, Array.from({ length: CALLERS + 1 }, (_, i) => ({ handle: handle(i + 1), password: password(i + 1) })));
    board = await startCarrier({
      logLevel: 'info',
      yaml: [
        'workers: 2',
        'health: { port: 0 }',
        `database: { url: ${JSON.stringify(pg)}, schema: ${schema} }`,
        `bus: { redisUrl: ${JSON.stringify(redis)}, keyPrefix: ${JSON.stringify(prefix)} }`,
        GENEROUS_LIMITS,
      ].join('\n'),
    });
    await eventually(() => started(board).length >= 2, 'both workers to start', { timeoutMs: 30_000 });
  });
  after(async () => {
    for (const c of callers) c.close();
    await board?.stop();
    await dropSchema(pg!, schema);
    await dropPrefix(redis!, prefix);
  });

  it(`${CALLERS} callers are spread across both workers and every one sees all ${CALLERS} in who's online`, async () => {
    const ports = new Set(started(board).map((l) => JSON.stringify(l['frontEnds'])));
    assert.equal(ports.size, 1, 'both workers listen on the same ports');
    callers.push(...(await Promise.all(Array.from({ length: CALLERS }, (_, i) => loginRaw(board.ports.telnet!, handle(i + 1), password(i + 1), { size: TALL })))));
    const logins = board.logs.filter((l) => l['event'] === 'session.login');
    await eventually(() => board.logs.filter((l) => l['event'] === 'session.login').length >= CALLERS, 'all logins logged');
    const perWorker = new Map<unknown, number>();
    for (const l of board.logs.filter((x) => x['event'] === 'session.login')) perWorker.set(l['pid'], (perWorker.get(l['pid']) ?? 0) + 1);
    assert.equal(perWorker.size, 2, `logins by worker pid: ${JSON.stringify([...perWorker])} (${logins.length} so far)`);
    // Round robin hands each connection to the next worker that is free, so a worker busy
    // compiling its first scripts takes fewer: spread, not necessarily even.
    for (const n of perWorker.values()) assert.ok(n >= 1, `both workers serve callers: ${JSON.stringify([...perWorker])}`);

    // The primary serves the health endpoint for both workers, asking each over IPC.
    const port = (await board.waitForLog((l) => l['event'] === 'health.listen'))['port'] as number;
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.ok(metrics.split('\n').includes('carrier_processes 2'), metrics);
    assert.ok(metrics.split('\n').includes(`carrier_callers{protocol="telnet"} ${CALLERS}`), metrics);
    const perProcess = [...metrics.matchAll(/^carrier_process_sessions\{process="([^"]+)",protocol="telnet"\} (\d+)$/gm)];
    assert.equal(perProcess.length, 2, metrics);
    assert.equal(perProcess.reduce((n, m) => n + Number(m[2]), 0), CALLERS);

    const lists = await Promise.all(callers.map((c) => whoIsOnline(c, TALL)));
    lists.forEach((list, i) => {
      assert.match(list, new RegExp(`Who's online - ${CALLERS} callers`), `${handle(i + 1)} sees ${CALLERS}`);
      for (let j = 1; j <= CALLERS; j++) assert.match(list, new RegExp(`\\b${handle(j)}\\b`), `${handle(i + 1)} sees ${handle(j)}`);
    });
  });

  it("a worker killed with -9 is restarted, and its callers leave everyone's who's online at once", async () => {
    const pids = [...new Set(board.logs.filter((l) => l['event'] === 'session.login').map((l) => l['pid'] as number))];
    const victim = pids[0]!;
    const victimHandles = new Set(
      board.logs.filter((l) => l['event'] === 'session.login' && l['pid'] === victim).map((l) => String(l['user'])),
    );
    assert.ok(victimHandles.size > 0);
    const survivor = callers.find((_, i) => !victimHandles.has(handle(i + 1)))!;
    const killedAt = Date.now();
    process.kill(victim, 'SIGKILL');
    await board.waitForLog((l) => l['event'] === 'cluster.worker_died' && l['workerPid'] === victim, 10_000);
    const { list, ms } = await whoIsOnlineUntil(survivor, (l) => new RegExp(`Who's online - ${CALLERS - victimHandles.size} callers`).test(l), 10_000, TALL);
    for (const h of victimHandles) assert.doesNotMatch(list, new RegExp(`\\b${h}\\b`));
    assert.ok(Date.now() - killedAt < 5_000, `cleared by the primary, not by the heartbeat TTL (${ms} ms of polling)`);
    const restarted = await board.waitForLog((l) => l['event'] === 'cluster.worker_started' && Number(l['worker']) > 2, 10_000);
    await eventually(() => started(board).some((l) => l['pid'] === restarted['workerPid']), 'the new worker to listen', { timeoutMs: 30_000 });
    const late = await loginRaw(board.ports.telnet!, handle(CALLERS + 1), password(CALLERS + 1), { size: TALL });
    callers.push(late);
    assert.match(await whoIsOnline(late, TALL), new RegExp(`\\b${handle(CALLERS + 1)}\\b`));
  });
});

describe('carrier start --workers', () => {
  function start(args: string[], yaml: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'carrier-mn-flag-'));
    const config = join(dir, 'carrier.yaml');
    writeFileSync(config, [`dataDir: ${JSON.stringify(dir)}`, 'telnet: { port: 0 }', 'ssh: { port: off }', 'web: { port: off }', 'log: { level: info, file: false }', yaml].join('\n'));
    return new Promise((resolve) => {
      const p = spawn(process.execPath, [...carrierArgv, 'start', ...args], {
        cwd: repoRoot,
        env: { ...process.env, CARRIER_CONFIG: config, DATABASE_URL: '', REDIS_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      const workersUp = new Set<unknown>();
      let stopSent = false;
      createInterface({ input: p.stdout }).on('line', (line) => {
        stdout += `${line}\n`;
        try {
          const rec = JSON.parse(line) as Record<string, unknown>;
          if (rec['event'] === 'board.started') workersUp.add(rec['pid']);
          // One SIGTERM: sent again for every later line, one could land while the primary
          // was already exiting, after its handler was gone, and kill it (exit code null).
          if (workersUp.size === 2 && !stopSent) {
            stopSent = true;
            p.kill('SIGTERM');
          }
        } catch {
          /* not a log line */
        }
      });
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
      p.on('exit', (code) => {
        clearTimeout(timer);
        rmSync(dir, { recursive: true, force: true });
        resolve({ code, stdout, stderr });
      });
    });
  }

  it('refuses more than one worker without the Redis bus, saying why', async () => {
    const r = await start(['--workers', '2'], '');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /workers: 2 workers need the Redis bus/);
  });

  it('refuses a worker count that is not a number from 1 to 64', async () => {
    const r = await start(['--workers=0'], '');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--workers needs a whole number from 1 to 64/);
  });

  it('on the command line, starts two workers on one port and stops them on SIGTERM', { skip }, async () => {
    const keyPrefix = uniquePrefix();
    try {
      const r = await start(['--workers', '2'], `bus: { redisUrl: ${JSON.stringify(redis)}, keyPrefix: ${JSON.stringify(keyPrefix)} }`);
      const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      const boards = lines.filter((l) => l['event'] === 'board.started');
      assert.equal(new Set(boards.map((l) => l['pid'])).size, 2);
      assert.equal(new Set(boards.map((l) => JSON.stringify(l['frontEnds']))).size, 1);
      assert.equal(lines.filter((l) => l['event'] === 'board.stopped').length, 2, 'both workers shut down cleanly');
      assert.ok(lines.some((l) => l['event'] === 'cluster.stopped'));
      assert.equal(r.code, 0, r.stderr);
    } finally {
      await dropPrefix(redis!, keyPrefix);
    }
  });
});
