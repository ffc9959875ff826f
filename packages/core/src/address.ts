import net from 'node:net';

/**
 * IP addresses and CIDR ranges as policy sees them: one canonical spelling per address
 * (so `2001:DB8::1` and `2001:db8:0::1` are one source, and `::ffff:10.0.0.1` is the
 * IPv4 address it carries), prefix matching, and the "network" a caller belongs to for
 * per-subnet caps: the /24 for IPv4 and the /64 for IPv6, since one IPv6 host usually
 * owns a whole /64 and can pick a fresh address for every connection.
 */
export interface IpAddress {
  readonly family: 4 | 6;
  /** 4 or 16 bytes, network order */
  readonly bytes: Uint8Array;
}

export interface Cidr extends IpAddress {
  /** prefix length: 0-32 for IPv4, 0-128 for IPv6; host bits of `bytes` are zero */
  readonly bits: number;
}

/** The prefix that makes one "network" for per-subnet caps and IPv6 penalties. */
export const SUBNET_BITS = { 4: 24, 6: 64 } as const;

function parseV4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseV6(text: string): Uint8Array | undefined {
  // A zone index (fe80::1%eth0) names an interface, not a different host.
  const addr = text.split('%')[0]!;
  const halves = addr.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const words: number[] = [];
  const pushGroups = (list: string[], into: number[]): boolean => {
    for (let i = 0; i < list.length; i++) {
      const g = list[i]!;
      if (i === list.length - 1 && g.includes('.')) {
        const v4 = parseV4(g);
        if (!v4) return false;
        into.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      into.push(parseInt(g, 16));
    }
    return true;
  };
  const tailWords: number[] = [];
  if (!pushGroups(head, words) || !pushGroups(tail, tailWords)) return undefined;
  if (halves.length === 2) {
    const fill = 8 - words.length - tailWords.length;
    if (fill < 1) return undefined;
    for (let i = 0; i < fill; i++) words.push(0);
  }
  words.push(...tailWords);
  if (words.length !== 8) return undefined;
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** An address as a socket or a sysop writes it; IPv4-mapped IPv6 becomes IPv4. */
export function parseIp(text: string): IpAddress | undefined {
  const t = text.trim();
  const family = net.isIP(t.split('%')[0]!);
  if (family === 4) {
    const bytes = parseV4(t);
    return bytes ? { family: 4, bytes } : undefined;
  }
  if (family !== 6) return undefined;
  const bytes = parseV6(t);
  if (!bytes) return undefined;
  if (V4_MAPPED_PREFIX.every((b, i) => bytes[i] === b)) return { family: 4, bytes: bytes.slice(12) };
  return { family: 6, bytes };
}

/** Dotted quad, or RFC 5952 IPv6: lowercase, no leading zeros, the longest zero run as `::`. */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) return Array.from(ip.bytes).join('.');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((ip.bytes[i]! << 8) | ip.bytes[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/** The one spelling of an address, or undefined when it is not an IP address. */
export function canonicalAddress(text: string): string | undefined {
  const ip = parseIp(text);
  return ip ? formatIp(ip) : undefined;
}

function masked(bytes: Uint8Array, bits: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    out[i] = keep === 0 ? 0 : bytes[i]! & (0xff << (8 - keep));
  }
  return out;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a plain address (a /32 or /128). Host bits are cleared. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, prefix, extra] = text.trim().split('/');
  if (extra !== undefined || addr === undefined) return undefined;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  let bits = max;
  if (prefix !== undefined) {
    if (!/^\d{1,3}$/.test(prefix)) return undefined;
    bits = Number(prefix);
    // `::ffff:10.0.0.0/104` is the IPv4 /8 it spells.
    if (ip.family === 4 && net.isIP(addr) === 6) bits -= 96;
    if (bits < 0 || bits > max) return undefined;
  }
  return { family: ip.family, bits, bytes: masked(ip.bytes, bits) };
}

/** A single address prints bare; a range as `network/bits`. */
export function formatCidr(c: Cidr): string {
  const full = c.family === 4 ? 32 : 128;
  return c.bits === full ? formatIp(c) : `${formatIp(c)}/${c.bits}`;
}

export function cidrContains(c: Cidr, ip: IpAddress): boolean {
  if (c.family !== ip.family) return false;
  const m = masked(ip.bytes, c.bits);
  for (let i = 0; i < m.length; i++) if (m[i] !== c.bytes[i]) return false;
  return true;
}

/**
 * The network an address counts against for per-subnet caps: `a.b.c.0/24` or the /64.
 * Something that is not an IP address (a test's fake peer) is its own network.
 */
export function subnetOf(address: string): string {
  const ip = parseIp(address);
  if (!ip) return address;
  const bits = SUBNET_BITS[ip.family];
  return formatCidr({ family: ip.family, bits, bytes: masked(ip.bytes, bits) });
}

/**
 * The source a penalty or an automatic ban is charged to: the address itself for IPv4,
 * its /64 for IPv6 (the same reason as subnetOf; OpenSSH's PerSourceNetBlockSize is 32:64).
 */
export function sourceOf(address: string): string {
  const ip = parseIp(address);
  if (!ip) return address;
  return ip.family === 4 ? formatIp(ip) : subnetOf(address);
}

/**
 * A sysop's list of addresses and ranges, checked against callers. Entries that are not
 * addresses are reported by `invalid` so the caller can name them in a config error.
 */
export class AddressSet {
  private readonly exact = new Set<string>();
  private readonly ranges: Cidr[] = [];
  readonly invalid: readonly string[];

  constructor(entries: readonly string[]) {
    const invalid: string[] = [];
    for (const entry of entries) {
      const c = parseCidr(entry);
      if (!c) {
        invalid.push(entry);
        continue;
      }
      if (c.bits === (c.family === 4 ? 32 : 128)) this.exact.add(formatIp(c));
      else this.ranges.push(c);
    }
    this.invalid = invalid;
  }

  get size(): number {
    return this.exact.size + this.ranges.length;
  }

  has(address: string): boolean {
    const ip = parseIp(address);
    if (!ip) return false;
    if (this.exact.has(formatIp(ip))) return true;
    return this.ranges.some((r) => cidrContains(r, ip));
  }
}
