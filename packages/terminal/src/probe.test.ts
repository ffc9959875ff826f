import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BaseConnection, type Encoding } from '@carrier/core';
import { probeTerminal } from './probe.js';

/**
 * A terminal at the other end of a fake connection: it tracks the cursor through
 * what carrier writes (the handful of controls a probe uses) and answers `ESC[6n`
 * the way the configured terminal would, or not at all.
 */
interface TerminalModel {
  cols: number;
  rows: number;
  /** how the terminal shows bytes: utf8 advances once per character, cp437 once per byte */
  charset: Encoding;
  /** 'none': never answers; 'fake': answers the given text to every query */
  answers: 'real' | 'none' | { fake: string };
  /** split each reply into single-byte reads */
  trickle?: boolean;
  /** keys the caller types just before each reply, one entry per reply */
  typing?: string[];
}

class FakeConnection extends BaseConnection {
  written: Buffer[] = [];
  private row = 1;
  private col = 1;
  private saved: [number, number] = [1, 1];
  constructor(private readonly term: TerminalModel) {
    super({ protocol: 'telnet', remoteAddress: '192.0.2.1' });
  }
  typed(text: string): void {
    this.pushInput(Buffer.from(text, 'latin1'));
  }
  protected override sendRaw(bytes: Buffer): boolean {
    this.written.push(bytes);
    const s = bytes.toString('latin1');
    for (let i = 0; i < s.length; ) {
      const rest = s.slice(i);
      let m: RegExpExecArray | null;
      if (rest.startsWith('\x1b7') || rest.startsWith('\x1b[s')) {
        this.saved = [this.row, this.col];
        i += rest.startsWith('\x1b7') ? 2 : 3;
      } else if (rest.startsWith('\x1b8') || rest.startsWith('\x1b[u')) {
        [this.row, this.col] = this.saved;
        i += rest.startsWith('\x1b8') ? 2 : 3;
      } else if ((m = /^\x1b\[(\d+);(\d+)H/.exec(rest))) {
        this.row = Math.min(Number(m[1]), this.term.rows);
        this.col = Math.min(Number(m[2]), this.term.cols);
        i += m[0].length;
      } else if (rest.startsWith('\x1b[6n')) {
        this.answer();
        i += 4;
      } else if (rest.startsWith('\x1b[K')) {
        i += 3;
      } else if (s[i] === '\r') {
        this.col = 1;
        i++;
      } else if (s[i] === '\n') {
        this.row = Math.min(this.row + 1, this.term.rows);
        i++;
      } else {
        const b = s.charCodeAt(i);
        const continuation = this.term.charset === 'utf8' && (b & 0xc0) === 0x80;
        if (!continuation) this.col = Math.min(this.col + 1, this.term.cols);
        i++;
      }
    }
    return true;
  }
  protected override endTransport(): void {}
  private answer(): void {
    const a = this.term.answers;
    if (a === 'none') return;
    const reply = a === 'real' ? `\x1b[${this.row};${this.col}R` : a.fake;
    const text = (this.term.typing?.shift() ?? '') + reply;
    const pieces = this.term.trickle ? [...text] : [text];
    for (const p of pieces) setImmediate(() => this.typed(p));
  }
}

const listeners = (c: FakeConnection) => ({ data: c.listenerCount('data'), close: c.listenerCount('close') });

test('a UTF-8 terminal reports its size and moves one column for é', async () => {
  const conn = new FakeConnection({ cols: 132, rows: 50, charset: 'utf8', answers: 'real' });
  const r = await probeTerminal(conn, { size: true, encoding: true, timeoutMs: 5000 });
  assert.deepEqual(r, { cols: 132, rows: 50, encoding: 'utf8', leftover: Buffer.alloc(0) });
  assert.equal(conn.terminal.cols, 132);
  assert.equal(conn.terminal.rows, 50);
  assert.equal(conn.terminal.sizeSource, 'probe');
  assert.equal(conn.terminal.encoding, 'utf8');
  assert.equal(conn.terminal.encodingSource, 'probe');
});

test('a CP437 terminal shows é as two glyphs and is detected as CP437', async () => {
  const conn = new FakeConnection({ cols: 80, rows: 25, charset: 'cp437', answers: 'real' });
  conn.setEncoding('utf8', 'default');
  const r = await probeTerminal(conn, { size: false, encoding: true, timeoutMs: 5000 });
  assert.equal(r.encoding, 'cp437');
  assert.equal(conn.terminal.encoding, 'cp437');
});

test('the probe character goes out as the UTF-8 bytes C3 A9 and the line is erased after', async () => {
  const conn = new FakeConnection({ cols: 80, rows: 25, charset: 'cp437', answers: 'real' });
  await probeTerminal(conn, { size: false, encoding: true, timeoutMs: 5000 });
  const out = Buffer.concat(conn.written);
  assert.ok(out.includes(Buffer.from([0xc3, 0xa9])));
  assert.ok(out.toString('latin1').endsWith('\r\x1b[K'));
});

test('a terminal that answers everything finishes without waiting for the deadline', async () => {
  const conn = new FakeConnection({ cols: 100, rows: 30, charset: 'utf8', answers: 'real' });
  const probe = probeTerminal(conn, { size: true, encoding: true, timeoutMs: 60_000 });
  const winner = await Promise.race([probe.then(() => 'probe'), new Promise((r) => setTimeout(() => r('deadline'), 2000).unref())]);
  assert.equal(winner, 'probe');
});

test('a silent terminal gets nothing set once the deadline passes', async () => {
  const conn = new FakeConnection({ cols: 100, rows: 30, charset: 'utf8', answers: 'none' });
  const r = await probeTerminal(conn, { size: true, encoding: true, timeoutMs: 30 });
  assert.deepEqual(r, { leftover: Buffer.alloc(0) });
  assert.equal(conn.terminal.sizeSource, 'default');
  assert.equal(conn.terminal.encodingSource, 'default');
  assert.equal(conn.terminal.cols, 80);
});

test('fake answers 999;999 and 0;0 are rejected', async () => {
  for (const fake of ['\x1b[999;999R', '\x1b[0;0R', '\x1b[1;1R']) {
    const conn = new FakeConnection({ cols: 80, rows: 25, charset: 'utf8', answers: { fake } });
    const r = await probeTerminal(conn, { size: true, encoding: true, timeoutMs: 5000 });
    assert.deepEqual(r, { leftover: Buffer.alloc(0) }, JSON.stringify(fake));
    assert.equal(conn.terminal.sizeSource, 'default');
    assert.equal(conn.terminal.encodingSource, 'default');
  }
});

test('replies arriving a byte at a time among typed keys are found, and the keys come back in order', async () => {
  const conn = new FakeConnection({ cols: 90, rows: 40, charset: 'utf8', answers: 'real', trickle: true, typing: ['p', '\x1b[A', 'e'] });
  conn.typed('ty');
  const r = await probeTerminal(conn, { size: true, encoding: true, timeoutMs: 5000 });
  assert.equal(r.cols, 90);
  assert.equal(r.rows, 40);
  assert.equal(r.encoding, 'utf8');
  assert.equal(r.leftover.toString('latin1'), 'typ\x1b[Ae');
});

test('the probe leaves no listeners behind, answered or not', async () => {
  for (const answers of ['real', 'none'] as const) {
    const conn = new FakeConnection({ cols: 80, rows: 25, charset: 'utf8', answers });
    const baseline = listeners(conn);
    await probeTerminal(conn, { size: true, encoding: true, timeoutMs: 20 });
    assert.deepEqual(listeners(conn), baseline, answers);
  }
});

test('a connection that closes mid-probe ends the probe at once', async () => {
  const conn = new FakeConnection({ cols: 80, rows: 25, charset: 'utf8', answers: 'none' });
  const probe = probeTerminal(conn, { size: true, encoding: false, timeoutMs: 60_000 });
  setImmediate(() => conn.close('hangup'));
  const winner = await Promise.race([probe.then(() => 'probe'), new Promise((r) => setTimeout(() => r('deadline'), 2000).unref())]);
  assert.equal(winner, 'probe');
  assert.deepEqual(listeners(conn), { data: 0, close: 0 });
});

test('asking nothing writes nothing', async () => {
  const conn = new FakeConnection({ cols: 80, rows: 25, charset: 'utf8', answers: 'real' });
  const r = await probeTerminal(conn, { size: false, encoding: false, timeoutMs: 1000 });
  assert.deepEqual(r, { leftover: Buffer.alloc(0) });
  assert.equal(conn.written.length, 0);
});

test('only the size probe leaves the cursor where it was', async () => {
  const conn = new FakeConnection({ cols: 80, rows: 25, charset: 'utf8', answers: 'real' });
  const r = await probeTerminal(conn, { size: true, encoding: false, timeoutMs: 5000 });
  assert.equal(r.cols, 80);
  const out = Buffer.concat(conn.written).toString('latin1');
  assert.ok(out.startsWith('\x1b7') && out.endsWith('\x1b8'));
  assert.ok(!out.includes('\r\n'));
});
