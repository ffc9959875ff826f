import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isCarrierError, silentLogger } from '@carrier/core';
import { MIGRATIONS, migrationSource } from './migrations.js';
import { openStore, type Store } from './store.js';
import { testBackends } from './test-backends.js';

const { backends, skipped } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
if (skipped !== null) test('PostgreSQL store', { skip: skipped }, () => undefined);

async function appliedMigrations(store: Store): Promise<string[]> {
  const rows = (await store.knex('knex_migrations').orderBy('id').select('name')) as Array<{ name: string }>;
  return rows.map((r) => r.name);
}

test('migration names are unique and listed in sorted order', () => {
  const names = MIGRATIONS.map((m) => m.name);
  assert.deepEqual([...names].sort(), names);
  assert.equal(new Set(names).size, names.length);
  for (const name of names) assert.match(name, /^\d{4}_[a-z0-9_]+$/);
});

for (const backend of backends) {
  describe(`opening the store on ${backend.kind}`, () => {
    test('reports its kind and applies every migration once', async () => {
      const store = await openStore(await backend.fresh());
      try {
        assert.equal(store.kind, backend.kind);
        assert.deepEqual(await appliedMigrations(store), MIGRATIONS.map((m) => m.name));
        assert.equal(await store.users.count(), 0);
      } finally {
        await store.close();
      }
    });

    test('opening again, and migrating again, changes nothing and keeps the data', async () => {
      const opts = await backend.fresh();
      const first = await openStore(opts);
      await first.users.create({ handle: 'Phreak', password: 'blue box 2600' });
      await first.close();

      const second = await openStore(opts);
      try {
        const [, ran] = (await second.knex.migrate.latest({ migrationSource: migrationSource() })) as [number, string[]];
        assert.deepEqual(ran, []);
        assert.deepEqual(await appliedMigrations(second), MIGRATIONS.map((m) => m.name));
        assert.equal((await second.users.findByHandle('phreak'))?.handle, 'Phreak');
      } finally {
        await second.close();
      }
    });

    test('two stores opened at once on one empty database produce one correct schema', async () => {
      const opts = await backend.fresh();
      const [a, b] = await Promise.all([openStore(opts), openStore({ ...opts })]);
      try {
        assert.deepEqual(await appliedMigrations(a), MIGRATIONS.map((m) => m.name));
        const locks = await a.knex('knex_migrations_lock').select('*');
        assert.equal(locks.length, 1, 'one lock row, free');
        assert.equal(Number((locks[0] as { is_locked: number | string }).is_locked), 0);
        const made = await a.users.create({ handle: 'Crash Override', password: 'hack the planet' });
        assert.equal((await b.users.findById(made.id))?.handle, 'Crash Override');
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    test('every migration rolls back and applies again', async () => {
      const store = await openStore(await backend.fresh());
      try {
        await store.knex.migrate.rollback({ migrationSource: migrationSource() }, true);
        assert.equal(await store.knex.schema.hasTable('users'), false);
        assert.equal(await store.knex.schema.hasTable('calls'), false);
        await store.knex.migrate.latest({ migrationSource: migrationSource() });
        assert.equal(await store.knex.schema.hasTable('users'), true);
        assert.equal(await store.knex.schema.hasTable('calls'), true);
      } finally {
        await store.close();
      }
    });

    test('close can be called twice', async () => {
      const store = await openStore(await backend.fresh());
      await store.close();
      await store.close();
    });

    test('the open is logged with where the data lives', async () => {
      const opts = await backend.fresh();
      const store = await openStore(opts);
      await store.close();
      const log = opts.log as unknown as { lines: Array<Record<string, unknown>> };
      const opened = log.lines.find((l) => l['event'] === 'store.open');
      assert.ok(opened);
      assert.equal(opened['kind'], backend.kind);
      assert.deepEqual(opened['migrationsApplied'], MIGRATIONS.map((m) => m.name));
      assert.ok(!JSON.stringify(log.lines).includes('postgres://'), 'the URL (and any password in it) is not logged');
    });
  });
}

describe('SQLite specifics', () => {
  const sqlite = backends.find((b) => b.kind === 'sqlite')!;

  test('the database is <dataDir>/carrier.sqlite, in WAL mode with a busy timeout', async () => {
    const opts = await sqlite.fresh();
    const dataDir = join(opts.dataDir, 'nested', 'dir');
    const store = await openStore({ ...opts, dataDir });
    try {
      assert.ok((await stat(join(dataDir, 'carrier.sqlite'))).isFile());
      const [mode] = (await store.knex.raw('PRAGMA journal_mode')) as Array<{ journal_mode: string }>;
      assert.equal(mode?.journal_mode, 'wal');
      const [busy] = (await store.knex.raw('PRAGMA busy_timeout')) as Array<{ timeout: number }>;
      assert.ok((busy?.timeout ?? 0) > 0);
      const [fk] = (await store.knex.raw('PRAGMA foreign_keys')) as Array<{ foreign_keys: number }>;
      assert.equal(fk?.foreign_keys, 1);
    } finally {
      await store.close();
    }
  });

  test('many reads and writes at once from one process all succeed', async () => {
    const store = await openStore(await sqlite.fresh());
    try {
      const handles = Array.from({ length: 30 }, (_, i) => `Caller${i}`);
      const users = await Promise.all(handles.map((handle) => store.users.create({ handle, password: 'modem noise 56k' })));
      await Promise.all([
        ...users.map((u) => store.users.recordLogin(u.id)),
        ...users.map((u) => store.calls.start({ userId: u.id, handle: u.handle, protocol: 'telnet', remoteAddress: '10.0.0.1', node: 1 })),
        ...handles.map((h) => store.users.findByHandle(h)),
      ]);
      assert.equal(await store.users.count(), 30);
      assert.ok((await store.users.list()).every((u) => u.callCount === 1));
    } finally {
      await store.close();
    }
  });
});

describe('bad settings', () => {
  const base = { dataDir: tmpdir(), log: silentLogger };

  test('a database URL that is not postgres is CONFIG_INVALID', async () => {
    await assert.rejects(openStore({ ...base, databaseUrl: 'mysql://localhost/board' }), (e) => isCarrierError(e, 'CONFIG_INVALID'));
    await assert.rejects(openStore({ ...base, databaseUrl: 'not a url' }), (e) => isCarrierError(e, 'CONFIG_INVALID'));
  });

  test('a pool with min above max is CONFIG_INVALID', async () => {
    await assert.rejects(
      openStore({ ...base, databaseUrl: 'postgres://127.0.0.1/x', pool: { min: 5, max: 2 } }),
      (e) => isCarrierError(e, 'CONFIG_INVALID') && /pool/.test(e.message),
    );
  });

  test('a schema name that is not a plain identifier is CONFIG_INVALID', async () => {
    await assert.rejects(
      openStore({ ...base, databaseUrl: 'postgres://127.0.0.1/x', searchPath: 'x"; drop table users; --' }),
      (e) => isCarrierError(e, 'CONFIG_INVALID'),
    );
  });

  test('a PostgreSQL server that refuses connections is STORE_UNAVAILABLE', async () => {
    // Port 1 (tcpmux) is closed on any ordinary host, so the connect fails at once.
    await assert.rejects(
      openStore({ ...base, databaseUrl: 'postgres://nobody:secret@127.0.0.1:1/board' }),
      (e) => isCarrierError(e, 'STORE_UNAVAILABLE') && !e.message.includes('secret') && e.cause !== undefined,
    );
  });
});
