// `--workers 2` with its primary killed by -9: the workers notice (their IPC channel to
// the primary closes) and stop the way SIGTERM stops them: callers told, calls ended,
// their presence taken off Redis, exit 0, within seconds. A supervisor (systemd,
// Docker's restart policy; deploy/carrier.service, docker-compose.yml) starts it anew (issue 18.7).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';
import { addUsers, dropPrefix, dropSchema, findPostgres, findRedis, freshSchemaName, inSchema, uniquePrefix } from './services.js';
import { eventually } from '@carrier/core/testing';
import { RedisBus } from '@carrier/engine';
import { silentLogger } from '@carrier/core';

const pg = await findPostgres();
const redis = await findRedis();
const skip = !pg ? 'no PostgreSQL at 127.0.0.1:5432/test (set CARRIER_TEST_PG_URL)' : !redis ? 'no Redis at 127.0.0.1:6379 (set CARRIER_TEST_REDIS_URL)' : false;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the workers of a primary killed with -9', { skip, timeout: 120_000 }, () => {
  const schema = freshSchemaName();
  const prefix = uniquePrefix();
  let board: Carrier;
  const callers: RawTelnet[] = [];
  let workerPids: number[] = [];

  before(async () => {
    await addUsers(pg!, schema, [
      { handle: 'una', password: 'una-password-1' },
      { handle: 'vic', password: 'vic-password-2' },
    ]);
    board = await startCarrier({
      logLevel: 'info',
      yaml: ['workers: 2', `database: { url: ${JSON.stringify(pg)}, schema: ${schema} }`, `bus: { redisUrl: ${JSON.stringify(redis)}, keyPrefix: ${JSON.stringify(prefix)} }`].join('\n'),
    });
    await eventually(() => board.logs.filter((l) => l['event'] === 'board.started').length >= 2, 'both workers to start', { timeoutMs: 30_000 });
    workerPids = board.logs.filter((l) => l['event'] === 'board.started').map((l) => Number(l['pid']));
  });
  after(async () => {
    for (const c of callers) c.close();
    for (const pid of workerPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await board?.stop();
    await dropSchema(pg!, schema);
    await dropPrefix(redis!, prefix);
  });

  it('stop cleanly within seconds: callers told, calls ended, presence gone', async () => {
    callers.push(
      ...(await Promise.all([loginRaw(board.ports.telnet!, 'una', 'una-password-1', { size: { cols: 80, rows: 24 } }), loginRaw(board.ports.telnet!, 'vic', 'vic-password-2', { size: { cols: 80, rows: 24 } })])),
    );
    await eventually(() => board.logs.filter((l) => l['event'] === 'session.login').length >= 2, 'both logins');
    const killedAt = Date.now();
    board.process.kill('SIGKILL');
    await eventually(() => workerPids.every((pid) => !alive(pid)), 'both workers to exit', { timeoutMs: 20_000 });
    const tookMs = Date.now() - killedAt;
    const stopped = board.logs.filter((l) => l['event'] === 'board.stopped');
    assert.equal(stopped.length, 2, `both workers stopped the clean way (${tookMs} ms)`);
    assert.ok(stopped.every((l) => l['reason'] === 'cluster primary gone'), JSON.stringify(stopped));
    for (const c of callers) {
      await eventually(() => c.closed, 'the caller to be hung up on');
      assert.match(c.text(), /going down/, 'the caller was told');
    }
    const open = await inSchema(pg!, schema, async (store) => store.calls.openProcesses());
    assert.deepEqual(open, [], 'every call ended');
    const bus = await RedisBus.connect({ url: redis!, keyPrefix: prefix, log: silentLogger });
    try {
      assert.deepEqual((await bus.presence.snapshot()).filter((e) => e.handle !== null), [], 'nobody left in who’s online');
    } finally {
      await bus.close();
    }
  });
});
