import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Opt } from '@carrier/telnet';
import { DO, IAC, SB, SE, WILL, ScriptedServer } from '../test-support.js';
import { InteractiveCaller } from './caller.js';
import { memoryHistory, type ConnectionHistory } from './history.js';
import { LocalTerminal } from './local-terminal.js';
import { eventually } from '@carrier/core/testing';

class FakeKeyboard extends EventEmitter {
  readonly isTTY = true;
  readonly rawModes: boolean[] = [];
  setRawMode(raw: boolean): void {
    this.rawModes.push(raw);
  }
  resume(): void {}
  pause(): void {}
  type(keys: string | Buffer): void {
    this.emit('data', typeof keys === 'string' ? Buffer.from(keys, 'utf8') : keys);
  }
}

class FakeScreen extends EventEmitter {
  readonly isTTY = true;
  columns = 100;
  rows = 30;
  text = '';
  write(t: string): boolean {
    this.text += t;
    this.emit('written');
    return true;
  }
  async waitFor(needle: string, timeoutMs = 15_000): Promise<void> {
    await eventually(() => this.text.includes(needle), () => `the screen to show ${JSON.stringify(needle)}; it shows ${JSON.stringify(this.text.slice(-300))}`, {
      timeoutMs,
      intervalMs: 5,
    });
  }
}

describe('the interactive caller', () => {
  let server: ScriptedServer;
  let dir: string;
  before(async () => {
    server = await ScriptedServer.start();
    dir = mkdtempSync(join(tmpdir(), 'carrier-caller-'));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function caller(opts: { charset?: 'auto' | 'cp437' | 'utf8'; history?: ConnectionHistory } = {}) {
    const keyboard = new FakeKeyboard();
    const screen = new FakeScreen();
    const errors: string[] = [];
    const c = new InteractiveCaller({
      terminal: new LocalTerminal(keyboard, screen, { write: (t: string) => errors.push(t) }),
      history: opts.history ?? memoryHistory(),
      charset: opts.charset ?? 'auto',
      escapeByte: 0x1d,
      terminalType: 'xterm-kitty',
      connectTimeout: 2000,
      historyProgressMs: 50,
    });
    return { c, keyboard, screen };
  }

  it('writes an open call\'s byte counts to the history while it runs', async () => {
    const history = memoryHistory();
    const { c, keyboard, screen } = caller({ history });
    const done = c.run({ host: '127.0.0.1', port: server.port });
    await server.accepted();
    server.send(Buffer.from('hello from the board\r\n'));
    await screen.waitFor('hello from the board');
    const open = await eventually(
      async () => {
        const call = (await history.recent(1))[0];
        return (call?.bytesIn ?? 0) > 0 && call;
      },
      "the open call's bytes in the history",
      { timeoutMs: 10_000 },
    );
    assert.equal(open.endedAt, null, 'still open');
    assert.ok(open.bytesIn >= 22, `bytes in while open: ${open.bytesIn}`);
    keyboard.type('\x1dquit\r');
    assert.equal(await done, 0);
    assert.notEqual((await history.recent(1))[0]?.endedAt, null);
  });

  it('sends the local TERM and size, shows a CP437 board in UTF-8, and gives the terminal back when the board hangs up', async () => {
    const history = memoryHistory();
    const { c, keyboard, screen } = caller({ charset: 'cp437', history });
    const done = c.run({ host: '127.0.0.1', port: server.port });
    await server.accepted();
    server.send([IAC, DO, Opt.TTYPE, IAC, DO, Opt.NAWS, IAC, SB, Opt.TTYPE, 1, IAC, SE]);
    await server.waitFor([IAC, SB, Opt.TTYPE, 0, ...Buffer.from('xterm-kitty'), IAC, SE]);
    await server.waitFor([IAC, SB, Opt.NAWS, 0, 100, 0, 30, IAC, SE]);
    server.send([0xc9, 0xcd, 0xcd, 0xbb, 0x20, 0xb0, 0xb1, 0xb2]);
    await screen.waitFor('╔══╗ ░▒▓');
    server.hangUp();
    assert.equal(await done, 0);
    assert.match(screen.text, /Connection closed by foreign host/);
    assert.deepEqual(keyboard.rawModes, [true, false]);
    assert.ok(screen.text.endsWith('\x1b[0m\x1b[?25h\x1b[?7h'), 'colours, cursor and autowrap restored last');
    const [entry] = await history.recent(1);
    assert.equal(entry?.port, server.port);
    assert.notEqual(entry?.endedAt, null);
    assert.ok(entry!.bytesIn > 8 && entry!.bytesOut > 20);
  });

  it('opens the prompt on Ctrl-], sends raw bytes untouched, and shows output held while the prompt was open', async () => {
    const { c, keyboard, screen } = caller();
    const done = c.run({ host: '127.0.0.1', port: server.port });
    await server.accepted();
    await screen.waitFor('Escape character is');
    keyboard.type(Buffer.from([0x1d]));
    await screen.waitFor('carrier> ');
    server.send('while you were away');
    keyboard.type('send raw \\xff\\xf6ok\r');
    await server.waitFor([0xff, 0xf6, 0x6f, 0x6b]);
    await screen.waitFor('sent 4 bytes');
    await screen.waitFor('while you were away');
    assert.ok(screen.text.indexOf('while you were away') > screen.text.indexOf('sent 4 bytes'), 'held until the session resumed');
    keyboard.type(Buffer.from([0x1d]));
    keyboard.type('quit\r');
    assert.equal(await done, 0);
    await server.waitClosed();
  });

  it('captures the session to a file, lists history, and resizes with NAWS', async () => {
    const history = memoryHistory();
    const { c, keyboard, screen } = caller({ history });
    const log = join(dir, 'session.log');
    const done = c.run({ host: '127.0.0.1', port: server.port });
    await server.accepted();
    server.send([IAC, DO, Opt.NAWS]);
    await server.waitFor([IAC, SB, Opt.NAWS, 0, 100, 0, 30, IAC, SE]);
    keyboard.type(`\x1dlog ${log}\r`);
    await screen.waitFor(`logging the session to ${log}`);
    keyboard.type('\r');
    server.send('Hello from the board\r\n');
    await screen.waitFor('Hello from the board');
    screen.columns = 132;
    screen.rows = 43;
    screen.emit('resize');
    await server.waitFor([IAC, SB, Opt.NAWS, 0, 132, 0, 43, IAC, SE]);
    keyboard.type('\x1dhistory\r');
    await screen.waitFor('(open)');
    assert.match(screen.text, new RegExp(`127\\.0\\.0\\.1:${server.port}`));
    keyboard.type('log off\r');
    await screen.waitFor('log closed');
    // whole when the caller is told it is closed (it was ended and not waited for: read at once, under load it was empty)
    assert.equal(readFileSync(log, 'utf8'), 'Hello from the board\r\n');
    keyboard.type('\x1dlog off\r');
    await screen.waitFor('not logging');
    keyboard.type('quit\r');
    assert.equal(await done, 0);
    assert.equal(readFileSync(log, 'utf8'), 'Hello from the board\r\n');
  });

  it('echoes typing locally to a line service and sends Enter as CR LF; CR NUL once the server echoes', async () => {
    const { c, keyboard, screen } = caller();
    const done = c.run({ host: '127.0.0.1', port: server.port });
    await server.accepted();
    await screen.waitFor('Escape character is');
    keyboard.type('HELO\r');
    await server.waitFor('HELO\r\n');
    await screen.waitFor('HELO\r\n');
    server.clear();
    server.send([IAC, WILL, Opt.ECHO]);
    await server.waitFor([IAC, DO, Opt.ECHO]);
    const before = screen.text.length;
    keyboard.type('x');
    await server.waitFor('x');
    assert.equal(screen.text.slice(before).includes('x'), false, 'the server echoes now');
    server.clear();
    keyboard.type('y\r');
    await server.waitFor('y\r\0');
    keyboard.type('\x1dquit\r');
    assert.equal(await done, 0);
  });

  it('starts at the prompt without a host, reports a refused open, and quits on Ctrl-D', async () => {
    const { c, keyboard, screen } = caller();
    const done = c.run();
    await screen.waitFor('carrier> ');
    keyboard.type('open 127.0.0.1 1\r');
    await screen.waitFor('cannot connect to 127.0.0.1 1');
    keyboard.type('\x04');
    assert.equal(await done, 0);
    assert.deepEqual(keyboard.rawModes, [true, false]);
  });
});
