import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressSet, parseCidr } from '@carrier/core';
import { AddressList } from '@carrier/rlogin';
import { isAddressOrCidr } from './config.js';

// One address/CIDR parser (core's): the config check, the rlogin trusted list and the
// security lists (AddressSet) must accept and refuse exactly the same entries.
const ENTRIES = [
  '127.0.0.1', ' 127.0.0.1', '127.0.0.1 ', '\t10.0.0.0/8\n', '10.0.0.0/8', '10.0.0.0/0', '10.0.0.0/32', '10.0.0.0/33',
  '10.0.0.0/', '10.0.0.0/8/1', '10.0.0.0/-1', '10.0.0.0/08', '10.0.0.0/1000', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4',
  '::1', '::1/128', '::1/129', '2001:DB8::/32', '2001:db8:0::1', '::ffff:10.0.0.1', '::ffff:10.0.0.0/104', '::ffff:10.0.0.0/95',
  'fe80::1%eth0', 'localhost', '', ' ', '/', 'x/8', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9',
];

describe('one address parser', () => {
  for (const entry of ENTRIES) {
    it(`config, rlogin and the security lists agree on ${JSON.stringify(entry)}`, () => {
      const core = parseCidr(entry) !== undefined;
      assert.equal(isAddressOrCidr(entry), core, 'config check');
      assert.equal(new AddressSet([entry]).invalid.length === 0, core, 'AddressSet');
      let rlogin = true;
      try {
        new AddressList([entry], 'rlogin.trusted');
      } catch {
        rlogin = false;
      }
      assert.equal(rlogin, core, 'rlogin AddressList');
    });
  }

  it('matches a caller the same way in rlogin and the security lists', () => {
    const entries = [' 10.0.0.0/8', '2001:db8::/32', '192.0.2.7', '::ffff:198.51.100.0/120'];
    const set = new AddressSet(entries);
    const list = new AddressList(entries);
    for (const caller of ['10.2.3.4', '11.0.0.1', '2001:db8::5', '2001:db9::5', '192.0.2.7', '::ffff:192.0.2.7', '198.51.100.9', 'unknown']) {
      assert.equal(list.has(caller), set.has(caller), caller);
    }
    assert.equal(list.has('198.51.100.9'), true);
    assert.equal(list.has('::ffff:192.0.2.7'), true);
  });
});
