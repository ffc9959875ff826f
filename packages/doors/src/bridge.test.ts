import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { Connection } from '@carrier/core';
import { bridgeDoor, type DoorEndpoint } from './bridge.js';

/** A connection whose transport is full whenever `full` is set, as a socket's write() says. */
class FakeConn extends EventEmitter {
  closed = false;
  full = false;
  terminal = { encoding: 'utf8' as 'utf8' | 'cp437', cols: 80, rows: 24 };
  sent: Buffer[] = [];
  write(text: string): boolean {
    return this.writeBytes(Buffer.from(text, this.terminal.encoding === 'utf8' ? 'utf8' : 'latin1'));
  }
  writeBytes(b: Buffer): boolean {
    this.sent.push(b);
    return !this.full;
  }
}

class FakeDoor implements DoorEndpoint {
  data?: (b: Buffer) => void;
  written: Buffer[] = [];
  paused = 0;
  resumed = 0;
  size: [number, number] | undefined;
  onData(fn: (b: Buffer) => void): void {
    this.data = fn;
  }
  write(b: Buffer): void {
    this.written.push(b);
  }
  resize(c: number, r: number): void {
    this.size = [c, r];
  }
  pause(): void {
    this.paused++;
  }
  resume(): void {
    this.resumed++;
  }
}

describe('door bridge', () => {
  it('pauses the door when the transport is full and resumes it on drain', () => {
    const conn = new FakeConn();
    const door = new FakeDoor();
    const b = bridgeDoor(conn as unknown as Connection, door, { encoding: 'utf8' });
    door.data!(Buffer.from('a'));
    assert.equal(door.paused, 0);
    conn.full = true;
    door.data!(Buffer.from('b'));
    door.data!(Buffer.from('c'));
    assert.equal(door.paused, 1, 'paused once, not per chunk');
    conn.emit('drain');
    assert.equal(door.resumed, 1);
    assert.equal(b.stats.pauses, 1);
    b.stop();
  });

  it('draws a CP437 door for a UTF-8 caller, and turns the caller’s UTF-8 keys into CP437', () => {
    const conn = new FakeConn();
    const door = new FakeDoor();
    bridgeDoor(conn as unknown as Connection, door, { encoding: 'cp437' });
    door.data!(Buffer.from([0xc9, 0xcd, 0xbb])); // ╔═╗ in CP437
    assert.equal(Buffer.concat(conn.sent).toString('utf8'), '╔═╗');
    const e = Buffer.from('é', 'utf8');
    conn.emit('data', e.subarray(0, 1)); // a UTF-8 sequence split across reads
    conn.emit('data', e.subarray(1));
    assert.deepEqual(Buffer.concat(door.written), Buffer.from([0x82]), 'é is 0x82 in CP437');
  });

  it('passes bytes through when both sides speak the same encoding, follows resizes, and detaches on stop', () => {
    const conn = new FakeConn();
    conn.terminal.encoding = 'cp437';
    const door = new FakeDoor();
    const b = bridgeDoor(conn as unknown as Connection, door, { encoding: 'cp437' });
    door.data!(Buffer.from([0xc9, 0x1b, 0x5b]));
    assert.deepEqual(Buffer.concat(conn.sent), Buffer.from([0xc9, 0x1b, 0x5b]));
    conn.emit('resize', 132, 50);
    assert.deepEqual(door.size, [132, 50]);
    b.stop();
    conn.emit('data', Buffer.from('x'));
    assert.equal(door.written.length, 0);
    assert.equal(conn.listenerCount('data'), 0);
  });

  it('writes an overlay between two of the door\'s sequences, never inside one', () => {
    const conn = new FakeConn();
    const door = new FakeDoor();
    const b = bridgeDoor(conn as unknown as Connection, door, { encoding: 'utf8' });
    const sent = (): string => Buffer.concat(conn.sent).toString('utf8');
    door.data!(Buffer.from('score: 10'));
    b.overlay('[warn]');
    assert.equal(sent(), 'score: 10[warn]', 'between sequences: at once');
    conn.sent = [];
    door.data!(Buffer.from('\x1b[38;5'));
    b.overlay('[warn]');
    assert.equal(sent(), '\x1b[38;5', 'inside a CSI: waits');
    door.data!(Buffer.from(';208mX\x1b]0;ti'));
    assert.equal(sent(), '\x1b[38;5;208mX\x1b]0;ti', 'still inside a window-title string');
    door.data!(Buffer.from('tle\x07ok'));
    assert.equal(sent(), '\x1b[38;5;208mX\x1b]0;title\x07ok[warn]', 'written after the read that ends between sequences');
    conn.sent = [];
    // A UTF-8 character split across reads: é is C3 A9.
    door.data!(Buffer.from([0x41, 0xc3]));
    b.overlay('[one]');
    b.overlay('[two]');
    door.data!(Buffer.from([0xa9]));
    assert.equal(sent(), 'Aé[two]', 'the newest waiting overlay, after the character is whole');
    b.stop();
    b.overlay('[late]');
    assert.ok(!sent().includes('[late]'), 'nothing after stop');
  });
  it('drops one Enter that opens the input within pickEnterMs (the tail of the pick), in every form, and nothing else', () => {
    const fed = (chunks: string[], pickEnterMs: number | undefined = 60_000): { got: string; dropped: number; bytesIn: number } => {
      const conn = new FakeConn();
      const door = new FakeDoor();
      const b = bridgeDoor(conn as unknown as Connection, door, { encoding: 'utf8', pickEnterMs });
      for (const c of chunks) conn.emit('data', Buffer.from(c, 'latin1'));
      b.stop();
      return { got: Buffer.concat(door.written).toString('latin1'), dropped: b.stats.pickEnter, bytesIn: b.stats.bytesIn };
    };
    assert.deepEqual(fed(['\r', 'abc']), { got: 'abc', dropped: 1, bytesIn: 3 });
    assert.deepEqual(fed(['\r\n', 'a']), { got: 'a', dropped: 2, bytesIn: 1 });
    assert.deepEqual(fed(['\r', '\0', 'a']), { got: 'a', dropped: 2, bytesIn: 1 }, 'CR NUL split across chunks');
    assert.deepEqual(fed(['\n', '\r']), { got: '\r', dropped: 1, bytesIn: 1 }, 'one Enter only: the second is the caller answering the door');
    assert.deepEqual(fed(['\rxy']), { got: 'xy', dropped: 1, bytesIn: 2 });
    assert.deepEqual(fed(['a', '\r']), { got: 'a\r', dropped: 0, bytesIn: 2 }, 'a key first: every Enter after it is the door\'s');
    assert.deepEqual(fed(['\r'], 0), { got: '\r', dropped: 0, bytesIn: 1 }, 'off unless asked for');
    assert.deepEqual(fed(['\r'], -1), { got: '\r', dropped: 0, bytesIn: 1 }, 'the window is over');
  });
});
