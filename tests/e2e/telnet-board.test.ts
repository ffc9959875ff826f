// The foundation, end to end over loopback: real clients (inetutils telnet under expect,
// Python's telnetlib) and scripted callers on @carrier/client log in, see who's online and
// log off.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { connect, type ConnectOptions, type TelnetClient } from '@carrier/client';
import { repoRoot, run, startCarrier, type Carrier } from '../harness.js';

/** The first screen waits for the board's script cache on a cold start. */
const FIRST_SCREEN_MS = 15_000;

describe('a caller on the telnet front end', () => {
  let board: Carrier;

  before(async () => {
    board = await startCarrier();
    await board.addUser('alice', 'wonderland7');
    await board.addUser('bob', 'builder-42');
  });
  after(async () => {
    await board.stop();
  });

  const call = (opts: ConnectOptions = {}) => connect({ port: board.ports.telnet!, ...opts });

  /** Log a scripted caller in and leave it at the main menu. */
  async function login(handle: string, password: string, opts: ConnectOptions = {}): Promise<TelnetClient> {
    const c = await call(opts);
    await c.readUntil('login:', { timeout: FIRST_SCREEN_MS });
    c.writeLine(handle);
    await c.readUntil('password:');
    c.writeLine(password);
    await c.readUntil('Command:');
    return c;
  }

  it('logs in with inetutils telnet, sees itself and a second caller in who\'s online, and logs off with G', async () => {
    const bob = await login('bob', 'builder-42');
    try {
      const r = await run('expect', [join(repoRoot, 'tests/e2e/inetutils-telnet.exp'), String(board.ports.telnet), 'alice', 'wonderland7', 'bob'], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stdout.slice(-1500));
      assert.match(r.stdout, /OK/);
    } finally {
      await bob.close();
    }
  });

  it('logs in with Python telnetlib, which refuses every option', async () => {
    const alice = await login('alice', 'wonderland7');
    try {
      const r = await run('python3', [join(repoRoot, 'tests/e2e/telnetlib_caller.py'), String(board.ports.telnet), 'bob', 'builder-42', 'alice'], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /OK/);
    } finally {
      await alice.close();
    }
  });

  it('disconnects after three wrong passwords, printing Login incorrect each time', async () => {
    const c = await call();
    await c.readUntil('login:', { timeout: FIRST_SCREEN_MS });
    for (let i = 0; i < 3; i++) {
      c.writeLine('alice');
      await c.readUntil('password:');
      c.writeLine('not-her-password');
      await c.readUntil('Login incorrect');
    }
    assert.doesNotMatch(await c.readAll(), /Login incorrect/, 'three, and no fourth');
  });

  it('runs the new-user application, and the new account then logs in', async () => {
    const c = await call();
    await c.readUntil('login:', { timeout: FIRST_SCREEN_MS });
    c.writeLine('new');
    await c.readUntil('Handle');
    c.writeLine('root'); // reserved
    await c.readUntil('Handle');
    c.writeLine('Carol Ann');
    await c.readUntil('Password:');
    c.writeLine('s3cret-pass');
    await c.readUntil('again');
    c.writeLine('s3cret-pass');
    await c.readUntil('call from');
    c.writeLine('Lisbon, Portugal');
    await c.readUntil('Create the account');
    c.write('y');
    await c.readUntil('Command:');
    c.write('g');
    await c.whenClosed();

    const again = await login('carol ann', 's3cret-pass');
    await again.close();
    const list = await board.cli(['user', 'list']);
    assert.match(list.stdout, /Carol Ann/);
  });

  it('refuses a handle that is already taken, ignoring case', async () => {
    const c = await call();
    await c.readUntil('login:', { timeout: FIRST_SCREEN_MS });
    c.writeLine('new');
    await c.readUntil('Handle');
    c.writeLine('ALICE');
    await c.readUntil('taken');
    await c.close();
  });

  it('follows a NAWS resize after login', async () => {
    const c = await login('alice', 'wonderland7', { cols: 100, rows: 40 });
    try {
      c.resize(132, 50);
      await board.waitForLog((l) => l['event'] === 'session.resize' && l['cols'] === 132 && l['rows'] === 50);
    } finally {
      await c.close();
    }
  });

  it('sends CP437 box drawing to a terminal that says ansi, and UTF-8 to xterm-256color', async () => {
    // CHARSET refused, so the terminal type alone decides.
    const byType = (terminalType: string) => call({ terminalType, onOption: (_cmd, option) => (option === 42 ? false : undefined) });
    const received = (c: TelnetClient) => {
      const chunks: Buffer[] = [];
      c.on('data', (b) => chunks.push(b));
      return () => Buffer.concat(chunks);
    };
    const ansi = await byType('ansi');
    const ansiBytes = received(ansi);
    const xterm = await byType('xterm-256color');
    const xtermBytes = received(xterm);
    try {
      await ansi.readUntil('login:');
      await xterm.readUntil('login:');
      const boxCp437 = Buffer.from([0xcd, 0xcd, 0xcd]); // ═══ in CP437
      const boxUtf8 = Buffer.from('═══', 'utf8');
      assert.ok(ansiBytes().includes(boxCp437), 'ansi caller got CP437 box drawing');
      assert.ok(!ansiBytes().includes(boxUtf8), 'ansi caller got no UTF-8');
      assert.ok(xtermBytes().includes(boxUtf8), 'xterm caller got UTF-8 box drawing');
      assert.ok(!xtermBytes().includes(boxCp437), 'xterm caller got no CP437');
    } finally {
      await ansi.close();
      await xterm.close();
    }
  });
});
