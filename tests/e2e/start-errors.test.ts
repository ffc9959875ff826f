// A board that cannot start says why in one line (front end, address, port, and the key or
// variable to change) and exits 1: no Node stack trace for a port already in use.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, run } from '../harness.js';

describe('starting on a port that is taken', () => {
  let dir: string;
  let squatter: net.Server;
  let port: number;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carrier-start-'));
    squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    port = (squatter.address() as net.AddressInfo).port;
    writeFileSync(
      join(dir, 'carrier.yaml'),
      [`dataDir: ${join(dir, 'data')}`, `telnet: { port: ${port} }`, 'ssh: { port: off }', 'web: { port: off }'].join('\n'),
    );
  });
  after(() => {
    squatter.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints one line naming the front end, the address, the port and what to change, and exits 1', async () => {
    const r = await run(process.execPath, ['--conditions=carrier-src', '--import', 'tsx', join(repoRoot, 'packages/server/src/cli.ts'), 'start'], {
      env: { ...process.env, CARRIER_CONFIG: join(dir, 'carrier.yaml') },
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, new RegExp(`^carrier: cannot start the telnet front end on 127\\.0\\.0\\.1:${port}: the address is already in use`));
    assert.match(lines[0]!, /telnet\.port/);
    assert.match(lines[0]!, /CARRIER_TELNET_PORT/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
});

describe('a database or Redis that does not answer', () => {
  let dir: string;
  let closedPort: number;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carrier-start-'));
    writeFileSync(join(dir, 'carrier.yaml'), [`dataDir: ${join(dir, 'data')}`, 'telnet: { port: 0 }', 'ssh: { port: off }', 'web: { port: off }'].join('\n'));
    // A port nothing listens on: taken from the system, then let go.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const carrier = (args: string[], env: NodeJS.ProcessEnv): ReturnType<typeof run> =>
    run(process.execPath, ['--conditions=carrier-src', '--import', 'tsx', join(repoRoot, 'packages/server/src/cli.ts'), ...args], {
      env: { ...process.env, CARRIER_CONFIG: join(dir, 'carrier.yaml'), ...env },
      timeoutMs: 60_000,
    });

  const oneLine = (r: { code: number | null; stderr: string }, pattern: RegExp): void => {
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  };

  it('a store verb says in one line that PostgreSQL cannot be reached, and exits 1', async () => {
    const r = await carrier(['user', 'list'], { DATABASE_URL: `postgres://carrier@127.0.0.1:${closedPort}/board` });
    oneLine(r, new RegExp(`^carrier: cannot open the postgres store: connect ECONNREFUSED 127\\.0\\.0\\.1:${closedPort}$`));
  });

  it('start says in one line that Redis cannot be reached, and exits 1', async () => {
    const r = await carrier(['start'], { REDIS_URL: `redis://127.0.0.1:${closedPort}` });
    oneLine(r, new RegExp(`^carrier: cannot reach Redis at redis://127\\.0\\.0\\.1:${closedPort}`));
  });
});
