import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextImmediate } from 'node:timers/promises';
import { BaseConnection, type Encoding, type TerminalInfo } from '@carrier/core';
import { coalesceResizes, followResizes, openView, TYPE_AHEAD_MAX_WAIT_MS, VIEW_LIMITS, viewBudget, viewSize, viewTerminalName } from './view.js';

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

/** A render runs on the next turn (renders coalesce) and blessed flushes its output one turn later. */
const tick = async (): Promise<void> => {
  await nextImmediate();
  await nextImmediate();
};

/** A view takes keys once it has drawn itself: draw it and let the held keys go. */
const drawn = async (view: { screen: { render(): void } }): Promise<void> => {
  view.screen.render();
  await tick();
  await tick();
};

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
  await drawn(view);
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

test('keys wait for the first draw, typed-ahead keys first, in the order typed (issue 11 item 3)', async () => {
  const conn = new FakeConnection(terminal('utf8'));
  const view = openView(conn);
  const names: string[] = [];
  view.screen.on('keypress', (_ch: string, key: { full: string }) => names.push(key.full));
  view.typeAhead(['q', 'u']);
  conn.typed('ic');
  await tick();
  assert.deepEqual(names, [], 'nothing before the view has drawn itself');
  view.screen.render();
  conn.typed('k');
  await tick();
  await tick();
  conn.typed('ly');
  await tick();
  assert.equal(names.join(''), 'quickly');
  view.close();
});

test('a typed-ahead Escape (decided before the view opened) is the Escape key at once', async () => {
  const conn = new FakeConnection(terminal('utf8'));
  const view = openView(conn);
  const names: string[] = [];
  view.screen.on('keypress', (_ch: string, key: { full: string }) => names.push(key.full));
  view.typeAhead(['w', '\x1b']);
  await drawn(view);
  assert.deepEqual(names, ['w', 'escape'], 'no wait for the rest of a sequence that went to another decoder');
  view.close();
});

test('keys typed after the one that closes the view go back in order, a lone ESC as the Escape key', async () => {
  const conn = new FakeConnection(terminal('utf8'));
  const back: string[][] = [];
  const view = openView(conn, { onLeftover: (raws) => back.push([...raws]) });
  view.screen.key('q', () => view.close());
  await drawn(view);
  conn.typed('qo\x1b');
  await tick();
  assert.deepEqual(back, [['o', '\x1b']], 'handed back at once, once, the ESC last');
});

test('a view that never draws itself still gets its keys after TYPE_AHEAD_MAX_WAIT_MS', async () => {
  const conn = new FakeConnection(terminal('utf8'));
  const view = openView(conn);
  const got = new Promise<string>((r) => view.screen.once('keypress', (_ch: string, key: { full: string }) => r(key.full)));
  const started = Date.now();
  const alive = setTimeout(() => undefined, 10_000); // the view's own timer does not hold the process
  conn.typed('x');
  assert.equal(await got, 'x');
  clearTimeout(alive);
  assert.ok(Date.now() - started >= TYPE_AHEAD_MAX_WAIT_MS - 50, 'held until the wait ran out');
  view.close();
});

test('a lone ESC reaches the screen once the escape timeout passes', async () => {
  const conn = new FakeConnection(terminal('utf8'));
  const view = openView(conn, { escapeTimeoutMs: 5 });
  await drawn(view);
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
  await drawn(view);
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

test('a UTF-8 caller gets Unicode box drawing, not DEC line drawing some terminals show as letters', async () => {
  const conn = new FakeConnection(terminal('utf8'));
  const view = openView(conn);
  view.blessed.box({ parent: view.screen, top: 0, left: 0, width: 10, height: 3, border: { type: 'line' }, content: 'hi' });
  view.screen.render();
  await tick();
  const text = Buffer.concat(conn.out).toString('utf8');
  assert.match(text, /┌─+┐/, 'the top border in Unicode');
  assert.match(text, /└─+┘/, 'the bottom border in Unicode');
  assert.match(text, /│/, 'the sides in Unicode');
  assert.ok(!text.includes('\x1b(0'), 'no switch to DEC line drawing');
  assert.doesNotMatch(text, /lq+k/, 'no line-drawing letters');
  view.close();
});

test('a plain terminal with no named character set gets box drawing as ASCII', async () => {
  const conn = new FakeConnection({ ...terminal('cp437', 'dumb'), encodingSource: 'default' });
  const view = openView(conn);
  view.blessed.box({ parent: view.screen, top: 0, left: 0, width: 10, height: 3, border: { type: 'line' }, content: 'hi' });
  view.screen.render();
  await tick();
  const bytes = Buffer.concat(conn.out);
  assert.ok(bytes.every((b) => b < 0x80), `only ASCII: ${JSON.stringify(conn.text())}`);
  assert.match(conn.text(), /\+-+\+/, 'corners and lines as + and -');
  assert.ok(!conn.text().includes('\x1b(0'), 'no switch to DEC line drawing');
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

test('a storm of resizes reaches the screen as one resize, with the newest size', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const conn = new FakeConnection(terminal('utf8'));
  const view = openView(conn);
  let resizes = 0;
  view.screen.on('resize', () => resizes++);
  for (let i = 0; i < 500; i++) conn.setSize(100 + (i % 7), 30 + (i % 5), 'naws');
  conn.setSize(120, 40, 'naws');
  assert.equal(resizes, 0, 'nothing applied before the delay');
  t.mock.timers.tick(VIEW_LIMITS.resizeDelayMs);
  assert.equal(resizes, 1);
  assert.deepEqual([view.screen.width, view.screen.height], [120, 40]);
  // A size that caps to the current one costs nothing.
  conn.setSize(VIEW_LIMITS.maxCols + 300, 40, 'naws');
  conn.setSize(120, 40, 'naws');
  t.mock.timers.tick(VIEW_LIMITS.resizeDelayMs);
  assert.equal(resizes, 1);
  view.close();
});

test('a view is never larger than the limits, whatever the terminal reports', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const conn = new FakeConnection({ ...terminal('utf8'), cols: 500, rows: 300 });
  const view = openView(conn);
  const area = (): number => (view.screen.width as number) * (view.screen.height as number);
  assert.ok((view.screen.width as number) <= VIEW_LIMITS.maxCols);
  assert.ok((view.screen.height as number) <= VIEW_LIMITS.maxRows);
  assert.ok(area() <= VIEW_LIMITS.maxCells, `${area()} cells`);
  conn.setSize(480, 290, 'naws');
  t.mock.timers.tick(VIEW_LIMITS.resizeDelayMs);
  assert.ok(area() <= VIEW_LIMITS.maxCells);
  assert.deepEqual(viewSize(500, 300), { cols: 200, rows: 50 });
  assert.deepEqual(viewSize(80, 25), { cols: 80, rows: 25 });
  view.close();
});

test('many render() calls in one turn draw once', async () => {
  const conn = new FakeConnection(terminal('utf8'));
  const view = openView(conn);
  const box = view.blessed.box({ parent: view.screen, top: 0, left: 0, width: 30, height: 1, content: 'x' });
  view.screen.render();
  await tick();
  conn.out = [];
  for (let i = 0; i < 100; i++) {
    box.setContent(`frame-${i}-end`);
    view.screen.render();
  }
  await tick();
  // Only the last frame was drawn: no earlier one reached the caller.
  assert.deepEqual(conn.text().match(/frame-\d+-end/g), ['frame-99-end']);
  view.close();
});

test('a connection over its CPU budget has its drawing deferred until the bucket refills', async () => {
  const conn = new FakeConnection(terminal('utf8'));
  const budget = viewBudget(conn);
  const view = openView(conn);
  const box = view.blessed.box({ parent: view.screen, top: 0, left: 0, width: 30, height: 1, content: 'first' });
  view.screen.render();
  await tick();
  budget.charge(VIEW_LIMITS.cpuBurstMs + 50); // as if this caller had just drawn for 300 ms
  assert.ok(budget.waitMs() > 0);
  box.setContent('deferred-frame');
  view.screen.render();
  await tick();
  assert.doesNotMatch(conn.text(), /deferred-frame/, 'no drawing while in debt');
  const deadline = Date.now() + 10_000;
  while (!/deferred-frame/.test(conn.text()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.match(conn.text(), /deferred-frame/, 'drawn once the bucket refilled');
  view.close();
});

test('coalesceResizes: last size wins, at most once per delay, equal sizes dropped', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const applied: string[] = [];
  const r = coalesceResizes((c, w) => applied.push(`${c}x${w}`), { delayMs: () => 75, initial: { cols: 80, rows: 25 } });
  r.push(100, 30);
  r.push(90, 28);
  t.mock.timers.tick(74);
  assert.deepEqual(applied, []);
  t.mock.timers.tick(1);
  assert.deepEqual(applied, ['90x28']);
  r.push(90, 28);
  t.mock.timers.tick(75);
  assert.deepEqual(applied, ['90x28']);
  r.push(120, 40);
  r.cancel();
  t.mock.timers.tick(200);
  assert.deepEqual(applied, ['90x28']);
});

test("followResizes: a connection's resize storm reaches apply once, capped, and stops cleanly", (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const conn = new FakeConnection(terminal('utf8'));
  const applied: string[] = [];
  const stop = followResizes(conn, (c, r) => applied.push(`${c}x${r}`));
  for (let i = 0; i < 100; i++) conn.setSize(100 + (i % 7), 30, 'naws');
  conn.setSize(VIEW_LIMITS.maxCols + 100, 40, 'naws');
  t.mock.timers.tick(VIEW_LIMITS.resizeDelayMs);
  assert.deepEqual(applied, [`${VIEW_LIMITS.maxCols}x40`]);
  // The size the connection had when it began is never applied again.
  conn.setSize(80, 25, 'naws');
  t.mock.timers.tick(VIEW_LIMITS.resizeDelayMs);
  assert.deepEqual(applied, [`${VIEW_LIMITS.maxCols}x40`, '80x25']);
  stop();
  assert.equal(conn.listenerCount('resize'), 0);
  conn.setSize(100, 30, 'naws');
  t.mock.timers.tick(VIEW_LIMITS.resizeDelayMs);
  assert.equal(applied.length, 2);
  // Uncapped (the lightbar): the size as the terminal said.
  const raw: string[] = [];
  const stopRaw = followResizes(conn, (c, r) => raw.push(`${c}x${r}`), { capped: false });
  conn.setSize(VIEW_LIMITS.maxCols + 100, 40, 'naws');
  t.mock.timers.tick(VIEW_LIMITS.resizeDelayMs);
  assert.deepEqual(raw, [`${VIEW_LIMITS.maxCols + 100}x40`]);
  stopRaw();
});

test('building a screen leaves no blessed handler on the process (SIGTERM stays carrier\u2019s)', () => {
  const before = PROCESS_EVENTS.map((e) => process.listeners(e as 'exit').slice());
  const view = openView(new FakeConnection(terminal('utf8')));
  try {
    assert.deepEqual(PROCESS_EVENTS.map((e) => process.listeners(e as 'exit')), before);
  } finally {
    view.close();
  }
});

test('a graceful stop that closes the last view during SIGTERM is not cut short by blessed (issue 18 item 2)', async (t) => {
  const exit = t.mock.method(process, 'exit', (() => undefined) as unknown as typeof process.exit);
  // Like carrier's stop, installed before any view: its SIGTERM handler ends every call, which closes every view.
  // As in the server, the board's handler is the process's only one (the test runner's are set aside).
  const runners = process.listeners('SIGTERM');
  process.removeAllListeners('SIGTERM');
  let view: ReturnType<typeof openView> | undefined;
  const stop = (): void => view?.close();
  process.on('SIGTERM', stop);
  view = openView(new FakeConnection(terminal('utf8')));
  try {
    process.emit('SIGTERM');
    await tick();
    assert.equal(exit.mock.callCount(), 0, 'nothing but the board decides when the process exits');
  } finally {
    process.removeAllListeners('SIGTERM');
    for (const fn of runners) process.on('SIGTERM', fn);
  }
});
