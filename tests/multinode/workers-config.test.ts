// `carrier start --workers 2` on a files.yaml the board refuses: every worker stops at
// start with the config error, and the primary stops with exit 2 instead of restarting
// them for ever (before: each worker printed the error and then hung on its IPC channel,
// and the board sat there serving nothing until it was killed).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { carrierArgv, repoRoot, run } from '../harness.js';
import { dropPrefix, findRedis, uniquePrefix } from './services.js';

const redis = await findRedis();
const skip = !redis ? 'no Redis at 127.0.0.1:6379 (set CARRIER_TEST_REDIS_URL)' : false;

describe('a --workers board on a config its workers refuse', { skip, timeout: 120_000 }, () => {
  let dir: string;
  const prefix = uniquePrefix();
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'carrier-workers-config-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropPrefix(redis!, prefix);
  });

  it('stops with exit 2 and the file and key, without restarting the workers', async () => {
    const data = join(dir, 'data');
    mkdirSync(data);
    const files = join(dir, 'files.yaml');
    // A quarantine inside an area's folder: unapproved uploads would be public.
    writeFileSync(files, ['quarantine: files/uploads/waiting', 'areas:', '  - tag: uploads', '    folder: files/uploads', ''].join('\n'));
    const config = join(dir, 'carrier.yaml');
    writeFileSync(
      config,
      [
        `dataDir: ${JSON.stringify(data)}`,
        'telnet: { port: 0 }',
        'ssh: { port: off }',
        'web: { port: off }',
        `files: { file: ${JSON.stringify(files)} }`,
        `bus: { redisUrl: ${JSON.stringify(redis)}, keyPrefix: ${JSON.stringify(prefix)} }`,
        '',
      ].join('\n'),
    );
    const r = await run(process.execPath, [...carrierArgv, 'start', '--workers', '2'], {
      env: { ...process.env, CARRIER_CONFIG: config, DATABASE_URL: '', REDIS_URL: '' },
      timeoutMs: 90_000,
    });
    assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
    assert.ok(r.stderr.includes(`carrier: invalid config: ${files}:4: areas[0].folder: `), r.stderr);
    const events = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as { event?: string }).event);
    assert.ok(events.includes('cluster.worker_config_refused'), events.join(' '));
    assert.equal(events.filter((e) => e === 'cluster.worker_started').length, 2, 'no worker restarted');
  });
});
