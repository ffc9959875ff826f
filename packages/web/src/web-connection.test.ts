// WebConnection's rates on a fake clock (node:test's mock timers move setTimeout and Date,
// which the token buckets read) and a stand-in for the `ws` socket: when waiting key
// frames go on, and control messages (resize) beside them.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it, type TestContext } from 'node:test';
import type { WebSocket } from 'ws';
import { INPUT_SCAN_AHEAD, silentLogger } from '@carrier/core';
import { WebConnection, type WebConnectionOptions } from './web-connection.js';

/** What WebConnection uses of a `ws` socket. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readonly CLOSED = 3;
  readyState = 1;
  bufferedAmount = 0;
  paused = false;
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  send(): void {}
  ping(): void {}
  close(): void {
    this.readyState = this.CLOSED;
  }
  terminate(): void {
    this.readyState = this.CLOSED;
  }
  key(text: string): void {
    this.emit('message', Buffer.from(text), true);
  }
  control(msg: object): void {
    this.emit('message', Buffer.from(JSON.stringify(msg)), false);
  }
}

/** A ready connection on a fake socket and a fake clock; what reached the session so far. */
function connect(t: TestContext, extra: Partial<WebConnectionOptions> = {}): { ws: FakeSocket; conn: WebConnection; keys: string[]; sizes: string[] } {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 });
  const ws = new FakeSocket();
  const conn = new WebConnection({
    ws: ws as unknown as WebSocket,
    remoteAddress: '127.0.0.2',
    log: silentLogger,
    frameRate: { perSecond: 1, burst: 1 },
    maxOutputBuffer: 1 << 20,
    resizeIntervalMs: 0,
    pingIntervalMs: 3_600_000,
    terminal: { type: 'xterm', cols: 80, rows: 24, encoding: 'utf8' },
    helloTimeoutMs: 1000,
    onReady: () => undefined,
    ...extra,
  });
  const keys: string[] = [];
  const sizes: string[] = [];
  conn.on('data', (b: Buffer) => keys.push(b.toString()));
  conn.on('resize', (cols: number, rows: number) => sizes.push(`${cols}x${rows}`));
  conn.start();
  sizes.splice(0); // the page's own size, set when it became ready
  t.after(() => conn.close());
  return { ws, conn, keys, sizes };
}

describe('WebConnection: frames over the rate', () => {
  it('waiting keys go on when the bucket has a token again, not a fixed period after they arrived', (t) => {
    const { ws, keys } = connect(t);
    ws.key('a');
    assert.deepEqual(keys, ['a'], 'the burst');
    t.mock.timers.tick(900);
    ws.key('b');
    assert.deepEqual(keys, ['a'], 'over the rate: waits');
    assert.equal(ws.paused, true, 'the socket is not read meanwhile');
    // At 1/s the next token is due 1 s after the first key: 100 ms from now, not 1 s.
    t.mock.timers.tick(100);
    assert.deepEqual(keys, ['a', 'b']);
    assert.equal(ws.paused, false);
  });

  it('keys held while the session was paused go on at its resume when the bucket refilled meanwhile', (t) => {
    const { ws, conn, keys } = connect(t);
    ws.key('a');
    ws.key('b');
    conn.pauseInput(true);
    t.mock.timers.tick(5000);
    assert.deepEqual(keys, ['a'], 'nothing goes on while the session is paused');
    conn.pauseInput(false);
    t.mock.timers.tick(0);
    assert.deepEqual(keys, ['a', 'b'], 'the bucket is full: no wait of 1/perSecond');
  });

  it('a resize is not held behind waiting keys, nor does it spend a key token', (t) => {
    const { ws, keys, sizes } = connect(t);
    ws.control({ type: 'resize', cols: 100, rows: 30 });
    assert.deepEqual(sizes, ['100x30']);
    ws.key('a');
    assert.deepEqual(keys, ['a'], 'the resize took no key token');
    ws.key('b');
    ws.key('c');
    ws.control({ type: 'resize', cols: 120, rows: 40 });
    assert.deepEqual(sizes, ['100x30', '120x40'], 'applied at once while keys wait');
    assert.deepEqual(keys, ['a']);
    t.mock.timers.tick(1000);
    assert.deepEqual(keys, ['a', 'bc'], 'the keys that waited go on together, in order');
  });

  it('control messages over their own rate wait, then go on together at its next token', (t) => {
    const { ws, sizes } = connect(t, { controlRate: { perSecond: 2, burst: 1 } });
    ws.control({ type: 'resize', cols: 90, rows: 30 });
    ws.control({ type: 'resize', cols: 91, rows: 30 });
    ws.control({ type: 'resize', cols: 92, rows: 31 });
    assert.deepEqual(sizes, ['90x30']);
    assert.equal(ws.paused, true, 'the socket is not read meanwhile');
    t.mock.timers.tick(499);
    assert.deepEqual(sizes, ['90x30']);
    // One token for all that waited (the resize coalescer, off here, would keep the last).
    t.mock.timers.tick(1);
    assert.deepEqual(sizes, ['90x30', '91x30', '92x31']);
    assert.equal(ws.paused, false);
  });

  it('a caller whose input is held (a paste draining at the key rate) is not taken for gone for want of a pong', (t) => {
    const { ws, conn } = connect(t, { pingIntervalMs: 30_000 });
    let pings = 0;
    ws.ping = () => void pings++;
    conn.pauseInput(true);
    // Read on until INPUT_SCAN_AHEAD bytes are held (a Ctrl-C behind the paste), then not.
    ws.key('x'.repeat(INPUT_SCAN_AHEAD));
    assert.equal(ws.paused, true, 'ws reads nothing now: a pong could not be seen');
    t.mock.timers.tick(5 * 30_000);
    assert.equal(conn.closed, false);
    conn.pauseInput(false);
    // Reading again: a peer that answers no ping is gone after two intervals, as before.
    t.mock.timers.tick(30_000);
    assert.equal(pings, 1);
    assert.equal(conn.closed, false);
    t.mock.timers.tick(30_000);
    assert.equal(conn.closed, true);
  });
});
