import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadBuffer, toRegExp } from './read-buffer.js';

describe('the unread-text buffer', () => {
  it('takes the earliest match of several patterns, and on a tie the one listed first', () => {
    const b = new ReadBuffer();
    b.append('welcome\r\nlogin: ');
    const m = b.takeMatch([toRegExp('login:'), toRegExp(/come/), toRegExp(/w/)]);
    assert.equal(m?.index, 2);
    assert.equal(m?.before, '');
    assert.equal(b.peek(), 'elcome\r\nlogin: ');
    const tie = b.takeMatch([toRegExp(/elc/), toRegExp('e')]);
    assert.equal(tie?.index, 0);
  });

  it('consumes the text through the match and leaves the rest', () => {
    const b = new ReadBuffer();
    b.append('a password: b');
    const m = b.takeMatch([toRegExp('password:')]);
    assert.equal(m?.through, 'a password:');
    assert.equal(m?.before, 'a ');
    assert.equal(b.takeAll(), ' b');
    assert.equal(b.takeAll(), '');
  });

  it('treats a string pattern literally', () => {
    const b = new ReadBuffer();
    b.append('cost: $5 (approx.)');
    assert.equal(b.takeMatch([toRegExp('$5 (approx.)')])?.match[0], '$5 (approx.)');
  });

  it('ignores the global flag, whose lastIndex would make a search depend on the one before', () => {
    const b = new ReadBuffer();
    const re = /x/g;
    b.append('x');
    assert.ok(b.takeMatch([toRegExp(re)]));
    b.append('x');
    assert.ok(b.takeMatch([toRegExp(re)]));
  });

  it('keeps the newest text when it grows past its cap, and counts what it dropped', () => {
    const b = new ReadBuffer(10);
    b.append('0123456789');
    b.append('abcd');
    assert.equal(b.peek(), '456789abcd');
    assert.equal(b.dropped, 4);
  });
});
