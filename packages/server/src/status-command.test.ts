import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createMemoryLogger, silentLogger } from '@carrier/core';
import { openStore } from '@carrier/store';
import { storeOptions } from './backends.js';
import { loadConfig } from './config.js';
import { startHealthServer } from './health.js';
import { statusCommand } from './status-command.js';
import type { StatusReport } from './status-report.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function config(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'carrier-status-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'carrier.yaml'), `dataDir: ${JSON.stringify(dir)}\n${yaml}`);
  return loadConfig({ file: join(dir, 'carrier.yaml'), env: {}, cwd: dir }).config;
}

async function run(cfg: ReturnType<typeof config>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await statusCommand(cfg, (t) => (out += t.endsWith('\n') ? t : `${t}\n`), (t) => (err += t));
  return { code, out, err };
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('carrier status', () => {
  it('without the endpoint, on SQLite and the in-process bus: the database and bans, and why callers are not shown', async () => {
    const cfg = config('');
    // What a running board does every 5 s (process-calls.ts): its beat in the database.
    const store = await openStore(storeOptions(cfg, silentLogger));
    try {
      await store.processes.beat('host:1:beating', Date.now());
    } finally {
      await store.close();
    }
    const r = await run(cfg);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    assert.match(r.out, /^database: up$/m);
    assert.match(r.out, /^bans: \d+ active$|^bans: not kept by this store$/m);
    assert.match(r.out, /^board: who's online is kept inside the running board/m);
    assert.doesNotMatch(r.out, /0 processes/, 'it does not claim the board is empty');
  });

  it('without the endpoint and with no board running (no beat, no control channel): exit 1, "no board is running at <dataDir>"', async () => {
    const cfg = config('');
    const r = await run(cfg);
    assert.equal(r.code, 1);
    assert.equal(r.err, `carrier: status: no board is running at ${cfg.dataDir}\n`);
    assert.match(r.out, /^database: up$/m, 'what it could read is still shown');
  });

  it('with the endpoint on, reports what the running board says, and exits 1 when it is degraded', async () => {
    const report: StatusReport = {
      at: 1,
      board: { processes: [{ processId: 'h:1', startedAt: 1, sessions: 1 }], callersByProtocol: { rlogin: 1 }, loggingIn: 0, nodesInUse: 1, db: { up: false, error: 'gone' }, bans: 0 },
      processes: [],
    };
    const server = await startHealthServer({ host: '127.0.0.1', port: 0, log: createMemoryLogger(), report: async () => report });
    try {
      const r = await run(config(`health: { port: ${server.port} }\n`));
      assert.equal(r.code, 1);
      assert.match(r.out, /^board: 1 process, 1 caller \(rlogin 1\), 0 logging in, 1 node in use$/m);
      assert.match(r.out, /^database: DOWN \(gone\)$/m);
      assert.match(r.out, /^problem: database unavailable: gone$/m);
    } finally {
      await server.close();
    }
  });

  it('says so, with exit 1, when the board it should ask is not running', async () => {
    const port = await closedPort();
    const r = await run(config(`health: { port: ${port} }\n`));
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`cannot reach the board at http://127\\.0\\.0\\.1:${port}/health .*is it running\\?`));
  });
});
