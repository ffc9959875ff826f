import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { scratchDir } from '@carrier/core/testing';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createMemoryLogger } from '@carrier/core';
import { chooseBus, storeOptions } from './backends.js';
import { ConfigError, loadConfig } from './config.js';

function config(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const dir = scratchDir('carrier-backends');
  const file = join(dir, 'carrier.yaml');
  writeFileSync(file, yaml);
  return loadConfig({ file, env, cwd: dir }).config;
}

describe('which bus the config selects', () => {
  it('is in-process by default, and Redis as soon as a URL is set (REDIS_URL wins over the file)', () => {
    assert.deepEqual(chooseBus(config('{}\n')), { kind: 'in-process' });
    assert.deepEqual(chooseBus(config('bus: { redisUrl: "redis://10.0.0.5:6380" }\n')), {
      kind: 'redis',
      url: 'redis://10.0.0.5:6380',
      keyPrefix: 'carrier:',
    });
    assert.deepEqual(chooseBus(config('bus: { redisUrl: "redis://a:1" }\n', { REDIS_URL: 'redis://b:2' })), {
      kind: 'redis',
      url: 'redis://b:2',
      keyPrefix: 'carrier:',
    });
  });

  it('bus.type: redis means a Redis on this host; in-process ignores a URL', () => {
    assert.deepEqual(chooseBus(config('bus: { type: redis, keyPrefix: "bbs1:" }\n')), {
      kind: 'redis',
      url: 'redis://127.0.0.1:6379',
      keyPrefix: 'bbs1:',
    });
    assert.deepEqual(chooseBus(config('bus: { type: in-process, redisUrl: "redis://x:1" }\n')), { kind: 'in-process' });
  });

  it('refuses workers without Redis, and a URL that is not redis://, naming the key', () => {
    assert.throws(
      () => chooseBus(config('workers: 3\n')),
      (err: unknown) => err instanceof ConfigError && err.key === 'workers' && /3 workers need the Redis bus/.test(err.message),
    );
    assert.throws(
      () => chooseBus(config('bus: { redisUrl: "http://x" }\n')),
      (err: unknown) => err instanceof ConfigError && err.key === 'bus.redisUrl',
    );
    assert.doesNotThrow(() => chooseBus(config('workers: 3\nbus: { redisUrl: "redis://x:1" }\n')));
  });
});

describe('which store the config selects', () => {
  it('SQLite in the data dir by default; PostgreSQL with its pool and schema when a URL is set', () => {
    const log = createMemoryLogger();
    const sqlite = storeOptions(config('{}\n'), log);
    assert.equal(sqlite.databaseUrl, undefined);
    assert.equal(sqlite.searchPath, undefined, 'a schema applies to PostgreSQL only');
    const pg = storeOptions(config('database: { url: "postgres://db/carrier", poolMax: 20, schema: board1 }\n'), log);
    assert.equal(pg.databaseUrl, 'postgres://db/carrier');
    assert.deepEqual(pg.pool, { min: 0, max: 20 });
    assert.equal(pg.searchPath, 'board1');
    assert.deepEqual(storeOptions(config('database: { url: "postgres://db/x" }\n'), log, { min: 0, max: 2 }).pool, { min: 0, max: 2 });
  });
});
