// Passwords end to end: hashed with the configured scrypt cost, the cost stored in each
// hash, and a login with an older, cheaper hash upgrading it; the password itself never
// appears in any log.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot, startCarrier, type Carrier } from '../harness.js';
import { loginRaw } from '../raw-telnet.js';

/** The little of knex this test uses; knex is the store package's dependency, not the root's. */
interface Knex {
  (table: string): { where(q: object): { first(col: string): Promise<unknown> } };
  destroy(): Promise<void>;
}
const knexFactory = createRequire(join(repoRoot, 'packages', 'store', 'package.json'))('knex') as (config: object) => Knex;

async function storedHash(dataDir: string, handle: string): Promise<string> {
  const knex = knexFactory({ client: 'sqlite3', connection: { filename: join(dataDir, 'carrier.sqlite') }, useNullAsDefault: true });
  try {
    const row = (await knex('users').where({ handle }).first('password_hash')) as { password_hash: string };
    return row.password_hash;
  } finally {
    await knex.destroy();
  }
}

describe('password hashing', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'carrier-scrypt-'));
  let board: Carrier | undefined;
  after(async () => {
    await board?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('uses security.scrypt for new hashes, and a raised N rehashes at the next login', async () => {
    const secret = 'hunter2-but-longer';
    board = await startCarrier({ yaml: 'security: { scrypt: { N: 2048 } }', env: { CARRIER_DATA_DIR: dataDir }, logLevel: 'debug' });
    await board.addUser('alice', secret);
    assert.match(await storedHash(dataDir, 'alice'), /^scrypt\$2048\$8\$1\$/);
    await board.stop();

    board = await startCarrier({ yaml: 'security: { scrypt: { N: 4096 } }', env: { CARRIER_DATA_DIR: dataDir }, logLevel: 'debug' });
    const c = await loginRaw(board.ports.telnet!, 'alice', secret);
    c.close();
    assert.match(await storedHash(dataDir, 'alice'), /^scrypt\$4096\$8\$1\$/);
    const everything = JSON.stringify(board.logs) + readFileSync(join(dataDir, 'logs', 'audit.log'), 'utf8');
    assert.ok(!everything.includes(secret), 'the password is in no log line');
  });
});
