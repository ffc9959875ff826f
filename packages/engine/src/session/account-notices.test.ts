import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { User } from '@carrier/store';
import { accountNotices } from './account-notices.js';

const vera: User = { id: 7, handle: 'Vera', level: 20, location: 'Oslo', createdAt: 0, lastLoginAt: null, callCount: 1 };

describe("what a caller is told of a sysop's change to their account", () => {
  it('a new level, new flags, a new location: one line each', () => {
    assert.deepEqual(accountNotices(vera, { ...vera, level: 30 }, {}), ['The sysop changed your access level to 30.']);
    assert.deepEqual(accountNotices(vera, vera, { flags: 'AB' }), ['The sysop changed your flags to AB.']);
    assert.deepEqual(accountNotices(vera, { ...vera, location: 'Lima, Peru' }, { location: 'Lima, Peru' }), ['The sysop changed your location to Lima, Peru.']);
  });

  it('cleared flags and a cleared location are said as cleared', () => {
    assert.deepEqual(accountNotices(vera, vera, { flags: '' }), ['The sysop cleared your flags.']);
    assert.deepEqual(accountNotices(vera, { ...vera, location: null }, { location: null }), ['The sysop cleared your location.']);
  });

  it('nothing the sysop did not change: the same level, and a location the caller changed on their own settings screen', () => {
    assert.deepEqual(accountNotices(vera, vera, {}), []);
    assert.deepEqual(accountNotices(vera, { ...vera, location: 'Bergen' }, {}), []);
  });

  it('nothing to the sysop who changed their own account from their own session (any case of the handle)', () => {
    assert.deepEqual(accountNotices(vera, { ...vera, level: 100 }, { by: 'vera' }), []);
    assert.deepEqual(accountNotices(vera, vera, { by: 'VERA', flags: 'Z' }), []);
    assert.deepEqual(accountNotices(vera, vera, { by: 'Lestrade', flags: 'Z' }), ['The sysop changed your flags to Z.']);
  });
});
