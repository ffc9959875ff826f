import net from 'node:net';
import { CarrierError, ErrorCodes } from '@carrier/core';

/**
 * A sysop's list of exact addresses and CIDR ranges (`127.0.0.1`, `10.0.0.0/8`,
 * `2001:db8::/32`), checked against a caller's address. Built once at start: a bad
 * entry is a CONFIG_INVALID error naming the entry, never a silent non-match.
 */
export class AddressList {
  private readonly list = new net.BlockList();
  readonly size: number;

  constructor(entries: readonly string[], key = 'addresses') {
    for (const raw of entries) {
      const entry = raw.trim();
      const [address = '', prefix, extra] = entry.split('/');
      const family = net.isIP(address);
      const bits = family === 4 ? 32 : 128;
      const invalid = (why: string): CarrierError =>
        new CarrierError(ErrorCodes.CONFIG_INVALID, `${key}: "${raw}" ${why}`, { key, entry: raw });
      if (family === 0) throw invalid('is not an IP address or CIDR range');
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) {
        this.list.addAddress(address, type);
        continue;
      }
      const length = Number(prefix);
      if (extra !== undefined || !/^\d{1,3}$/.test(prefix) || length > bits) {
        throw invalid(`has an invalid prefix length (0-${bits})`);
      }
      this.list.addSubnet(address, length, type);
    }
    this.size = entries.length;
  }

  /** `address` as BaseServer reports it (IPv4-mapped prefix already removed). */
  has(address: string): boolean {
    const family = net.isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}
