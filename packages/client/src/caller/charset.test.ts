import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RemoteCharset, scanUtf8 } from './charset.js';

const cp437Box = Buffer.from([0xc9, 0xcd, 0xcd, 0xbb, 0x20, 0xb0, 0xb1, 0xb2, 0xdb]);

describe('translating between the board and the local terminal', () => {
  it('shows a CP437 board as UTF-8 and sends typed accents as CP437', () => {
    const c = new RemoteCharset('cp437');
    assert.equal(c.toLocal(cp437Box), '╔══╗ ░▒▓█');
    assert.deepEqual([...c.toRemote(Buffer.from('é', 'utf8'))], [0x82]);
    assert.equal(c.negotiated, 'cp437');
  });

  it('passes a UTF-8 board through, even split inside a character', () => {
    const c = new RemoteCharset('utf8');
    const bytes = Buffer.from('╔═╗', 'utf8');
    assert.equal(c.toLocal(bytes.subarray(0, 4)) + c.toLocal(bytes.subarray(4)), '╔═╗');
    assert.deepEqual(c.toRemote(Buffer.from('é', 'utf8')), Buffer.from('é', 'utf8'));
  });

  it('in auto mode switches to CP437 at the first malformed UTF-8, translating that read whole', () => {
    const c = new RemoteCharset('auto');
    assert.equal(c.toLocal(Buffer.from('login: ')), 'login: ');
    assert.equal(c.current, undefined);
    assert.equal(c.toLocal(cp437Box), '╔══╗ ░▒▓█');
    assert.equal(c.current, 'cp437');
    assert.equal(c.negotiated, 'utf8', 'a CHARSET question is still answered for the local terminal');
  });

  it('in auto mode settles on UTF-8 after enough well-formed characters, holding a split one meanwhile', () => {
    const c = new RemoteCharset('auto');
    const art = Buffer.from('═'.repeat(20), 'utf8');
    assert.equal(c.toLocal(art.subarray(0, 5)), '═', 'the split second character waits for its last byte');
    assert.equal(c.toLocal(art.subarray(5)), '═'.repeat(19));
    assert.equal(c.current, 'utf8');
    assert.equal(c.toLocal(cp437Box).includes('\ufffd'), true, 'once settled, stray bytes do not flip it');
  });
});

describe('checking UTF-8', () => {
  it('refuses overlongs, surrogates and bytes that never start a character', () => {
    for (const bad of [[0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf5, 0x80, 0x80, 0x80], [0x80], [0xff]]) {
      assert.equal(scanUtf8(Buffer.from(bad)).malformed, true, Buffer.from(bad).toString('hex'));
    }
  });

  it('counts complete characters and stops before a cut-off one', () => {
    assert.deepEqual(scanUtf8(Buffer.from([0x41, 0xc3, 0xa9, 0xe2, 0x95])), { complete: 3, multiByte: 1, malformed: false });
  });
});
