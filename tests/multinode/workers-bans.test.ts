// `workers: 2`: a ban made through the control socket (served by one worker) is in force on
// both workers at once, told over the bus: every connect from the address is refused,
// whichever worker the listening socket hands it to. The poll (security.banRefresh) is an
// hour here, so it cannot be what did it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { RawControl } from '../sysop/control-support.js';
import { refusedAsBanned } from '../e2e/security-support.js';
import { dropPrefix, dropSchema, findPostgres, findRedis, freshSchemaName, uniquePrefix } from './services.js';

const pg = await findPostgres();
const redis = await findRedis();
const skip = !pg ? 'no PostgreSQL at 127.0.0.1:5432/test (set CARRIER_TEST_PG_URL)' : !redis ? 'no Redis at 127.0.0.1:6379 (set CARRIER_TEST_REDIS_URL)' : false;

/** Connects after the ban: the workers take turns, so both are asked several times. */
const CONNECTS = 8;

describe('a ban on a board with two workers', { skip, timeout: 120_000 }, () => {
  const schema = freshSchemaName();
  const prefix = uniquePrefix();
  let board: Carrier;
  let control: RawControl | undefined;

  before(async () => {
    board = await startCarrier({
      logLevel: 'info',
      yaml: ['workers: 2', `database: { url: ${JSON.stringify(pg)}, schema: ${schema} }`, `bus: { redisUrl: ${JSON.stringify(redis)}, keyPrefix: ${JSON.stringify(prefix)} }`, 'security: { banRefresh: 1h }'].join('\n'),
    });
    await eventually(() => board.logs.filter((l) => l['event'] === 'board.started').length >= 2, 'both workers to start', { timeoutMs: 30_000 });
    await eventually(
      async () => {
        control = await RawControl.connect(board.dataDir).catch(() => undefined);
        return control !== undefined;
      },
      'the control socket',
      { timeoutMs: 30_000 },
    );
    control!.keepAlive();
  });
  after(async () => {
    control?.close();
    await board?.stop();
    await dropSchema(pg!, schema);
    await dropPrefix(redis!, prefix);
  });

  it('is in force on both workers at once: every connect from the address is refused', async () => {
    await control!.ok('ban', { target: '127.0.0.51', reason: 'test ban' });
    // The worker that did not make the ban logs it as made elsewhere once it is in force there.
    const made = await board.waitForLog((l) => l['event'] === 'security.ban' && l['target'] === '127.0.0.51' && l['by'] !== 'elsewhere');
    const heard = await board.waitForLog((l) => l['event'] === 'security.ban' && l['target'] === '127.0.0.51' && l['by'] === 'elsewhere', 10_000);
    assert.notEqual(heard['pid'], made['pid'], 'the other worker');
    const refused: boolean[] = [];
    for (let i = 0; i < CONNECTS; i++) refused.push(await refusedAsBanned(board.ports.telnet!, '127.0.0.51'));
    assert.deepEqual(refused, Array<boolean>(CONNECTS).fill(true), 'a served connect came from the worker that did not hear of the ban');
  });
});
