import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TERMINAL_LIMITS } from '@carrier/core';
import { decideEnv, decidePty, sshTerminal } from './session-requests.js';

describe('decidePty', () => {
  it('lowercases TERM, strips what is not printable ASCII and caps it', () => {
    assert.deepEqual(decidePty({ term: 'XTERM-256color', cols: 80, rows: 24 }), { term: 'xterm-256color', cols: 80, rows: 24 });
    assert.equal(decidePty({ term: `ANSI\x1b[2J\r\n${'z'.repeat(4096)}`, cols: 80, rows: 24 }).term.length, TERMINAL_LIMITS.maxTypeLength);
    assert.equal(decidePty({ term: 'an si\x00', cols: 80, rows: 24 }).term, 'ansi');
  });

  it('treats missing or non-numeric fields as nothing said', () => {
    assert.deepEqual(decidePty({}), { term: '', cols: 0, rows: 0 });
    assert.deepEqual(decidePty({ term: 7, cols: '80', rows: null }), { term: '', cols: 0, rows: 0 });
  });
});

describe('decideEnv', () => {
  it('keeps POSIX names, uppercased, with sanitized and capped values', () => {
    assert.deepEqual(decideEnv({}, 'lang', 'en_US.UTF-8'), { accept: true, key: 'LANG', value: 'en_US.UTF-8' });
    const long = decideEnv({}, 'COLORTERM', 'x'.repeat(10_000));
    assert.equal(long.accept && long.value.length, TERMINAL_LIMITS.maxEnvValueLength);
    assert.deepEqual(decideEnv({}, 'X', 'a\x1b]0;pwned\x07b'), { accept: true, key: 'X', value: 'a]0;pwnedb' });
  });

  it('refuses names that are not environment variable names', () => {
    for (const key of ['', 'A B', '1ABC', 'A=B', 'K'.repeat(65), 7]) assert.equal(decideEnv({}, key, 'v').accept, false, String(key));
  });

  it(`keeps at most ${TERMINAL_LIMITS.maxEnvEntries} names, but lets a kept name be updated`, () => {
    const full = Object.fromEntries(Array.from({ length: TERMINAL_LIMITS.maxEnvEntries }, (_, i) => [`V${i}`, 'x']));
    assert.deepEqual(decideEnv(full, 'ONE_MORE', 'x'), { accept: false, reason: 'too many environment variables' });
    assert.deepEqual(decideEnv(full, 'v3', 'y'), { accept: true, key: 'V3', value: 'y' });
  });
});

describe('sshTerminal', () => {
  it('builds the terminal from a pty: type, size from the pty, encoding from the TERM table', () => {
    assert.deepEqual(sshTerminal({ term: 'syncterm', cols: 80, rows: 25 }, {}), {
      protocol: 'ssh',
      type: 'syncterm',
      types: ['syncterm'],
      env: {},
      cols: 80,
      rows: 25,
      sizeSource: 'pty',
      encoding: 'cp437',
      encodingSource: 'ttype',
    });
  });

  it('prefers LANG/LC_* over the TERM table', () => {
    const t = sshTerminal({ term: 'ansi', cols: 80, rows: 25 }, { LC_ALL: 'de_DE.UTF-8' });
    assert.deepEqual([t.encoding, t.encodingSource], ['utf8', 'lang']);
    assert.deepEqual(t.env, { LC_ALL: 'de_DE.UTF-8' });
  });

  it('leaves the encoding to the engine when nothing identifies it', () => {
    const t = sshTerminal({ term: 'vt100', cols: 80, rows: 25 }, {});
    assert.equal(t.encoding, undefined);
    assert.equal(t.encodingSource, undefined);
  });

  it('keeps a nonsense pty size at the default for the engine to probe', () => {
    for (const [cols, rows] of [[0, 0], [65535, 65535], [1, 1]] as const) {
      const t = sshTerminal({ term: 'xterm', cols, rows }, {});
      assert.deepEqual([t.cols, t.rows, t.sizeSource], [80, 25, 'default'], `${cols}x${rows}`);
    }
  });

  it('makes an unknown terminal of no stated size when there was no pty', () => {
    const t = sshTerminal(undefined, {});
    assert.equal(t.type, 'unknown');
    assert.deepEqual(t.types, []);
    assert.equal(t.cols, undefined, 'BaseConnection supplies the default size');
    assert.equal(t.sizeSource, undefined);
  });
});
