import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CarrierError, ErrorCodes, isCarrierError } from '@carrier/core';
import { openStore } from './store.js';
import { tcpHop } from './tcp-hop.js';
import { testBackends } from './test-backends.js';
import { isUnavailable } from './unavailable.js';

describe('isUnavailable', () => {
  test('recognizes a database that is not there, from every layer under knex', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    for (const err of [
      refused,
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('connection failure'), { code: '08006' }),
      Object.assign(new Error('sorry, too many clients already'), { code: '53300' }),
      Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('SQLITE_BUSY: database is locked'), { code: 'SQLITE_BUSY' }),
      new AggregateError([refused, refused], ''),
    ]) {
      assert.equal(isUnavailable(err), true, String((err as Error).message));
    }
  });

  test('leaves real query errors alone: constraint violations, syntax, carrier errors', () => {
    for (const err of [
      Object.assign(new Error('duplicate key value'), { code: '23505' }),
      Object.assign(new Error('syntax error at or near'), { code: '42601' }),
      new Error('something else'),
      new CarrierError(ErrorCodes.NOT_FOUND, 'no user'),
      new AggregateError([], ''),
      null,
      'ECONNREFUSED',
    ]) {
      assert.equal(isUnavailable(err), false, String(err));
    }
  });
});

const { backends, skipped } = await testBackends();
const pg = backends.find((b) => b.kind === 'postgres');
after(() => Promise.all(backends.map((b) => b.cleanup())));

describe('a PostgreSQL store whose server goes away', { skip: pg ? false : (skipped ?? 'no PostgreSQL') }, () => {
  test('fails each call with STORE_UNAVAILABLE while it is gone, and works again when it is back', async () => {
    const opts = await pg!.fresh();
    const url = new URL(opts.databaseUrl!);
    const proxy = await tcpHop({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    const store = await openStore({ ...opts, databaseUrl: url.toString() });
    try {
      const user = await store.users.create({ handle: 'Kate', password: 'acid burn rules' });
      await proxy.cut();
      await assert.rejects(store.users.findByHandle('Kate'), (err: unknown) => {
        assert.ok(isCarrierError(err, ErrorCodes.STORE_UNAVAILABLE), String(err));
        assert.match(err.message, /postgres database is unavailable/);
        assert.deepEqual(err.details, { operation: 'findByHandle' });
        return true;
      });
      await assert.rejects(
        store.logins.record({ userId: user.id, handle: 'Kate', protocol: 'telnet', remoteAddress: '192.0.2.1', node: 1 }),
        (err: unknown) => isCarrierError(err, ErrorCodes.STORE_UNAVAILABLE),
      );
      // Every repository sits behind the guard, the oneliners wall and chat history too.
      for (const [name, call] of [
        ['oneliners.recent', () => store.oneliners.recent(5)],
        ['oneliners.add', () => store.oneliners.add({ userId: user.id, handle: 'Kate', text: 'hack the planet' })],
        ['chatHistory.recent', () => store.chatHistory.recent('main', 5)],
        ['chatHistory.add', () => store.chatHistory.add({ id: 'x1', room: 'main', handle: 'Kate', node: 1, kind: 'say', text: 'hi', at: 1 }, 10)],
      ] as const) {
        await assert.rejects(call(), (err: unknown) => isCarrierError(err, ErrorCodes.STORE_UNAVAILABLE), name);
      }
      await proxy.restore();
      assert.equal((await store.users.findByHandle('Kate'))?.callCount, 0, 'the failed login left nothing behind');
    } finally {
      await store.close();
      await proxy.cut().catch(() => undefined);
    }
  });
});
