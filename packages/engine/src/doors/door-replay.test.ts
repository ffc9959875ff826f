import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DoorReplay, MAX_REPLAY_BYTES } from './door-replay.js';

describe('DoorReplay', () => {
  it('keeps what the door drew since its last clear screen, a clear split between two writes too', () => {
    const r = new DoorReplay();
    r.feed(Buffer.from('old screen\r\n'));
    r.feed(Buffer.from('menu\x1b[2'));
    r.feed(Buffer.from('J\x1b[Hnew screen'));
    assert.equal(r.bytes().toString(), '\x1b[2J\x1b[Hnew screen');
  });

  it(`holds at most ${MAX_REPLAY_BYTES} bytes: past that nothing until the next clear`, () => {
    const r = new DoorReplay();
    const kib = Buffer.alloc(1024, 0x78);
    for (let i = 0; i < 200; i++) {
      r.feed(kib);
      assert.ok(r.held <= MAX_REPLAY_BYTES);
    }
    assert.equal(r.bytes().length, 0);
    r.feed(Buffer.from('\x1b[2Jfresh'));
    assert.equal(r.bytes().toString(), '\x1b[2Jfresh');
  });
});
