// The foundation, end to end over loopback: real clients (inetutils telnet under expect,
// Python's telnetlib, and a raw socket caller) log in, see who's online and log off.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { repoRoot, run, startCarrier, type Carrier } from '../harness.js';
import { loginRaw, RawTelnet } from '../raw-telnet.js';

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

  it('logs in with inetutils telnet, sees itself and a second caller in who\'s online, and logs off with G', async () => {
    const bob = await loginRaw(board.ports.telnet!, 'bob', 'builder-42');
    try {
      const r = await run('expect', [join(repoRoot, 'tests/e2e/inetutils-telnet.exp'), String(board.ports.telnet), 'alice', 'wonderland7', 'bob'], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stdout.slice(-1500));
      assert.match(r.stdout, /OK/);
    } finally {
      bob.close();
    }
  });

  it('logs in with Python telnetlib, which refuses every option', async () => {
    const alice = await loginRaw(board.ports.telnet!, 'alice', 'wonderland7');
    try {
      const r = await run('python3', [join(repoRoot, 'tests/e2e/telnetlib_caller.py'), String(board.ports.telnet), 'bob', 'builder-42', 'alice'], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /OK/);
    } finally {
      alice.close();
    }
  });

  it('disconnects after three wrong passwords, printing Login incorrect each time', async () => {
    const c = await RawTelnet.connect({ port: board.ports.telnet! });
    await c.waitFor('login:', 15_000);
    for (let i = 0; i < 3; i++) {
      c.send('alice\r');
      await c.waitForNext('password:');
      c.send('not-her-password\r');
      await c.waitForNext('Login incorrect');
    }
    await c.waitClosed();
    assert.equal(c.text().split('Login incorrect').length - 1, 3);
  });

  it('runs the new-user application, and the new account then logs in', async () => {
    const c = await RawTelnet.connect({ port: board.ports.telnet! });
    await c.waitFor('login:', 15_000);
    c.send('new\r');
    await c.waitForNext('Handle');
    c.send('root\r'); // reserved
    await c.waitForNext('Handle');
    c.send('Carol Ann\r');
    await c.waitForNext('Password:');
    c.send('s3cret-pass\r');
    await c.waitForNext('again');
    c.send('s3cret-pass\r');
    await c.waitForNext('call from');
    c.send('Lisbon, Portugal\r');
    await c.waitForNext('Create the account');
    c.send('y');
    await c.waitForNext('Command:');
    c.send('g');
    await c.waitClosed();

    const again = await loginRaw(board.ports.telnet!, 'carol ann', 's3cret-pass');
    again.close();
    const list = await board.cli(['user', 'list']);
    assert.match(list.stdout, /Carol Ann/);
  });

  it('refuses a handle that is already taken, ignoring case', async () => {
    const c = await RawTelnet.connect({ port: board.ports.telnet! });
    await c.waitFor('login:', 15_000);
    c.send('new\r');
    await c.waitForNext('Handle');
    c.send('ALICE\r');
    await c.waitForNext('taken');
    c.close();
  });

  it('follows a NAWS resize after login', async () => {
    const c = await loginRaw(board.ports.telnet!, 'alice', 'wonderland7', { size: { cols: 100, rows: 40 } });
    try {
      c.naws(132, 50);
      await board.waitForLog((l) => l['event'] === 'session.resize' && l['cols'] === 132 && l['rows'] === 50);
    } finally {
      c.close();
    }
  });

  it('sends CP437 box drawing to a terminal that says ansi, and UTF-8 to xterm-256color', async () => {
    const ansi = await RawTelnet.connect({ port: board.ports.telnet!, terminalType: 'ansi', size: { cols: 80, rows: 25 } });
    const xterm = await RawTelnet.connect({ port: board.ports.telnet!, terminalType: 'xterm-256color', size: { cols: 80, rows: 25 } });
    try {
      await ansi.waitFor('login:');
      await xterm.waitFor('login:');
      const boxCp437 = Buffer.from([0xcd, 0xcd, 0xcd]); // ═══ in CP437
      const boxUtf8 = Buffer.from('═══', 'utf8');
      assert.ok(ansi.bytes.includes(boxCp437), 'ansi caller got CP437 box drawing');
      assert.ok(!ansi.bytes.includes(boxUtf8), 'ansi caller got no UTF-8');
      assert.ok(xterm.bytes.includes(boxUtf8), 'xterm caller got UTF-8 box drawing');
      assert.ok(!xterm.bytes.includes(boxCp437), 'xterm caller got no CP437');
    } finally {
      ansi.close();
      xterm.close();
    }
  });
});
