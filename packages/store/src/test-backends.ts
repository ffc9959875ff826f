import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { createMemoryLogger } from '@carrier/core';
import { serviceMissing } from '@carrier/core/testing';
import type { ScryptParams } from './passwords.js';
import type { StoreOptions } from './store.js';

/**
 * For the store's tests: the same suite runs on SQLite (a temp dir) and PostgreSQL (a
 * schema of its own per test file, dropped afterwards, so parallel files never meet).
 * Not exported from the package.
 */
export interface TestBackend {
  readonly kind: 'sqlite' | 'postgres';
  /** openStore options for a new, empty database. */
  fresh(): Promise<StoreOptions>;
  /** Removes every database `fresh` made. */
  cleanup(): Promise<void>;
}

/** Cheap enough for a test suite; the defaults are exercised in passwords.test.ts. */
export const TEST_SCRYPT_PARAMS: ScryptParams = { N: 1024, r: 8, p: 1, keylen: 32 };

const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
/** Trust-auth setups without a `postgres` role: no user in the URL, so the OS user. */
const FALLBACK_PG_URL = 'postgres://127.0.0.1:5432/test';

/**
 * Like psql, take the OS user when the URL names none: node-postgres reads only $USER,
 * which service shells and CI runners often leave unset.
 */
function withDefaultUser(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (url.username === '') url.username = userInfo().username;
  return url.toString();
}

function sqliteBackend(): TestBackend {
  const dirs: string[] = [];
  return {
    kind: 'sqlite',
    async fresh() {
      const dataDir = await mkdtemp(join(tmpdir(), 'carrier-store-'));
      dirs.push(dataDir);
      return { dataDir, log: createMemoryLogger(), passwordParams: TEST_SCRYPT_PARAMS };
    },
    async cleanup() {
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

async function reachable(url: string): Promise<boolean> {
  const knex = knexFactory({ client: 'pg', connection: { connectionString: url, connectionTimeoutMillis: 3000 } });
  try {
    await knex.raw('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await knex.destroy();
  }
}

function postgresBackend(databaseUrl: string): TestBackend {
  const schemas: string[] = [];
  return {
    kind: 'postgres',
    async fresh() {
      const searchPath = `carrier_t_${randomBytes(6).toString('hex')}`;
      schemas.push(searchPath);
      return { dataDir: tmpdir(), databaseUrl, searchPath, log: createMemoryLogger(), passwordParams: TEST_SCRYPT_PARAMS };
    },
    async cleanup() {
      const knex = knexFactory({ client: 'pg', connection: databaseUrl });
      try {
        for (const s of schemas) await knex.raw('drop schema if exists ?? cascade', [s]);
      } finally {
        await knex.destroy();
      }
    },
  };
}

/**
 * SQLite always; PostgreSQL at CARRIER_TEST_PG_URL (required to work when set) or the
 * local default (skipped, with the reason, when nothing listens there; under CI=true a
 * missing PostgreSQL throws instead).
 */
export async function testBackends(): Promise<{ backends: TestBackend[]; skipped: string | null }> {
  const env = process.env['CARRIER_TEST_PG_URL'];
  const explicit = env === undefined || env === '' ? undefined : withDefaultUser(env);
  const backends = [sqliteBackend()];
  if (explicit !== undefined) {
    if (!(await reachable(explicit))) throw new Error(`CARRIER_TEST_PG_URL is set but unreachable: ${explicit}`);
    return { backends: [...backends, postgresBackend(explicit)], skipped: null };
  }
  for (const url of [DEFAULT_PG_URL, withDefaultUser(FALLBACK_PG_URL)]) {
    if (await reachable(url)) return { backends: [...backends, postgresBackend(url)], skipped: null };
  }
  return { backends, skipped: serviceMissing(`no PostgreSQL at ${DEFAULT_PG_URL}; set CARRIER_TEST_PG_URL to run those tests`) };
}
