import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createMemoryLogger, isCarrierError } from '@carrier/core';
import { eventually } from '@carrier/core/testing';
import { CleanupStack } from './cleanup-stack.js';
import { loadConfig } from './config.js';
import { startBoard } from './start.js';

describe('CleanupStack', () => {
  it('runs the steps last-deferred first, every one even when some throw, then throws the first error', async () => {
    const ran: string[] = [];
    const stack = new CleanupStack();
    stack.defer(() => ran.push('store'));
    stack.defer(async () => {
      ran.push('bus');
      throw new Error('bus would not close');
    });
    stack.defer(async () => {
      await new Promise((r) => setTimeout(r, 5));
      ran.push('servers');
    });
    await assert.rejects(stack.dispose(), /bus would not close/);
    assert.deepEqual(ran, ['servers', 'bus', 'store']);
    await assert.rejects(stack.dispose(), /bus would not close/, 'a second dispose is the first one');
    assert.deepEqual(ran, ['servers', 'bus', 'store'], 'nothing runs twice');
    assert.throws(() => stack.defer(() => undefined), /after dispose/);
  });

  it('reports several failures together', async () => {
    const stack = new CleanupStack();
    stack.defer(() => {
      throw new Error('a');
    });
    stack.defer(() => {
      throw new Error('b');
    });
    await assert.rejects(stack.dispose(), (err: unknown) => err instanceof AggregateError && err.errors.length === 2);
  });
});

/** Handles and requests that keep the event loop alive, by type (timers, sockets, servers...). */
function liveResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

function grewSince(before: Map<string, number>): string[] {
  const now = liveResources();
  return [...now].filter(([type, n]) => n > (before.get(type) ?? 0)).map(([type, n]) => `${type} ${before.get(type) ?? 0} -> ${n}`);
}

describe('a start that fails', { timeout: 60_000 }, () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function config(yaml: string) {
    const dir = mkdtempSync(join(tmpdir(), 'carrier-start-'));
    dirs.push(dir);
    const file = join(dir, 'carrier.yaml');
    writeFileSync(
      file,
      `host: 127.0.0.1\ndataDir: ${JSON.stringify(join(dir, 'data'))}\nssh: { port: off }\nweb: { port: off }\nhealth: { port: off }\ncontrol: { enabled: false }\n${yaml}`,
    );
    return loadConfig({ file, env: {}, cwd: join(process.cwd()) }).config;
  }

  it('on a port in use closes the listener it had opened, the bus, security and the store', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      // telnet listens first (port 0), then rlogin finds its port taken.
      const cfg = config(`telnet: { port: 0 }\nrlogin: { port: ${taken} }\n`);
      const log = createMemoryLogger();
      const before = liveResources();
      await assert.rejects(startBoard(cfg, log), /already in use|EADDRINUSE/);
      // Closing is asynchronous below the awaits (sockets, the SQLite handle): wait for it.
      await eventually(() => grewSince(before).length === 0, () => `resources left: ${grewSince(before).join(', ')}`);
      assert.equal(log.lines.filter((l) => l.msg === 'board.start_cleanup_failed').length, 0);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('in createBoard (a bad board setting) still closes the store, security and the bus', async () => {
    const cfg = config('telnet: { port: 0 }\n');
    cfg.limits.maxLineLength = 0; // past the schema's range: createBoard refuses it
    const before = liveResources();
    await assert.rejects(startBoard(cfg, createMemoryLogger()), (err: unknown) => isCarrierError(err, 'CONFIG_INVALID'));
    await eventually(() => grewSince(before).length === 0, () => `resources left: ${grewSince(before).join(', ')}`);
  });
});
