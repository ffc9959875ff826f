// Bytes out: ZDLE escaping, the three header forms and data subpackets. Pure functions.
import { crc16, crc16Byte, crc32Update, crc32Byte, finishCrc32 } from './crc.js';
import { CR, Frame, LF, XON, ZBIN, ZBIN32, ZDLE, ZHEX, ZPAD, type SubpacketEnd } from './constants.js';

export interface EscapeOptions {
  /** The receiver's ZRINIT asked for ESCCTL: escape every control character. */
  escapeControl?: boolean;
}

/** One table per mode: 1 = send as ZDLE, b ^ 0x40. */
const PLAIN = new Uint8Array(256);
const ALL_CONTROL = new Uint8Array(256);
for (const b of [ZDLE, 0x10, XON, 0x13, 0x90, 0x91, 0x93]) PLAIN[b] = 1;
for (let b = 0; b < 256; b++) ALL_CONTROL[b] = PLAIN[b]! || (b & 0x60) === 0 ? 1 : 0;

/**
 * ZDLE-escape `bytes` into `out` at `pos`; returns the new position. `out` needs room
 * for twice the input. CR after '@' is escaped too, so "@CR" never reaches a Telenet-style
 * PAD that would take it as a command (the spec's rule, which lrzsz follows).
 */
export function escapeInto(bytes: Uint8Array, out: Buffer, pos: number, opts: EscapeOptions = {}, start = 0, end = bytes.length): number {
  const table = opts.escapeControl ? ALL_CONTROL : PLAIN;
  let p = pos;
  let last = p > 0 ? out[p - 1]! : 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (table[b] || ((b & 0x7f) === CR && (last & 0x7f) === 0x40)) {
      out[p++] = ZDLE;
      out[p++] = b ^ 0x40;
    } else {
      out[p++] = b;
    }
    last = b;
  }
  return p;
}

export function escape(bytes: Uint8Array, opts: EscapeOptions = {}): Buffer {
  const out = Buffer.allocUnsafe(bytes.length * 2);
  return out.subarray(0, escapeInto(bytes, out, 0, opts));
}

/** Four header bytes for a position (ZP0 = low byte first). */
export function positionBytes(pos: number): [number, number, number, number] {
  return [pos & 0xff, (pos >>> 8) & 0xff, (pos >>> 16) & 0xff, (pos >>> 24) & 0xff];
}

/** The position a header's four bytes carry. */
export function bytesPosition(b: readonly number[]): number {
  return ((b[0]! | (b[1]! << 8) | (b[2]! << 16)) + b[3]! * 0x1000000) >>> 0;
}

const HEX = '0123456789abcdef';
function hex2(b: number): string {
  return HEX[(b >>> 4) & 15]! + HEX[b & 15]!;
}

/**
 * A hex header: `** ZDLE B`, type and four bytes as lowercase hex, the CRC-16, CR LF|0x80,
 * then XON (except after ZACK and ZFIN, which end a flow-controlled exchange).
 */
export function encodeHexHeader(type: number, data: readonly number[]): Buffer {
  const body = [type, data[0]!, data[1]!, data[2]!, data[3]!];
  const crc = crc16(Uint8Array.from(body));
  let s = '';
  for (const b of body) s += hex2(b);
  s += hex2(crc >>> 8) + hex2(crc & 0xff);
  const head = Buffer.from([ZPAD, ZPAD, ZDLE, ZHEX]);
  const tail = type === Frame.ZACK || type === Frame.ZFIN ? [CR, LF | 0x80] : [CR, LF | 0x80, XON];
  return Buffer.concat([head, Buffer.from(s, 'latin1'), Buffer.from(tail)]);
}

/** A binary header with CRC-16 (`ZBIN`) or CRC-32 (`ZBIN32`), escaped. */
export function encodeBinHeader(type: number, data: readonly number[], crc32 = false, opts: EscapeOptions = {}): Buffer {
  const body = Uint8Array.from([type, data[0]!, data[1]!, data[2]!, data[3]!]);
  let raw: Uint8Array;
  if (crc32) {
    const c = finishCrc32(crc32Update(body));
    raw = Uint8Array.from([...body, c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, (c >>> 24) & 0xff]);
  } else {
    const c = crc16(body);
    raw = Uint8Array.from([...body, c >>> 8, c & 0xff]);
  }
  const out = Buffer.allocUnsafe(3 + raw.length * 2);
  out[0] = ZPAD;
  out[1] = ZDLE;
  out[2] = crc32 ? ZBIN32 : ZBIN;
  return out.subarray(0, escapeInto(raw, out, 3, opts));
}

/**
 * A data subpacket: escaped data, ZDLE + end, then the CRC over data and end (escaped).
 * Followed by XON when the end asks for an answer (ZCRCW), as lrzsz does.
 */
export function encodeSubpacket(data: Uint8Array, end: SubpacketEnd, crc32 = false, opts: EscapeOptions = {}): Buffer {
  const out = Buffer.allocUnsafe(data.length * 2 + 2 + 8 + 1);
  let p = escapeInto(data, out, 0, opts);
  out[p++] = ZDLE;
  out[p++] = end;
  let crcBytes: Uint8Array;
  if (crc32) {
    const c = finishCrc32(crc32Byte(end, crc32Update(data)));
    crcBytes = Uint8Array.from([c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, (c >>> 24) & 0xff]);
  } else {
    const c = crc16Byte(end, crc16(data));
    crcBytes = Uint8Array.from([c >>> 8, c & 0xff]);
  }
  p = escapeInto(crcBytes, out, p, opts);
  if (end === 0x6b) out[p++] = XON;
  return out.subarray(0, p);
}
