import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { BaseConnection, type Encoding, type TerminalInfo } from '@carrier/core';
import { openView, viewTerminalName } from './view.js';

class FakeConnection extends BaseConnection {
  out: Buffer[] = [];
  full = false;
  constructor(terminal: Partial<TerminalInfo>) {
    super({ protocol: 'ssh', remoteAddress: '192.0.2.7', terminal });
  }
  typed(bytes: string | Buffer): void {
    this.pushInput(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }
  drained(): void {
    this.full = false;
    this.emit('drain');
  }
  text(): string {
    return Buffer.concat(this.out).toString('latin1');
  }
  protected override sendRaw(bytes: Buffer): boolean {
    this.out.push(bytes);
    return !this.full;
  }
  protected override endTransport(): void {}
}

const terminal = (encoding: Encoding, type = 'xterm-256color'): Partial<TerminalInfo> => ({ type, types: [type], encoding, cols: 80, rows: 25 });
const CONN_EVENTS = ['data', 'resize', 'drain', 'close'] as const;
const PROCESS_EVENTS = ['uncaughtException', 'SIGINT', 'SIGTERM', 'SIGQUIT', 'exit'] as const;
const connListeners = (c: FakeConnection) => CONN_EVENTS.map((e) => c.listenerCount(e));
const processListeners = () => PROCESS_EVENTS.map((e) => process.listenerCount(e));

test('terminal types map to the three names blessed is given', () => {
  const info = (type: string, encoding: Encoding, env: Record<string, string> = {}) =>
    ({ protocol: 'telnet', type, types: [type], cols: 80, rows: 25, encoding, env, sizeSource: 'default', encodingSource: 'default' }) as TerminalInfo;
  assert.equal(viewTerminalName(info('xterm-256color', 'utf8')), 'xterm-256color');
  assert.equal(viewTerminalName(info('xterm', 'utf8', { COLORTERM: 'truecolor' })), 'xterm-256color');
  assert.equal(viewTerminalName(info('linux', 'utf8')), 'xterm');
  assert.equal(viewTerminalName(info('syncterm', 'cp437')), 'ansi');
  assert.equal(viewTerminalName(info('ansi-256color', 'cp437')), 'ansi');
});

test('a view renders widgets to its own connection at the connection’s size', async () => {
  const conn = new FakeConnection(terminal('utf8'));
  const view = openView(conn);
  assert.equal(view.screen.width, 80);
  assert.equal(view.screen.height, 25);
  view.blessed.box({ parent: view.screen, top: 2, left: 3, width: 20, height: 3, content: 'Hello caller' });
  view.screen.render();
  await tick();
  // blessed skips blank cells with cursor-forward, so words arrive separately.
  assert.match(conn.text(), /\x1b\[3;1H.*Hello.*caller/);
  view.close();
});

test('a resize of the connection reaches the screen', async () => {
  const conn = new FakeConnection(terminal('utf8'));
  const view = openView(conn);
  const resized = new Promise<void>((r) => view.screen.once('resize', () => r()));
  conn.setSize(120, 40, 'naws');
  await resized;
  assert.equal(view.screen.width, 120);
  assert.equal(view.screen.height, 40);
  view.close();
});

test('keys reach the screen whole, even when a sequence is split across reads', async () => {
  const conn = new FakeConnection(terminal('utf8'));
  const view = openView(conn);
  const names: string[] = [];
  view.screen.on('keypress', (_ch: string, key: { full: string }) => names.push(key.full));
  conn.typed('q');
  conn.typed('\x1b');
  conn.typed('[');
  conn.typed('A');
  conn.typed(Buffer.from('é', 'utf8').subarray(0, 1));
  conn.typed(Buffer.from('é', 'utf8').subarray(1));
  await tick();
  assert.deepEqual(names, ['q', 'up', 'é']);
  view.close();
});

test('a lone ESC reaches the screen once the escape timeout passes', async () => {
  const conn = new FakeConnection(terminal('utf8'));
  const view = openView(conn, { escapeTimeoutMs: 5 });
  const got = new Promise<string>((r) => view.screen.once('keypress', (_ch: string, key: { full: string }) => r(key.full)));
  conn.typed('\x1b');
  assert.equal(await got, 'escape');
  view.close();
});

test('CP437 input is decoded before blessed sees it', async () => {
  const conn = new FakeConnection(terminal('cp437', 'syncterm'));
  const view = openView(conn);
  const chars: string[] = [];
  view.screen.on('keypress', (ch: string) => chars.push(ch));
  conn.typed(Buffer.from([0x82]));
  await tick();
  assert.deepEqual(chars, ['é']);
  view.close();
});

test('a CP437 caller gets box drawing as CP437 bytes, not DEC line drawing', async () => {
  const conn = new FakeConnection(terminal('cp437', 'syncterm'));
  const view = openView(conn);
  view.blessed.box({ parent: view.screen, top: 0, left: 0, width: 10, height: 3, border: { type: 'line' }, content: 'hi' });
  view.screen.render();
  await tick();
  const bytes = Buffer.concat(conn.out);
  assert.ok(bytes.includes(0xc4), 'horizontal line as 0xC4');
  assert.ok(bytes.includes(0xda), 'corner as 0xDA');
  assert.ok(!conn.text().includes('\x1b(0'), 'no switch to DEC line drawing');
  assert.ok(!bytes.includes(Buffer.from('─', 'utf8')), 'no UTF-8');
  view.close();
});

test('renders wait while the connection is full and run on drain', async () => {
  const conn = new FakeConnection(terminal('utf8'));
  const view = openView(conn);
  const box = view.blessed.box({ parent: view.screen, top: 0, left: 0, width: 30, height: 1, content: 'first-frame' });
  view.screen.render();
  await tick();
  conn.full = true;
  box.setContent('flooding');
  view.screen.render();
  await tick();
  const held = conn.out.length;
  box.setContent('latest-frame');
  view.screen.render();
  await tick();
  assert.equal(conn.out.length, held, 'nothing written while full');
  conn.drained();
  await tick();
  assert.match(conn.text(), /latest-frame/);
  view.close();
});

test('close restores the caller’s screen and leaves no listeners behind', async () => {
  const conn = new FakeConnection(terminal('utf8'));
  const beforeConn = connListeners(conn);
  openView(new FakeConnection(terminal('utf8'))).close(); // installs carrier's process guard once
  const beforeProcess = processListeners();
  const view = openView(conn);
  view.blessed.box({ parent: view.screen, content: 'x' });
  view.screen.render();
  await tick();
  conn.out = [];
  view.close();
  assert.equal(view.closed, true);
  assert.match(conn.text(), /\x1b\[\?1049l|\x1b\[\?25h/);
  assert.deepEqual(connListeners(conn), beforeConn);
  assert.deepEqual(processListeners(), beforeProcess);
  const after = conn.out.length;
  view.screen.render();
  await tick();
  assert.equal(conn.out.length, after, 'a destroyed view writes nothing');
  view.close();
});

test('a hang-up closes the view', async () => {
  const conn = new FakeConnection(terminal('utf8'));
  const view = openView(conn);
  conn.close('hangup');
  assert.equal(view.closed, true);
  assert.deepEqual(connListeners(conn), [0, 0, 0, 0]);
});

test('two callers’ views draw only to their own connections', async () => {
  const a = new FakeConnection(terminal('utf8'));
  const b = new FakeConnection(terminal('utf8'));
  const va = openView(a);
  const vb = openView(b);
  va.blessed.box({ parent: va.screen, content: 'for A only' });
  vb.blessed.box({ parent: vb.screen, content: 'for B only' });
  va.screen.render();
  vb.screen.render();
  await tick();
  assert.match(a.text(), /for.{1,6}A.{1,6}only/);
  assert.doesNotMatch(a.text(), /for.{1,6}B.{1,6}only/);
  assert.match(b.text(), /for.{1,6}B.{1,6}only/);
  assert.doesNotMatch(b.text(), /for.{1,6}A.{1,6}only/);
  va.close();
  vb.close();
});
