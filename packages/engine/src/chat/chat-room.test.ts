import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyDecoder } from '@carrier/terminal';
import { escapeThen } from './chat-room.js';

describe('chat reads Esc typed with the key after it as both keys', () => {
  it("ESC '/' in one read, which the key decoder joins into Alt-/, is Escape then '/'", () => {
    const [key, ...rest] = new KeyDecoder().push('\x1b/');
    assert.deepEqual(rest, []);
    assert.equal(key?.name === 'char' && key.alt, true, 'the decoder joins them (xterm meta-sends-escape)');
    const split = escapeThen(key!);
    assert.deepEqual(split, { escape: { name: 'escape', raw: '\x1b' }, then: { name: 'char', ch: '/', raw: '/' } });
    assert.deepEqual(escapeThen(new KeyDecoder().push('\x1bq')[0]!)?.then, { name: 'char', ch: 'q', raw: 'q' });
  });

  it("the line editor's Alt keys, arrows, lone keys and ESC with a C1 final (ESC ] starts an OSC) stay as they are", () => {
    for (const typed of ['\x1bb', '\x1bf', '\x1b\x7f', '\x1b[A', '\x1b[1;3D', '/', 'a', '\x01', '\x1b]', '\x1bP', '\x1b\\', '\x1bQ']) {
      for (const key of new KeyDecoder().push(typed)) assert.equal(escapeThen(key), undefined, JSON.stringify(typed));
    }
  });
});
