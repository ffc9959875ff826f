import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PromptLine } from './prompt-line.js';

const keys = (s: string) => Buffer.from(s, 'utf8');

describe('the command prompt line', () => {
  it('echoes typing and hands over the line on Enter', () => {
    const p = new PromptLine(0x1d);
    assert.deepEqual(p.push(keys('open bbs\r')), [{ kind: 'echo', text: 'open bbs' }, { kind: 'line', line: 'open bbs' }]);
  });

  it('rubs out with backspace and Ctrl-U, a multi-byte character as one', () => {
    const p = new PromptLine(0x1d);
    assert.deepEqual(p.push(keys('hé\x7f\x7fx\x15quit\r')).at(-1), { kind: 'line', line: 'quit' });
  });

  it('swallows arrow keys and cancels on Ctrl-C or the escape key', () => {
    const p = new PromptLine(0x1d);
    assert.deepEqual(p.push(keys('\x1b[Aab\x1bOD\x03')), [{ kind: 'echo', text: 'ab' }, { kind: 'cancel' }]);
    assert.deepEqual(p.push(Buffer.from([0x1d])), [{ kind: 'cancel' }]);
    assert.deepEqual(p.push(keys('\r')), [{ kind: 'line', line: '' }], 'a cancelled line is forgotten');
  });

  it('says eof for Ctrl-D on an empty line only', () => {
    const p = new PromptLine(0x1d);
    assert.deepEqual(p.push(keys('a\x04')), [{ kind: 'echo', text: 'a' }]);
    assert.deepEqual(p.push(keys('\x15\x04')).at(-1), { kind: 'eof' });
  });

  it('stops growing at its cap, whatever is pasted', () => {
    const p = new PromptLine(0x1d);
    p.push(Buffer.alloc(100_000, 0x61));
    const ev = p.push(keys('\r')).at(-1);
    assert.equal(ev?.kind === 'line' && ev.line.length, 1024);
  });
});
