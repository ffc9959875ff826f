import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Charset } from '../constants.js';
import { MAX_CHARSET_NAMES, chooseCharset, parseCharset } from './charset.js';

const body = (code: number, text = ''): Buffer => Buffer.concat([Buffer.from([code]), Buffer.from(text, 'latin1')]);

describe('CHARSET messages', () => {
  it('parses a REQUEST list with its separator', () => {
    assert.deepEqual(parseCharset(body(Charset.REQUEST, ' UTF-8 ISO-8859-1')), {
      kind: 'request',
      names: ['UTF-8', 'ISO-8859-1'],
      truncated: false,
    });
  });

  it('skips a [TTABLE] version prefix', () => {
    assert.deepEqual(parseCharset(body(Charset.REQUEST, '[TTABLE]\x01;CP437;UTF-8')), {
      kind: 'request',
      names: ['CP437', 'UTF-8'],
      truncated: false,
    });
  });

  it('parses ACCEPTED and REJECTED, and recognises TTABLE messages', () => {
    assert.deepEqual(parseCharset(body(Charset.ACCEPTED, 'UTF-8')), { kind: 'accepted', name: 'UTF-8' });
    assert.deepEqual(parseCharset(body(Charset.REJECTED)), { kind: 'rejected' });
    assert.deepEqual(parseCharset(body(Charset.TTABLE_IS, 'x')), { kind: 'ttable' });
    assert.equal(parseCharset(body(99)), undefined);
  });

  it('stops reading a REQUEST of 10,000 names at the cap and says so', () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `CS${i}`);
    const msg = parseCharset(body(Charset.REQUEST, ';' + names.join(';')));
    assert.equal(msg?.kind, 'request');
    assert.equal(msg.kind === 'request' && msg.names.length, MAX_CHARSET_NAMES);
    assert.equal(msg.kind === 'request' && msg.truncated, true);
  });

  it('strips control bytes from names and caps them at 40 characters', () => {
    const msg = parseCharset(body(Charset.ACCEPTED, `\x1b[2J${'A'.repeat(100)}`));
    assert.deepEqual(msg, { kind: 'accepted', name: '[2J' + 'A'.repeat(36) });
  });

  it('chooses the first offered charset carrier speaks', () => {
    assert.deepEqual(chooseCharset(['KOI8-R', 'ibm437', 'UTF-8']), { name: 'ibm437', encoding: 'cp437' });
    assert.equal(chooseCharset(['KOI8-R']), undefined);
  });
});
