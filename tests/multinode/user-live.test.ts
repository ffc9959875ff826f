// A sysop's change to an account reaches the caller on another process: `carrier user
// set-level` on process A's host, the caller on process B (PostgreSQL + Redis). The board's
// `user.changed` topic crosses the Redis bus, and B reads the account again for its session.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';
import { addUsers, dropPrefix, dropSchema, findPostgres, findRedis, freshSchemaName, uniquePrefix } from './services.js';

const pg = await findPostgres();
const redis = await findRedis();
const skip = !pg ? 'no PostgreSQL at 127.0.0.1:5432/test (set CARRIER_TEST_PG_URL)' : !redis ? 'no Redis at 127.0.0.1:6379 (set CARRIER_TEST_REDIS_URL)' : false;

describe("a sysop's change to an account on a board of two processes", { skip, timeout: 180_000 }, () => {
  const schema = freshSchemaName();
  const prefix = uniquePrefix();
  let a: Carrier;
  let b: Carrier;
  let nell: RawTelnet | undefined;

  before(async () => {
    await addUsers(pg!, schema, [{ handle: 'nell', password: 'nell-on-node-b' }]);
    const yaml = [`database: { url: ${JSON.stringify(pg)}, schema: ${schema} }`, `bus: { redisUrl: ${JSON.stringify(redis)}, keyPrefix: ${JSON.stringify(prefix)} }`].join('\n');
    [a, b] = await Promise.all([startCarrier({ yaml, logLevel: 'info' }), startCarrier({ yaml, logLevel: 'info' })]);
  });
  after(async () => {
    nell?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await dropSchema(pg!, schema);
    await dropPrefix(redis!, prefix);
  });

  it('set-level through process A is told to the caller on process B, whose session has the new level', async () => {
    nell = await loginRaw(b.ports.telnet!, 'nell', 'nell-on-node-b');
    const r = await a.cli(['user', 'set-level', 'nell', '30']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'nell is now level 30');
    // Fails without: B's session kept the level nell logged in with, and said nothing.
    await nell.waitFor('The sysop changed your access level to 30.', 20_000);
    const line = await b.waitForLog((l) => l['event'] === 'session.account_changed' && l['user'] === 'nell', 20_000);
    assert.equal(line['to'], 30);
  });
});
