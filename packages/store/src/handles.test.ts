import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMON_PASSWORDS } from './common-passwords.js';
import { handleKey, handleSkeleton, validateHandle, validateLocation, validatePassword } from './handles.js';
import { isValidLevel, LEVELS, MAX_LEVEL, MIN_LEVEL } from './levels.js';

const accepted = (h: string): string => {
  const r = validateHandle(h);
  assert.ok(r.ok, `expected "${h}" to be accepted, got: ${r.ok ? '' : r.reason}`);
  return r.handle;
};
const refused = (h: string): string => {
  const r = validateHandle(h);
  assert.ok(!r.ok, `expected "${h}" to be refused`);
  return r.reason;
};

describe('handles', () => {
  test('ordinary handles pass, trimmed of surrounding spaces', () => {
    assert.equal(accepted('Acid Burn'), 'Acid Burn');
    assert.equal(accepted('  zero_cool  '), 'zero_cool');
    assert.equal(accepted('Lord.Nikon-2'), 'Lord.Nikon-2');
    assert.equal(accepted('Jo'), 'Jo');
    assert.equal(accepted('A'.repeat(20)), 'A'.repeat(20));
  });

  test('lengths outside 2 to 20 characters are refused, counted after trimming', () => {
    assert.match(refused('J'), /at least 2/);
    assert.match(refused('   J   '), /at least 2/);
    assert.match(refused(''), /at least 2/);
    assert.match(refused('A'.repeat(21)), /at most 20/);
  });

  test('a handle starts with a letter', () => {
    assert.match(refused('1337 h4x0r'), /starts with a letter/);
    assert.match(refused('_under'), /starts with a letter/);
    assert.match(refused('.dot'), /starts with a letter/);
  });

  test('only letters, digits, space and _ - . are allowed', () => {
    for (const h of ['bob!', 'a/b', 'tab\there', 'new\nline', 'esc\x1b[2J', 'nul\0x', 'caf\u00e9', 'R\u043eot']) {
      assert.match(refused(h), /only letters, digits/, JSON.stringify(h));
    }
  });

  test('two spaces in a row are refused', () => {
    assert.match(refused('Acid  Burn'), /two spaces/);
  });

  test('reserved names are refused in any case and with separators in between', () => {
    for (const h of ['new', 'ALL', 'Everyone', 'root', 'Admin', 'administrator', 'SYSTEM', 'guest', 'anonymous',
      'nobody', 'carrier', 'info', 'operator', 'postmaster', 'bbs', 'shell', 'sh', 'enable', 'SysOp', 'Sys_Op',
      'A.D.M.I.N', 'co-sysop']) {
      assert.match(refused(h), /reserved/, h);
    }
  });

  test('names that merely contain a reserved word are fine', () => {
    accepted('Newton');
    accepted('Rootbeer');
    accepted('Shelly');
  });

  test('look-alikes of reserved names are reserved too, and so is a staff word as any word', () => {
    for (const h of ['Sys0p', 'The Sysop', 'rt sysop', 'Adm1n', 'R00t', 'Mr Admin', 'Sysop_2']) {
      assert.match(refused(h), /reserved/, h);
    }
    accepted('Cat Stevens');
    accepted('Sysopian');
  });

  test('look-alike handles share one skeleton; different names do not', () => {
    assert.equal(handleSkeleton('aIice'), handleSkeleton('alice'));
    assert.equal(handleSkeleton('rt.sysop'), handleSkeleton('rtsysop'));
    assert.equal(handleSkeleton('rt_sysop'), handleSkeleton('rt sysop'));
    assert.equal(handleSkeleton('c0rn'), handleSkeleton('com'));
    assert.equal(handleSkeleton('Bob'), handleSkeleton('b0b'));
    assert.notEqual(handleSkeleton('alice'), handleSkeleton('alicia'));
    assert.notEqual(handleSkeleton('zero'), handleSkeleton('hero'));
  });

  test('the board sysop handle may be allowed past the reserved list', () => {
    const r = validateHandle('Sysop', { allowReserved: 'sysop' });
    assert.ok(r.ok);
    const other = validateHandle('Admin', { allowReserved: 'sysop' });
    assert.ok(!other.ok);
  });

  test('the handle key is the trimmed, lowercased handle', () => {
    assert.equal(handleKey('  Acid Burn '), 'acid burn');
    assert.equal(handleKey('ACID BURN'), handleKey('acid burn'));
  });
});

describe('passwords chosen at sign-up', () => {
  test('six to 128 characters pass, counted in code points', () => {
    assert.deepEqual(validatePassword('hunter7x'), { ok: true, value: 'hunter7x' });
    assert.equal(validatePassword('x'.repeat(128)).ok, true);
    assert.equal(validatePassword('\u{1f511}'.repeat(6)).ok, true);
  });

  test('shorter or longer passwords are refused with the limit in the reason', () => {
    const short = validatePassword('abc12');
    assert.ok(!short.ok && /at least 6/.test(short.reason));
    const long = validatePassword('x'.repeat(129));
    assert.ok(!long.ok && /at most 128/.test(long.reason));
    assert.equal(validatePassword('\u{1f511}'.repeat(5)).ok, false);
  });

  test('common passwords are refused in any case', () => {
    for (const pw of ['password', 'PASSWORD1', '123456', 'qwerty', 'letmein', 'Trustno1']) {
      const r = validatePassword(pw);
      assert.ok(!r.ok && /too common/.test(r.reason), pw);
    }
  });

  test('the common list has about a hundred entries, all long enough to matter', () => {
    assert.ok(COMMON_PASSWORDS.size >= 100);
    for (const pw of COMMON_PASSWORDS) {
      assert.ok(pw.length >= 6, pw);
      assert.equal(pw, pw.toLowerCase());
    }
  });

  test('the handle itself is refused as a password', () => {
    const r = validatePassword('Acid Burn', 'acid burn');
    assert.ok(!r.ok && /handle/.test(r.reason));
    assert.equal(validatePassword('Acid Burn', 'zero cool').ok, true);
  });
});

describe('locations', () => {
  test('free text up to 40 characters passes, trimmed', () => {
    assert.deepEqual(validateLocation('  Gibson, NYC '), { ok: true, value: 'Gibson, NYC' });
    assert.deepEqual(validateLocation('Zürich'), { ok: true, value: 'Zürich' });
    assert.equal(validateLocation('x'.repeat(41)).ok, false);
  });

  test('control characters, bidi overrides and lone surrogates are refused', () => {
    for (const loc of ['esc\x1b[2J', 'bell\x07', 'c1\x9b31m', 'rtl\u202eevil', 'half\ud800']) {
      const r = validateLocation(loc);
      assert.ok(!r.ok && /control characters/.test(r.reason), JSON.stringify(loc));
    }
  });
});

describe('levels', () => {
  test('named levels rise from new user to sysop, inside the valid range', () => {
    assert.ok(LEVELS.newUser < LEVELS.user && LEVELS.user < LEVELS.cosysop && LEVELS.cosysop < LEVELS.sysop);
    for (const level of Object.values(LEVELS)) assert.ok(isValidLevel(level));
  });

  test('a level is a whole number from MIN_LEVEL to MAX_LEVEL', () => {
    assert.equal(isValidLevel(MIN_LEVEL), true);
    assert.equal(isValidLevel(MAX_LEVEL), true);
    assert.equal(isValidLevel(MAX_LEVEL + 1), false);
    assert.equal(isValidLevel(-1), false);
    assert.equal(isValidLevel(20.5), false);
    assert.equal(isValidLevel(Number.NaN), false);
  });
});
