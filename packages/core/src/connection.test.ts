import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BaseConnection, INPUT_SCAN_AHEAD } from './connection.js';

/** A front end whose transport pauses are recorded, fed input by hand. */
class Front extends BaseConnection {
  readonly transport: boolean[] = [];
  readonly got: string[] = [];
  constructor() {
    super({ protocol: 'telnet', remoteAddress: '127.0.0.2' });
    this.on('data', (b: Buffer) => this.got.push(b.toString('latin1')));
  }
  read(text: string): void {
    this.pushInput(Buffer.from(text, 'latin1'));
  }
  protected override pauseTransport(paused: boolean): void {
    this.transport.push(paused);
  }
  protected sendRaw(): boolean {
    return true;
  }
  protected endTransport(): void {}
}

describe('BaseConnection: input paused behind a paste', () => {
  it(`reads on until ${INPUT_SCAN_AHEAD} bytes are held, then stops the transport; reading again hands them over one read at a time`, () => {
    const c = new Front();
    c.pauseInput(true);
    assert.deepEqual(c.transport, [], 'still read');
    c.read('a'.repeat(INPUT_SCAN_AHEAD / 2));
    c.read('b'.repeat(INPUT_SCAN_AHEAD / 2 - 1));
    assert.deepEqual(c.transport, []);
    c.read('cc');
    assert.deepEqual(c.transport, [true], 'stopped with the scan-ahead held');
    assert.deepEqual(c.got, [], 'nothing handed over while paused');
    // The session pauses again after the first read it is handed: the rest stays held.
    c.once('data', () => c.pauseInput(true));
    c.pauseInput(false);
    assert.deepEqual(c.got.map((g) => g[0]), ['a']);
    assert.deepEqual(c.transport, [true, false], 'under the scan-ahead again: read on');
    c.pauseInput(false);
    assert.deepEqual(c.got.map((g) => g[0]), ['a', 'b', 'c'], 'in order');
    assert.deepEqual(c.transport, [true, false]);
  });

  it('a Ctrl-C read while paused goes to the session at once, with what was held before it', () => {
    const c = new Front();
    c.pauseInput(true);
    c.read('x'.repeat(INPUT_SCAN_AHEAD));
    assert.deepEqual(c.transport, [true]);
    c.pauseInput(false);
    c.got.length = 0;
    c.pauseInput(true);
    c.read('pasted');
    c.read('more\x03after');
    assert.deepEqual(c.got, ['pastedmore\x03after']);
    assert.deepEqual(c.transport, [true, false]);
  });

  it('small reads held are joined: a drip of one-byte reads comes back as a few chunks, in order', () => {
    const c = new Front();
    c.pauseInput(true);
    const text = Array.from({ length: 10_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    for (const ch of text) c.read(ch);
    c.pauseInput(false);
    assert.equal(c.got.join(''), text);
    assert.ok(c.got.length <= 3, `${c.got.length} chunks`);
  });
});
