import { encodingFromCharsetName, type Encoding } from '@carrier/core';
import { Charset } from '../constants.js';

/** CHARSET subnegotiation bodies (RFC 2066). TTABLE messages are never asked for and carry nothing we read. */
export type CharsetMessage =
  | { kind: 'request'; names: string[]; truncated: boolean }
  | { kind: 'accepted'; name: string }
  | { kind: 'rejected' }
  | { kind: 'ttable' };

/** Names read from one REQUEST; a longer list is refused whole (10,000 names do arrive). */
export const MAX_CHARSET_NAMES = 32;
/** IANA charset names are at most 40 characters (RFC 2978). */
const MAX_NAME_LENGTH = 40;
const TTABLE_PREFIX = '[TTABLE]';

export function parseCharset(data: Buffer, maxNames = MAX_CHARSET_NAMES): CharsetMessage | undefined {
  switch (data[0]) {
    case Charset.REQUEST:
      return parseRequest(data.subarray(1), maxNames);
    case Charset.ACCEPTED:
      return { kind: 'accepted', name: name(data.subarray(1)) };
    case Charset.REJECTED:
      return { kind: 'rejected' };
    case Charset.TTABLE_IS:
    case Charset.TTABLE_REJECTED:
    case Charset.TTABLE_ACK:
    case Charset.TTABLE_NAK:
      return { kind: 'ttable' };
    default:
      return undefined;
  }
}

function parseRequest(body: Buffer, maxNames: number): CharsetMessage {
  // "[TTABLE]" <version> may precede the list: the sender would also take a translation
  // table. We never send one, so skip it and read the list.
  let at = body.subarray(0, TTABLE_PREFIX.length).toString('latin1') === TTABLE_PREFIX ? TTABLE_PREFIX.length + 1 : 0;
  const sep = body[at];
  const names: string[] = [];
  if (sep === undefined) return { kind: 'request', names, truncated: false };
  at++;
  while (at <= body.length) {
    let end = body.indexOf(sep, at);
    if (end < 0) end = body.length;
    if (end > at) {
      if (names.length >= maxNames) return { kind: 'request', names, truncated: true };
      names.push(name(body.subarray(at, end)));
    }
    at = end + 1;
  }
  return { kind: 'request', names, truncated: false };
}

function name(bytes: Buffer): string {
  return bytes.subarray(0, MAX_NAME_LENGTH).toString('latin1').replace(/[^\x21-\x7e]/g, '');
}

/** The first offered name carrier speaks, in the peer's order of preference. */
export function chooseCharset(names: readonly string[]): { name: string; encoding: Encoding } | undefined {
  for (const n of names) {
    const encoding = encodingFromCharsetName(n);
    if (encoding) return { name: n, encoding };
  }
  return undefined;
}
