import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TERMINAL_LIMITS } from '@carrier/core';
import { Env } from '../constants.js';
import { mergeEnv, parseNewEnviron } from './new-environ.js';

const { IS, INFO, SEND, VAR, VALUE, ESC, USERVAR } = Env;
const body = (...parts: (number | string)[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from([p]))));

describe('NEW-ENVIRON messages', () => {
  it('parses IS with VAR and USERVAR, defined and undefined', () => {
    assert.deepEqual(parseNewEnviron(body(IS, VAR, 'USER', VALUE, 'bob', USERVAR, 'TERM', VALUE, 'ansi', VAR, 'JOB')), {
      kind: 'is',
      entries: [
        { kind: 'var', name: 'USER', value: 'bob' },
        { kind: 'uservar', name: 'TERM', value: 'ansi' },
        { kind: 'var', name: 'JOB', value: undefined },
      ],
      truncated: false,
    });
  });

  it('parses INFO, and an empty VALUE as a defined empty string', () => {
    assert.deepEqual(parseNewEnviron(body(INFO, VAR, 'LANG', VALUE)), {
      kind: 'info',
      entries: [{ kind: 'var', name: 'LANG', value: '' }],
      truncated: false,
    });
  });

  it('reads ESC as "the next byte is literal"', () => {
    const msg = parseNewEnviron(body(IS, USERVAR, 'A', ESC, VAR, 'B', VALUE, ESC, ESC, ESC, USERVAR));
    assert.deepEqual(msg?.kind === 'is' && msg.entries, [{ kind: 'uservar', name: 'A\x00B', value: '\x02\x03' }]);
  });

  it('ignores a VALUE before any VAR, up to the next VAR', () => {
    const msg = parseNewEnviron(body(IS, VALUE, 'junk', VAR, 'TERM', VALUE, 'vt100'));
    assert.deepEqual(msg?.kind === 'is' && msg.entries, [{ kind: 'var', name: 'TERM', value: 'vt100' }]);
  });

  it('ignores a second VALUE for the same VAR', () => {
    const msg = parseNewEnviron(body(IS, VAR, 'A', VALUE, '1', VALUE, '2'));
    assert.deepEqual(msg?.kind === 'is' && msg.entries, [{ kind: 'var', name: 'A', value: '1' }]);
  });

  it('parses SEND lists (for a client) and rejects unknown kinds', () => {
    assert.deepEqual(parseNewEnviron(body(SEND, VAR, 'USER', USERVAR, 'TERM')), {
      kind: 'send',
      vars: [{ kind: 'var', name: 'USER' }, { kind: 'uservar', name: 'TERM' }],
      truncated: false,
    });
    assert.equal(parseNewEnviron(body(9, VAR, 'X')), undefined);
    assert.equal(parseNewEnviron(Buffer.alloc(0)), undefined);
  });

  it('reads at most 256 of 10,000 variables and says it stopped', () => {
    const parts: (number | string)[] = [IS];
    for (let i = 0; i < 10_000; i++) parts.push(VAR, `V${i}`, VALUE, 'x');
    const msg = parseNewEnviron(body(...parts));
    assert.equal(msg?.kind, 'is');
    assert.equal(msg.kind === 'is' && msg.entries.length, 256);
    assert.equal(msg.truncated, true);
  });
});

describe('folding env answers into a terminal env', () => {
  it('uppercases keys so keys differing only in case collapse, last one winning', () => {
    const env: Record<string, string> = {};
    mergeEnv(env, [
      { kind: 'var', name: 'lang', value: 'C' },
      { kind: 'var', name: 'LANG', value: 'en_US.UTF-8' },
    ]);
    assert.deepEqual(env, { LANG: 'en_US.UTF-8' });
  });

  it('skips undefined variables (inetutils sends names without values for unexported ones)', () => {
    const env: Record<string, string> = {};
    mergeEnv(env, [{ kind: 'var', name: 'USER', value: undefined }]);
    assert.deepEqual(env, {});
  });

  it('keeps USER="-f root" as a plain display string', () => {
    const env: Record<string, string> = {};
    mergeEnv(env, [{ kind: 'var', name: 'USER', value: '-f root' }]);
    assert.deepEqual(env, { USER: '-f root' });
  });

  it('strips control bytes and escapes from keys and values and caps their length', () => {
    const env: Record<string, string> = {};
    mergeEnv(env, [{ kind: 'uservar', name: 'TE\x1bRM\n', value: `\x1b[2J${'v'.repeat(1000)}\r\n` }]);
    assert.deepEqual(Object.keys(env), ['TERM']);
    assert.equal(env['TERM']!.length, TERMINAL_LIMITS.maxEnvValueLength);
    assert.match(env['TERM']!, /^\[2Jvvv/);
  });

  it('keeps at most 64 keys and counts the ones it dropped', () => {
    const env: Record<string, string> = {};
    const entries = Array.from({ length: 100 }, (_, i) => ({ kind: 'var' as const, name: `K${i}`, value: 'v' }));
    assert.equal(mergeEnv(env, entries), 100 - TERMINAL_LIMITS.maxEnvEntries);
    assert.equal(Object.keys(env).length, TERMINAL_LIMITS.maxEnvEntries);
    mergeEnv(env, [{ kind: 'var', name: 'k0', value: 'updated' }]);
    assert.equal(env['K0'], 'updated', 'an existing key still updates at the cap');
  });

  it('cannot reach the object prototype through a key', () => {
    const env: Record<string, string> = {};
    mergeEnv(env, [{ kind: 'var', name: '__proto__', value: 'x' }]);
    assert.equal(Object.getPrototypeOf(env), Object.prototype);
    assert.equal(env['__PROTO__'], 'x');
  });
});
