import { AddressSet, canonicalAddress } from '@carrier/core';

/** Longest X-Forwarded-For header read; a proxy chain is a few addresses. */
export const MAX_FORWARDED_LENGTH = 1024;
/** Addresses walked back from the right of X-Forwarded-For. */
const MAX_FORWARDED_HOPS = 16;

/**
 * The caller's real address behind a reverse proxy. X-Forwarded-For is believed only
 * when the socket's peer is a trusted proxy, and then read from the right: each hop
 * that is itself a trusted proxy is skipped, and the first address that is not is the
 * caller. Anything unparsable stops the walk at the last trusted hop (the proxy), so a
 * forged or broken header can never make a caller look like someone else.
 */
export class ForwardedResolver {
  private readonly trusted: AddressSet;

  constructor(trustedProxies: readonly string[]) {
    this.trusted = new AddressSet(trustedProxies);
    if (this.trusted.invalid.length > 0) throw new Error(`web.trustedProxies: not an address or CIDR: ${this.trusted.invalid.join(', ')}`);
  }

  isTrusted(address: string): boolean {
    return this.trusted.size > 0 && this.trusted.has(address);
  }

  /** `peer` is the socket's (normalized) address; `header` the raw X-Forwarded-For value(s). */
  resolve(peer: string, header: string | string[] | undefined): string {
    if (!this.isTrusted(peer) || header === undefined) return peer;
    const text = Array.isArray(header) ? header.join(',') : header;
    if (text.length > MAX_FORWARDED_LENGTH) return peer;
    const hops = text.split(',').map((h) => h.trim()).filter((h) => h.length > 0).reverse().slice(0, MAX_FORWARDED_HOPS);
    let current = peer;
    for (const hop of hops) {
      const addr = canonicalAddress(stripPort(hop));
      if (!addr) return current;
      current = addr;
      if (!this.trusted.has(addr)) return addr;
    }
    return current;
  }
}

/** `1.2.3.4:5678` and `[2001:db8::1]:443` as some proxies write them. */
function stripPort(hop: string): string {
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  if (bracket) return bracket[1]!;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(hop);
  return v4 ? v4[1]! : hop;
}
