// The control channel on a two-process board (PostgreSQL + Redis): a control client on
// process A lists a caller on process B, spies on it and kicks it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';
import { RawControl } from '../sysop/control-support.js';
import { addUsers, dropPrefix, dropSchema, findPostgres, findRedis, freshSchemaName, uniquePrefix } from './services.js';

const pg = await findPostgres();
const redis = await findRedis();
const skip = !pg ? 'no PostgreSQL at 127.0.0.1:5432/test (set CARRIER_TEST_PG_URL)' : !redis ? 'no Redis at 127.0.0.1:6379 (set CARRIER_TEST_REDIS_URL)' : false;

describe('control channel across two processes', { skip, timeout: 180_000 }, () => {
  const schema = freshSchemaName();
  const prefix = uniquePrefix();
  let a: Carrier;
  let b: Carrier;
  let cid: RawTelnet | undefined;
  let control: RawControl | undefined;

  before(async () => {
    await addUsers(pg!, schema, [{ handle: 'cid', password: 'cid-on-node-b' }]);
    const yaml = [`database: { url: ${JSON.stringify(pg)}, schema: ${schema} }`, `bus: { redisUrl: ${JSON.stringify(redis)}, keyPrefix: ${JSON.stringify(prefix)} }`].join('\n');
    [a, b] = await Promise.all([startCarrier({ yaml, logLevel: 'info' }), startCarrier({ yaml, logLevel: 'info' })]);
  });
  after(async () => {
    control?.close();
    cid?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await dropSchema(pg!, schema);
    await dropPrefix(redis!, prefix);
  });

  it('a client of process A sees, spies on and kicks a caller on process B', async () => {
    cid = await loginRaw(b.ports.telnet!, 'cid', 'cid-on-node-b', { size: { cols: 80, rows: 24 } });
    control = await RawControl.connect(a.dataDir);
    control.keepAlive();
    let node = 0;
    await eventually(async () => {
      const who = (await control!.ok('who')) as { node: number; handle: string | null; processId: string }[];
      node = who.find((n) => n.handle === 'cid')?.node ?? 0;
      return node > 0;
    }, 'process A to list cid', { timeoutMs: 20_000 });
    const spy = (await control.ok('spy', { node })) as { stream: number; cols: number; rows: number };
    assert.equal(spy.cols, 80);
    assert.equal(spy.rows, 24);
    cid.send('w');
    await eventually(
      () =>
        /online/i.test(
          control!.messages
            .filter((m) => m['stream'] === spy.stream && m['event'] === 'data')
            .map((m) => Buffer.from(m['data'] as string, 'base64').toString('latin1'))
            .join(''),
        ),
      "the spy on A to see cid's screen on B",
      { timeoutMs: 20_000 },
    );
    await control.ok('kick', { node });
    await eventually(() => cid!.closed, 'the kick from A to hang up cid on B', { timeoutMs: 20_000 });
    await control.waitFor((m) => m['stream'] === spy.stream && m['event'] === 'end', 20_000);
  });
});
