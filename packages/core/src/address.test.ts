import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressSet, canonicalAddress, cidrContains, formatCidr, parseCidr, parseIp, sourceOf, subnetOf } from './address.js';

describe('addresses as policy sees them', () => {
  it('gives every spelling of an IPv6 address one canonical form (RFC 5952)', () => {
    assert.equal(canonicalAddress('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
    assert.equal(canonicalAddress('2001:db8:0::1'), '2001:db8::1');
    assert.equal(canonicalAddress('2001:db8:0:1:0:0:0:1'), '2001:db8:0:1::1');
    assert.equal(canonicalAddress('::'), '::');
    assert.equal(canonicalAddress('::1'), '::1');
    assert.equal(canonicalAddress('fe80::1%eth0'), 'fe80::1');
    // a lone zero word is not compressed; the longest run wins
    assert.equal(canonicalAddress('1:0:2:0:0:0:3:4'), '1:0:2::3:4');
  });

  it('treats an IPv4-mapped IPv6 address as the IPv4 address it carries', () => {
    assert.equal(canonicalAddress('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(parseIp('::ffff:10.1.2.3')?.family, 4);
  });

  it('refuses what is not an address', () => {
    for (const bad of ['', 'localhost', '1.2.3', '1.2.3.256', '01.2.3.4x', '1::2::3', '12345::1', 'g::1']) {
      assert.equal(parseIp(bad), undefined, bad);
    }
  });

  it('parses ranges with host bits cleared, and matches only their own family', () => {
    const net8 = parseCidr('10.9.8.7/8')!;
    assert.equal(formatCidr(net8), '10.0.0.0/8');
    assert.ok(cidrContains(net8, parseIp('10.255.0.1')!));
    assert.ok(!cidrContains(net8, parseIp('11.0.0.1')!));
    assert.ok(!cidrContains(net8, parseIp('::ffff:b00:1')!));
    const v6 = parseCidr('2001:db8::/32')!;
    assert.ok(cidrContains(v6, parseIp('2001:db8:ffff::1')!));
    assert.ok(!cidrContains(v6, parseIp('10.0.0.1')!));
    assert.equal(formatCidr(parseCidr('192.0.2.7')!), '192.0.2.7');
    assert.equal(formatCidr(parseCidr('0.0.0.0/0')!), '0.0.0.0/0');
    for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/8/8', '::/129', 'x/8', '10.0.0.0/-1']) assert.equal(parseCidr(bad), undefined, bad);
  });

  it('puts IPv4 callers in their /24 and IPv6 callers in their /64', () => {
    assert.equal(subnetOf('203.0.113.77'), '203.0.113.0/24');
    assert.equal(subnetOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
    assert.equal(subnetOf('not-an-ip'), 'not-an-ip');
  });

  it('charges IPv4 penalties to the address and IPv6 penalties to the /64', () => {
    assert.equal(sourceOf('203.0.113.77'), '203.0.113.77');
    assert.equal(sourceOf('2001:db8:1:2::99'), '2001:db8:1:2::/64');
  });

  it('an address set matches exact addresses and ranges and lists the entries it could not read', () => {
    const set = new AddressSet(['127.0.0.1', '10.0.0.0/8', '2001:DB8::/48', 'banana']);
    assert.deepEqual(set.invalid, ['banana']);
    assert.equal(set.size, 3);
    assert.ok(set.has('127.0.0.1'));
    assert.ok(set.has('::ffff:127.0.0.1'));
    assert.ok(!set.has('127.0.0.2'));
    assert.ok(set.has('10.200.0.1'));
    assert.ok(set.has('2001:db8:0:ffff::1'));
    assert.ok(!set.has('2001:db9::1'));
    assert.ok(!set.has('banana'));
  });
});
