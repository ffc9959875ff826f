import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createMemoryLogger, silentLogger } from '@carrier/core';
import { eventually } from '@carrier/core/testing';
import { dialControl } from '@carrier/sysop/protocol';
import { ControlServer, ControlSocketTakenError } from './control-server.js';
import { ControlStandby } from './control-standby.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'carrier-ctl-'));
  dirs.push(d);
  return d;
}

/** A socket file whose process was killed with -9: the file stays, nothing listens. */
async function staleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(process.argv[1], () => console.log('up'))`, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the socket's process exited (${code}) before listening`)));
  });
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
  assert.ok(existsSync(path), 'the killed process left its socket file');
}

/** A server on `path` that answers ping with its own name. */
function named(path: string, name: string): ControlServer {
  return new ControlServer({
    socketPath: path,
    log: silentLogger,
    audit: { control: () => undefined },
    handler: async (verb) => (verb === 'ping' ? name : null),
  });
}

async function pingAt(path: string): Promise<unknown> {
  const c = await dialControl({ socketPath: path });
  try {
    return await c.request('ping');
  } finally {
    c.close();
  }
}

describe('ControlServer on a socket a killed process left', () => {
  it('two servers taking it over at once: exactly one serves it, the other is told it is taken; the one serving removes it at its stop', async () => {
    const dir = tempDir();
    const path = join(dir, 'control.sock');
    await staleSocket(path);
    const a = named(path, 'a');
    const b = named(path, 'b');
    const [ra, rb] = await Promise.allSettled([a.listen(), b.listen()]);
    const served = [ra, rb].filter((r) => r.status === 'fulfilled').length;
    assert.equal(served, 1, `one server serves (a ${ra.status}, b ${rb.status})`);
    const [winner, loser, lost] = ra.status === 'fulfilled' ? [a, b, rb] : [b, a, ra];
    assert.ok(lost.status === 'rejected' && lost.reason instanceof ControlSocketTakenError, `the other is told the socket is taken: ${lost.status === 'rejected' ? String(lost.reason) : ''}`);
    await loser.close();
    // The socket is the winner's, still, after the loser's close.
    assert.equal(await pingAt(path), winner === a ? 'a' : 'b');
    await winner.close();
    assert.deepEqual(readdirSync(dir), [], 'no socket, claim or temporary name left behind');
  });

  it('stands back while another node holds the claim on that socket, and breaks a claim its holder left when it died', async () => {
    const dir = tempDir();
    const path = join(dir, 'control.sock');
    await staleSocket(path);
    const claim = `${path}.claim-${(await lstat(path)).ino}`;
    writeFileSync(claim, '');
    const a = named(path, 'a');
    await assert.rejects(a.listen(), ControlSocketTakenError);
    await a.close();
    assert.ok(existsSync(path), 'the dead socket is left to the claim\'s holder');
    // The holder was killed between its claim and its rename: a minute later the claim is stale.
    const old = new Date(Date.now() - 60_000);
    utimesSync(claim, old, old);
    const b = named(path, 'b');
    await b.listen();
    assert.equal(await pingAt(path), 'b');
    await b.close();
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe('ControlStandby (a node whose shared data dir\'s socket another node serves)', () => {
  it('serves the socket once the node serving it stops, and lets it go at its own stop', async () => {
    const dir = tempDir();
    const path = join(dir, 'control.sock');
    const a = named(path, 'a');
    await a.listen();
    const log = createMemoryLogger();
    const standby = new ControlStandby({ socketPath: path, log, server: () => named(path, 'standby'), pingMs: 60_000 });
    standby.start();
    await eventually(() => a.clients === 1, 'the standby to hold a connection to the socket');
    assert.equal(standby.server, undefined);
    await a.close();
    await eventually(() => log.lines.find((l) => l['event'] === 'control.socket_taken_over'), 'control.socket_taken_over');
    assert.equal(await pingAt(path), 'standby');
    assert.ok(standby.server);
    await standby.close();
    assert.deepEqual(readdirSync(dir), [], 'its stop removed the socket');
  });

  it('its stop ends the watch: the serving node sees the connection go', async () => {
    const dir = tempDir();
    const path = join(dir, 'control.sock');
    const a = named(path, 'a');
    await a.listen();
    const standby = new ControlStandby({ socketPath: path, log: silentLogger, server: () => named(path, 'standby'), pingMs: 60_000 });
    standby.start();
    await eventually(() => a.clients === 1, 'the standby to hold a connection to the socket');
    await standby.close();
    await eventually(() => a.clients === 0, 'the standby\'s connection to close');
    await a.close();
    assert.equal(standby.server, undefined);
  });
});
