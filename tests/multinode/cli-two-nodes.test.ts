// The one-shot CLI verbs on a board of two processes (PostgreSQL + Redis), run on process
// A's host against callers on process B: `message` and `kick` by handle reach them there,
// and `carrier shutdown` takes the whole board down, process B with its callers too, not
// only the process whose control channel was asked.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';
import { addUsers, dropPrefix, dropSchema, findPostgres, findRedis, freshSchemaName, uniquePrefix } from './services.js';

const pg = await findPostgres();
const redis = await findRedis();
const skip = !pg ? 'no PostgreSQL at 127.0.0.1:5432/test (set CARRIER_TEST_PG_URL)' : !redis ? 'no Redis at 127.0.0.1:6379 (set CARRIER_TEST_REDIS_URL)' : false;

describe('the CLI on a board of two processes', { skip, timeout: 180_000 }, () => {
  const schema = freshSchemaName();
  const prefix = uniquePrefix();
  let a: Carrier;
  let b: Carrier;
  let dora: RawTelnet | undefined;
  let ed: RawTelnet | undefined;

  before(async () => {
    await addUsers(pg!, schema, [
      { handle: 'dora', password: 'dora-on-node-b' },
      { handle: 'Ed', password: 'ed-on-node-b' },
    ]);
    const yaml = [`database: { url: ${JSON.stringify(pg)}, schema: ${schema} }`, `bus: { redisUrl: ${JSON.stringify(redis)}, keyPrefix: ${JSON.stringify(prefix)} }`].join('\n');
    [a, b] = await Promise.all([startCarrier({ yaml, logLevel: 'info' }), startCarrier({ yaml, logLevel: 'info' })]);
  });
  after(async () => {
    dora?.close();
    ed?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await dropSchema(pg!, schema);
    await dropPrefix(redis!, prefix);
  });

  it('message and kick by handle reach a caller on process B; a handle nobody is on as is named (exit 1)', async () => {
    ed = await loginRaw(b.ports.telnet!, 'Ed', 'ed-on-node-b');
    await eventually(async () => (await a.cli(['who'])).stdout.includes('Ed'), 'A to list Ed', { timeoutMs: 20_000 });
    const sent = await a.cli(['message', 'ed', 'your', 'upload', 'is', 'in']);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /^sent to node \d+ \(Ed\)$/m);
    await ed.waitFor('your upload is in', 20_000);
    const nobody = await a.cli(['kick', 'zed']);
    assert.equal(nobody.code, 1);
    assert.equal(nobody.stderr, 'carrier: kick: nobody is on as "zed"\n');
    const kicked = await a.cli(['kick', 'Ed', 'flooding']);
    assert.equal(kicked.code, 0, kicked.stderr);
    assert.match(kicked.stdout, /^kicked node \d+ \(Ed\)$/m);
    await ed.waitClosed(20_000);
  });

  it('stops process B too: its caller is told, said goodbye to and hung up, and B exits 0', async () => {
    dora = await loginRaw(b.ports.telnet!, 'dora', 'dora-on-node-b');
    const bExited = new Promise<number | null>((resolve) => b.process.once('exit', (code) => resolve(code)));
    // A's control channel hears of dora on B before it is asked to stop the board.
    await eventually(async () => (await a.cli(['who'])).stdout.includes('dora'), 'A to list dora', { timeoutMs: 20_000 });
    const r = await a.cli(['shutdown', '--in', '1', '--message', 'back at six']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /the board stopped/);
    await dora.waitFor('The board goes down in 1 s. back at six', 20_000);
    await dora.waitClosed(30_000);
    assert.equal(await bExited, 0, 'process B stopped as on SIGTERM');
  });
});
