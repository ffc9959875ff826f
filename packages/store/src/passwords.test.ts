import { randomBytes, scryptSync } from 'node:crypto';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isCarrierError } from '@carrier/core';
import {
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  needsRehash,
  storedHashParams,
  verifyPassword,
  type ScryptParams,
} from './passwords.js';

const CHEAP: ScryptParams = { N: 1024, r: 8, p: 1, keylen: 32 };

describe('password hashing', () => {
  test('a hash made with the defaults names scrypt, N=16384 r=8 p=1, a 16-byte salt and a 32-byte key', async () => {
    const stored = await hashPassword('correct horse');
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    assert.equal(scheme, 'scrypt');
    assert.deepEqual([n, r, p], ['16384', '8', '1']);
    assert.equal(Buffer.from(salt!, 'base64').length, 16);
    assert.equal(Buffer.from(hash!, 'base64').length, 32);
    assert.equal(await verifyPassword('correct horse', stored), true);
  });

  test('the right password verifies and a wrong one does not', async () => {
    const stored = await hashPassword('tr0ub4dor&3', CHEAP);
    assert.equal(await verifyPassword('tr0ub4dor&3', stored), true);
    assert.equal(await verifyPassword('tr0ub4dor&4', stored), false);
    assert.equal(await verifyPassword('', stored), false);
  });

  test('two hashes of one password differ, because each gets its own salt', async () => {
    const a = await hashPassword('same password', CHEAP);
    const b = await hashPassword('same password', CHEAP);
    assert.notEqual(a, b);
  });

  test('a precomposed and a decomposed accent are the same password', async () => {
    const stored = await hashPassword('caf\u00e9 au lait', CHEAP);
    assert.equal(await verifyPassword('cafe\u0301 au lait', stored), true);
  });

  test('malformed stored values verify as false instead of throwing', async () => {
    const good = await hashPassword('a password', CHEAP);
    const broken = [
      '',
      'plaintext',
      good.replace('scrypt$', 'bcrypt$'),
      good.slice(0, good.lastIndexOf('$')),
      good + '$extra',
      good.replace('$1024$', '$1000$'), // N not a power of two
      good.replace('$1024$', '$-1024$'),
      good.replace(/\$[^$]+$/, '$not*base64'),
      'scrypt$1024$8$1$' + 'A'.repeat(600) + '$AAAA',
    ];
    for (const stored of broken) assert.equal(await verifyPassword('a password', stored), false, stored);
  });

  test('a stored value asking for more memory or work than the limits is unreadable, so never run', async () => {
    const good = await hashPassword('a password', CHEAP);
    const withParams = (n: number, r: number, p: number): string => good.replace('scrypt$1024$8$1$', `scrypt$${n}$${r}$${p}$`);
    assert.deepEqual(storedHashParams(good), CHEAP);
    assert.equal(storedHashParams(withParams(2 ** 20, 32, 1)), null, '4 GiB of memory');
    assert.equal(storedHashParams(withParams(2 ** 17, 3, 16)), null, '48 times the default work');
    assert.equal(storedHashParams(withParams(1024, 8, 999)), null, 'p out of range');
    assert.equal(await verifyPassword('a password', withParams(2 ** 20, 32, 1)), false);
  });

  test('a correct hash with a key shorter than 16 bytes does not verify', async () => {
    const salt = randomBytes(16);
    const key = scryptSync('a password', salt, 8, { N: 1024, r: 8, p: 1 });
    const stored = `scrypt$1024$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
    assert.equal(await verifyPassword('a password', stored), false);
    const longer = scryptSync('a password', salt, 16, { N: 1024, r: 8, p: 1 });
    assert.equal(await verifyPassword('a password', stored.replace(/[^$]+$/, longer.toString('base64'))), true);
  });

  test('hashing with parameters outside the limits is a CONFIG_INVALID error', async () => {
    for (const params of [
      { ...CHEAP, N: 1000 },
      { ...CHEAP, r: 0 },
      { ...CHEAP, keylen: 8 },
      { ...CHEAP, N: 2 ** 20, r: 8 },
    ]) {
      await assert.rejects(hashPassword('x', params), (e) => isCarrierError(e, 'CONFIG_INVALID'), JSON.stringify(params));
    }
  });
});

describe('needsRehash', () => {
  test('is false for a hash made with the wanted parameters', async () => {
    const stored = await hashPassword('pw', CHEAP);
    assert.equal(needsRehash(stored, CHEAP), false);
  });

  test('is true once N, r, p or the key length differ from the wanted ones', async () => {
    const stored = await hashPassword('pw', CHEAP);
    assert.equal(needsRehash(stored, DEFAULT_SCRYPT_PARAMS), true);
    assert.equal(needsRehash(stored, { ...CHEAP, r: 4 }), true);
    assert.equal(needsRehash(stored, { ...CHEAP, p: 2 }), true);
    assert.equal(needsRehash(stored, { ...CHEAP, keylen: 64 }), true);
  });

  test('is true for a value that cannot be read', () => {
    assert.equal(needsRehash('not a hash', CHEAP), true);
  });
});
