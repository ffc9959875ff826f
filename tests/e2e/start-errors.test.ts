// A board that cannot start says why in one line (front end, address, port, and the key or
// variable to change) and exits 1: no Node stack trace for a port already in use. A board
// started on a data dir another board runs on is refused (exit 2) before it opens anything.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { carrierArgv, repoRoot, run, startCarrier, type Carrier } from '../harness.js';

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
    const r = await run(process.execPath, [...carrierArgv, 'start'], {
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
    run(process.execPath, [...carrierArgv, ...args], {
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

describe('a second board on a data dir a board is running on', () => {
  const boards: Carrier[] = [];
  after(async () => {
    // The last board's stop() removes the data dir they all used.
    for (const b of boards.reverse()) await b.stop();
  });

  it('refuses to start (exit 2, naming the data dir and the running board\'s process) before it opens anything; after a kill -9 the dir is free again', { timeout: 180_000 }, async () => {
    const first = await startCarrier({ logLevel: 'info' });
    boards.push(first);
    // The same config: the same data dir, its own ports (0: the kernel's choice).
    const second = await run(process.execPath, [...carrierArgv, 'start'], {
      env: first.env,
      timeoutMs: 60_000,
    });
    // Fails without: the second board started (it logged control.listen_failed and served
    // callers on its own ports) and ran until this run's deadline killed it.
    assert.equal(second.code, 2, `stdout: ${second.stdout.slice(-1500)}\nstderr: ${second.stderr}`);
    assert.equal(
      second.stderr,
      `carrier: a board is already running on the data dir ${first.dataDir} (process ${first.process.pid}): ` +
        'stop it first (carrier shutdown), or give this board a data dir of its own (dataDir or CARRIER_DATA_DIR)\n',
    );
    assert.equal(second.stdout, '', 'not a log line: no store, listener or log was opened');
    // The running board still has its control channel.
    const who = await first.cli(['who']);
    assert.equal(who.code, 0, who.stderr);

    // A board that died without letting go (kill -9) leaves its lock behind: the next start takes it.
    const exited = new Promise((r) => first.process.once('exit', r));
    first.process.kill('SIGKILL');
    await exited;
    const next = await startCarrier({ logLevel: 'info', env: { CARRIER_DATA_DIR: first.dataDir } });
    boards.push(next);
    assert.equal((await next.cli(['who'])).code, 0);
  });
});
