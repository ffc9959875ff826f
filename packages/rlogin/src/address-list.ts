import { AddressSet, CarrierError, ErrorCodes } from '@carrier/core';

/**
 * A sysop's list of exact addresses and CIDR ranges (`127.0.0.1`, `10.0.0.0/8`,
 * `2001:db8::/32`), checked against a caller's address. Parsing and matching are core's
 * (AddressSet: the board's one address parser, so every list trims, canonicalises and
 * matches alike). Built once at start: a bad entry is a CONFIG_INVALID error naming the
 * entry, never a silent non-match.
 */
export class AddressList {
  private readonly set: AddressSet;
  readonly size: number;

  constructor(entries: readonly string[], key = 'addresses') {
    this.set = new AddressSet(entries);
    const bad = this.set.invalid[0];
    if (bad !== undefined) {
      throw new CarrierError(
        ErrorCodes.CONFIG_INVALID,
        `${key}: "${bad}" is not an IP address or CIDR range (prefix 0-32 for IPv4, 0-128 for IPv6)`,
        { key, entry: bad },
      );
    }
    this.size = entries.length;
  }

  /** `address` as BaseServer reports it (an IPv4-mapped IPv6 address matches its IPv4). */
  has(address: string): boolean {
    return this.set.has(address);
  }
}
