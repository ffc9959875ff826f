import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeClientText, escapeInvisible } from './escape.js';
import { client, createMemoryLogger } from './log.js';

describe('escaping for logs', () => {
  it('marks a cut with an ellipsis only when something was cut', () => {
    assert.equal(escapeClientText('abcde', 5), 'abcde');
    assert.equal(escapeClientText('abcdef', 5), 'abcde…');
    assert.equal(escapeClientText(Buffer.from('abcde'), 5), 'abcde');
    assert.equal(escapeClientText(Buffer.from('abcdef'), 5), 'abcde…');
  });

  it('shows zero-width, bidi and blank-letter characters in client text instead of hiding them', () => {
    assert.equal(escapeClientText('alice\u200b'), 'alice\\u200b');
    assert.equal(escapeClientText('abc\u202etxt.exe'), 'abc\\u202etxt.exe');
    assert.equal(escapeClientText('\u3164\u2800'), '\\u3164\\u2800');
    assert.equal(escapeClientText('x\u2066y\u2069\ufeff'), 'x\\u2066y\\u2069\\ufeff');
    assert.equal(escapeClientText('☕ Ω'), '☕ Ω', 'visible text stays as it is');
    assert.equal(escapeClientText('café naïve ß ÿ'), 'café naïve ß ÿ', 'Latin-1 letters are visible text too');
    assert.equal(escapeClientText('a\u0085b\u009bc'), 'a\\x85b\\x9bc', 'C1 controls are escaped');
    assert.equal(escapeClientText('a\u00a0b\u00adc'), 'a\\u00a0b\\u00adc', 'a no-break space and a soft hyphen do not show as themselves');
  });

  it('escapes C1 controls and invisible characters in every string field of a log line', () => {
    assert.equal(escapeInvisible('bob\u200d\u009b2J'), 'bob\\u200d\\u009b2J');
    const log = createMemoryLogger();
    log.info('login', { handle: 'alice\u200b', note: 'rtl \u202e', name: client('eve\u2060') });
    const line = log.lines[0]!;
    assert.equal(line['handle'], 'alice\\u200b');
    assert.equal(line['note'], 'rtl \\u202e');
    assert.equal(line['name'], 'eve\\u2060');
  });
});
