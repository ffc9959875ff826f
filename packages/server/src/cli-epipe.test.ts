// `carrier user list | head -1`: the reader stops early, and the CLI must stop quietly
// (exit 0, nothing on stderr) instead of dying of an unhandled EPIPE with a stack (cli.ts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@carrier/core';
import { openStore } from '@carrier/store';
import { TEST_SCRYPT_PARAMS } from '@carrier/store/testing';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
/** Linux pipes hold 64 KiB: the list must be longer, so the CLI is still writing when the reader goes. */
const USERS = 1600;

describe('carrier … | head', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carrier-epipe-'));
  const config = join(dir, 'carrier.yaml');
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    writeFileSync(config, `dataDir: ${JSON.stringify(dir)}\nlog: { file: false }\n`);
    const store = await openStore({ dataDir: dir, log: silentLogger, passwordParams: TEST_SCRYPT_PARAMS });
    try {
      // One account made the board's way; the rest copy its row in batches (a list is what is
      // tested here, and 1,600 creates one by one cost 15 s of CI).
      const first = await store.users.create({ handle: 'caller 00000', password: 'long enough pw' });
      const row = (await store.knex('users').where({ id: first.id }).first('password_hash', 'level', 'created_at')) as Record<string, unknown>;
      const rows = Array.from({ length: USERS - 1 }, (_, i) => {
        const handle = `caller ${String(i + 1).padStart(5, '0')}`;
        return { ...row, handle, handle_key: handle.toLowerCase() };
      });
      for (let i = 0; i < rows.length; i += 200) await store.knex('users').insert(rows.slice(i, i + 200));
    } finally {
      await store.close();
    }
  });

  it('user list into a reader that closes after the first line exits 0 with nothing on stderr', { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, ['--conditions=carrier-src', '--import', 'tsx', join(repoRoot, 'packages', 'server', 'src', 'cli.ts'), 'user', 'list'], {
      cwd: repoRoot,
      env: { ...process.env, CARRIER_CONFIG: config, CARRIER_DATA_DIR: dir, DATABASE_URL: '', REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    let first = '';
    // What `head -1` does: read until a line is in, then close the pipe.
    child.stdout.on('data', (d: Buffer) => {
      first += d.toString('utf8');
      if (first.includes('\n')) child.stdout.destroy();
    });
    const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
    assert.match(first, /^handle +level +calls +last login\n/);
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });
});
