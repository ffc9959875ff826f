import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCarrierError } from '@carrier/core';
import { AddressList } from './address-list.js';

describe('AddressList', () => {
  it('matches exact IPv4 and IPv6 addresses', () => {
    const list = new AddressList(['127.0.0.1', '::1']);
    assert.equal(list.has('127.0.0.1'), true);
    assert.equal(list.has('127.0.0.2'), false);
    assert.equal(list.has('::1'), true);
    assert.equal(list.has('::2'), false);
  });

  it('matches CIDR ranges', () => {
    const list = new AddressList(['10.0.0.0/8', '2001:db8::/32', '192.0.2.0/24']);
    assert.equal(list.has('10.255.0.1'), true);
    assert.equal(list.has('11.0.0.1'), false);
    assert.equal(list.has('2001:db8:1::5'), true);
    assert.equal(list.has('2001:db9::5'), false);
    assert.equal(list.has('192.0.2.200'), true);
  });

  it('matches nothing when empty, and nothing that is not an address', () => {
    assert.equal(new AddressList([]).has('127.0.0.1'), false);
    assert.equal(new AddressList(['127.0.0.1']).has('unknown'), false);
  });

  it('reads entries as core does: trimmed, any spelling of an address, IPv4-mapped callers', () => {
    const list = new AddressList([' 10.0.0.0/8 ', '2001:DB8:0::1', '192.0.2.7']);
    assert.equal(list.has('10.1.2.3'), true);
    assert.equal(list.has('2001:db8::1'), true);
    assert.equal(list.has('::ffff:192.0.2.7'), true);
    assert.equal(list.has('::ffff:10.9.9.9'), true);
  });

  it('refuses a bad entry at start with CONFIG_INVALID naming the key and the entry', () => {
    for (const bad of ['localhost', '10.0.0.0/33', '10.0.0.0/8/1', '10.0.0.0/', '::1/129', '1.2.3']) {
      assert.throws(
        () => new AddressList([bad], 'rlogin.trusted'),
        (err: unknown) => isCarrierError(err, 'CONFIG_INVALID') && err.message.includes('rlogin.trusted') && err.message.includes(bad),
        bad,
      );
    }
  });
});
