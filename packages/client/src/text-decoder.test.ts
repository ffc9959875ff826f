import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamingTextDecoder } from './text-decoder.js';

describe('decoding a stream of text', () => {
  it('keeps a UTF-8 character whole when a read splits it', () => {
    const d = new StreamingTextDecoder('utf8');
    const bytes = Buffer.from('╔═╗', 'utf8');
    let text = '';
    for (const b of bytes) text += d.push(Buffer.from([b]));
    assert.equal(text, '╔═╗');
  });

  it('turns an unfinished UTF-8 character at the end into U+FFFD', () => {
    const d = new StreamingTextDecoder('utf8');
    assert.equal(d.push(Buffer.from([0x41, 0xe2, 0x95])), 'A');
    assert.equal(d.end(), '\ufffd');
  });

  it('reads CP437 box drawing and shading', () => {
    assert.equal(new StreamingTextDecoder('cp437').push(Buffer.from([0xc9, 0xcd, 0xbb, 0xb0, 0xdb])), '╔═╗░█');
  });
});
