// A process dies while Redis is down, and Redis comes back empty: no process saw the death
// (who's online lives in Redis, and so did the dead process's last sign of life). Its
// caller's call is still ended, from the beats every process keeps in the database, at
// the time the dead process was last seen alive, so the caller reaches "last callers"
// (issue 18.6, the case noticed and not fixed in stop 21).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { startOutagePair, type OutagePair } from './outage-pair.js';
import { findPostgres, inSchema } from './services.js';

const pg = await findPostgres();
const skip = !pg ? 'no PostgreSQL at 127.0.0.1:5432/test (set CARRIER_TEST_PG_URL)' : false;

describe('a process killed while Redis is down, Redis back empty', { skip, timeout: 180_000 }, () => {
  let pair: OutagePair;
  before(async () => {
    pair = await startOutagePair(pg!);
  });
  after(() => pair?.close());

  it('the surviving node ends the dead node’s call at its last beat', async () => {
    const { redis, a, b, ann, schema } = pair;
    // Node B beats (every 5 s) at least once with bob on: his open call's process has a beat
    // later than the call's start (read from the database, not a fixed 6 s wait).
    await inSchema(pg!, schema, (store) =>
      eventually(
        async () => {
          const call = (await store.knex('calls').where({ handle: 'bob' }).whereNull('ended_at').first('process_id', 'started_at')) as { process_id: string; started_at: number | string } | undefined;
          if (!call) return false;
          const beat = (await store.knex('processes').where({ id: call.process_id }).first('seen_at')) as { seen_at: number | string } | undefined;
          return beat !== undefined && Number(beat.seen_at) > Number(call.started_at);
        },
        "a beat of bob's node after his call began",
        { timeoutMs: 20_000, intervalMs: 200 },
      ),
    );
    await redis.kill();
    const exited = new Promise((r) => b.process.once('exit', r));
    const killedAt = Date.now();
    b.process.kill('SIGKILL');
    await exited;
    await redis.start();
    await a.waitForLog((l) => l['event'] === 'presence.republished', 15_000);

    // B's beat stands still from its death; node A gives it 30 s of its own clock once it
    // has read the last value (a sweep every 10 s), then ends the call.
    const ended = await a.waitForLog((l) => l['event'] === 'calls.ended_for_dead_process' && l['calls'] === 1, 90_000);
    const calls = await inSchema(pg!, schema, (store) => store.calls.recent(10));
    const call = calls.find((c) => c.handle === 'bob');
    assert.ok(call, `bob's call is among the ended calls: ${JSON.stringify(calls)}`);
    assert.equal(call.endReason, 'process died');
    assert.equal(call.processId, ended['processId']);
    assert.ok(call.endedAt! > call.startedAt, 'a beat after the login is the last sign of life');
    assert.ok(call.endedAt! <= killedAt, `ended when last seen alive (${call.endedAt}), not when noticed (killed at ${killedAt})`);
    assert.equal(ann.closed, false, 'the surviving node’s caller is still on');
    assert.ok(!calls.some((c) => c.handle === 'ann'), 'ann’s call is still open');
  });
});
