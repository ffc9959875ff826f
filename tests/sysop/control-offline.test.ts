// The one-shot control verbs (and status) with no board running: exit 1 and say so; a usage mistake exits 2.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { carrierArgv, repoRoot, startCarrier } from '../harness.js';

describe('control verbs without a board', () => {
  it('exit 1 with "no board is running at <dataDir>", and 2 on a usage mistake', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'carrier-offline-'));
    try {
      const config = join(dataDir, 'carrier.yaml');
      writeFileSync(config, `dataDir: ${JSON.stringify(dataDir)}\nlog: { file: false }\n`);
      const env = { ...process.env, CARRIER_CONFIG: config, CARRIER_DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '' };
      const run = (args: string[]) =>
        spawnSync(process.execPath, [...carrierArgv, ...args], { cwd: repoRoot, env, encoding: 'utf8' });
      for (const args of [['who'], ['kick', '1'], ['broadcast', 'hello']]) {
        const r = run(args);
        assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
        assert.equal(r.stderr.trim(), `carrier: no board is running at ${dataDir}`);
      }
      // status reads what it can (the database), then says no board answers, with exit 1.
      const status = run(['status']);
      assert.equal(status.status, 1, status.stdout + status.stderr);
      assert.equal(status.stderr.trim(), `carrier: status: no board is running at ${dataDir}`);
      assert.match(status.stdout, /^database: up$/m);
      const usage = run(['kick']);
      assert.equal(usage.status, 2);
      assert.match(usage.stderr, /kick needs a node number/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('status after a board was killed', () => {
  it('says no board is running at once after a kill -9 (its data dir lock no longer answers), not for the next 30 s', async () => {
    const board = await startCarrier({ logLevel: 'info' });
    try {
      const up = await board.cli(['status']);
      assert.equal(up.code, 0, up.stdout + up.stderr);
      const dead = new Promise((done) => board.process.once('exit', done));
      board.process.kill('SIGKILL');
      await dead;
      // The database still has its beat from under 5 s ago.
      const status = await board.cli(['status']);
      assert.equal(status.code, 1, status.stdout + status.stderr);
      assert.match(status.stderr, /carrier: status: no board is running at /);
    } finally {
      await board.stop();
    }
  });
});
