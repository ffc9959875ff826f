// A ban made on one process of a two-process board (PostgreSQL + Redis) is in force on the
// other at once, told over the bus: a caller on B from the banned address is hung up as a
// ban made on B would hang it up, and B refuses the address at accept. The poll
// (security.banRefresh) is an hour here, so it cannot be what did it. An unban reaches B
// the same way.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw } from '../raw-telnet.js';
import { RawControl } from '../sysop/control-support.js';
import { probe, refusedAsBanned } from '../e2e/security-support.js';
import { addUsers, dropPrefix, dropSchema, findPostgres, findRedis, freshSchemaName, uniquePrefix } from './services.js';

const pg = await findPostgres();
const redis = await findRedis();
const skip = !pg ? 'no PostgreSQL at 127.0.0.1:5432/test (set CARRIER_TEST_PG_URL)' : !redis ? 'no Redis at 127.0.0.1:6379 (set CARRIER_TEST_REDIS_URL)' : false;

/** Far longer than any wait below: only the bus can bring the ban to B in time. */
const POLL = 'security: { banRefresh: 1h }';
/** How long B has to act on a ban made on A; a minute's poll would be far past it. */
const AT_ONCE_MS = 10_000;

describe('a ban on one process of a two-process board', { skip, timeout: 120_000 }, () => {
  const schema = freshSchemaName();
  const prefix = uniquePrefix();
  let a: Carrier;
  let b: Carrier;
  let control: RawControl | undefined;

  before(async () => {
    await addUsers(pg!, schema, [{ handle: 'dee', password: 'dee-on-node-b' }]);
    const yaml = [`database: { url: ${JSON.stringify(pg)}, schema: ${schema} }`, `bus: { redisUrl: ${JSON.stringify(redis)}, keyPrefix: ${JSON.stringify(prefix)} }`, POLL].join('\n');
    [a, b] = await Promise.all([startCarrier({ yaml, logLevel: 'info' }), startCarrier({ yaml, logLevel: 'info' })]);
    control = await RawControl.connect(a.dataDir);
    control.keepAlive();
  });
  after(async () => {
    control?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await dropSchema(pg!, schema);
    await dropPrefix(redis!, prefix);
  });

  it('hangs up a caller on B from the banned address, told why, and B refuses the address at accept', async () => {
    const dee = await loginRaw(b.ports.telnet!, 'dee', 'dee-on-node-b', { localAddress: '127.0.0.41', size: { cols: 80, rows: 24 } });
    const mark = dee.bytes.length;
    await control!.ok('ban', { target: '127.0.0.41', reason: 'test ban' });
    await eventually(() => dee.closed, 'the ban on A to hang up the caller on B', { timeoutMs: AT_ONCE_MS });
    assert.match(dee.bytes.subarray(mark).toString('latin1'), /This address is banned\./);
    assert.ok(await refusedAsBanned(b.ports.telnet!, '127.0.0.41'), 'B refuses the address at accept');
    // (a probe looks 800 ms for the board's first bytes: looked again, so a busy machine is not a refusal)
    await eventually(async () => (await probe(b.ports.telnet!, '127.0.0.42', 800)).bytes.length > 0, 'the next address to be served', { timeoutMs: 15_000 });
  });

  it('an unban on A lets the address into B again at once', async () => {
    await control!.ok('ban', { target: '127.0.0.43' });
    await eventually(() => refusedAsBanned(b.ports.telnet!, '127.0.0.43'), 'the ban to reach B', { timeoutMs: AT_ONCE_MS });
    await control!.ok('unban', { target: '127.0.0.43' });
    await eventually(async () => (await probe(b.ports.telnet!, '127.0.0.43', 800)).bytes.length > 0, 'the unban to reach B', { timeoutMs: AT_ONCE_MS });
  });

  it('a flood of bans on A reaches B whole, B reading the list far fewer times than it was told', async () => {
    const from = b.logs.length;
    // As many as one control client may have waiting (its flood cap is 32), done one after another on A.
    const targets = Array.from({ length: 30 }, (_, i) => `127.0.3.${i + 1}`);
    await Promise.all(targets.map((target) => control!.ok('ban', { target })));
    await eventually(() => refusedAsBanned(b.ports.telnet!, '127.0.3.30'), 'the last ban of the flood to reach B', { timeoutMs: AT_ONCE_MS });
    for (const t of ['127.0.3.1', '127.0.3.15']) assert.ok(await refusedAsBanned(b.ports.telnet!, t), `${t} refused on B`);
    const loads = b.logs.slice(from).filter((l) => l['event'] === 'security.bans_loaded').length;
    assert.ok(loads >= 1 && loads < targets.length / 3, `B reloaded ${loads} times for ${targets.length} bans`);
  });
});
