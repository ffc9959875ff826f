// Telnet bytes built by hand, so the battery tests the server against the wire format
// itself rather than against carrier's own encoder. Numbers are RFC 854/855 and the
// option RFCs (PROTOCOL-NOTES).
export const IAC = 255, DONT = 254, DO = 253, WONT = 252, WILL = 251, SB = 250, SE = 240, DM = 242;
export const Opt = { BINARY: 0, ECHO: 1, SGA: 3, TM: 6, TTYPE: 24, NAWS: 31, LINEMODE: 34, NEW_ENVIRON: 39, CHARSET: 42 } as const;
/** TTYPE IS/SEND (RFC 1091), NEW-ENVIRON codes (RFC 1572), CHARSET REQUEST/REJECTED (RFC 2066), LINEMODE SLC (RFC 1184) */
export const TTYPE_IS = 0, TTYPE_SEND = 1;
export const ENV_IS = 0, ENV_INFO = 2, ENV_VAR = 0, ENV_VALUE = 1, ENV_ESC = 2;
export const CHARSET_REQUEST = 1, CHARSET_REJECTED = 3;
export const LINEMODE_SLC = 3;

export type Part = number | string | Buffer | readonly number[];

/** Concatenate bytes, latin1 strings and byte arrays as they are (no escaping). */
export function bytes(...parts: Part[]): Buffer {
  return Buffer.concat(
    parts.map((p) => (typeof p === 'number' ? Buffer.from([p]) : typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))),
  );
}

/** IAC WILL/WONT/DO/DONT option. */
export const cmd = (verb: number, option: number): Buffer => Buffer.from([IAC, verb, option]);

/** IAC SB option <body with IAC doubled> IAC SE: a well-formed subnegotiation. */
export function sb(option: number, ...body: Part[]): Buffer {
  const raw = bytes(...body);
  const escaped: number[] = [];
  for (const b of raw) {
    escaped.push(b);
    if (b === IAC) escaped.push(IAC);
  }
  return bytes(IAC, SB, option, escaped, IAC, SE);
}

/** A NAWS report, 16-bit big-endian, 255s doubled like PuTTY does. */
export function naws(cols: number, rows: number): Buffer {
  return sb(Opt.NAWS, [cols >> 8, cols & 255, rows >> 8, rows & 255]);
}
