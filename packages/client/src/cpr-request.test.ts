import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CprRequestScanner, cursorPositionReport } from './cpr-request.js';

describe('finding cursor-position requests', () => {
  it('finds a request whole, twice in a chunk, or split at every byte', () => {
    assert.equal(new CprRequestScanner().push(Buffer.from('\x1b[999;999H\x1b[6n')), 1);
    assert.equal(new CprRequestScanner().push(Buffer.from('\x1b[6nabc\x1b[6n')), 2);
    const s = new CprRequestScanner();
    let found = 0;
    for (const b of Buffer.from('x\x1b[6ny')) found += s.push(Buffer.from([b]));
    assert.equal(found, 1);
  });

  it('is not fooled by look-alikes or a request that starts over', () => {
    const s = new CprRequestScanner();
    assert.equal(s.push(Buffer.from('\x1b[5n \x1b[66n \x1b[6m \x1b\x1b[6n')), 1);
  });

  it('answers row;col of the last cell', () => {
    assert.equal(cursorPositionReport(25, 80), '\x1b[25;80R');
  });
});
