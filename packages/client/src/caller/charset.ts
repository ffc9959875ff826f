import { StringDecoder } from 'node:string_decoder';
import { decodeBytes, encodeText, type Encoding } from '@carrier/core';

/** --cp437, --utf8, or decide from what the board sends. */
export type CharsetMode = 'auto' | 'cp437' | 'utf8';

/**
 * In auto mode, this many well-formed multi-byte UTF-8 characters with no malformed one
 * settle it: CP437 art (box drawing is 0xB0-0xDF, mostly lead bytes followed by more
 * lead bytes) is malformed UTF-8 within its first few characters.
 */
const UTF8_EVIDENCE = 16;

/**
 * Between the board's charset and the local terminal, which is UTF-8 (any terminal a
 * person runs today). CP437 boards are translated both ways, so box drawing and shading
 * show as they were drawn and typed accents reach the board as CP437.
 *
 * Auto mode shows the board's bytes as UTF-8 until a malformed UTF-8 sequence proves the
 * board speaks CP437, and from then on translates; after enough well-formed UTF-8 it
 * stops looking. Because a board's cursor-position probe is answered by the local
 * terminal, the board measures the very rendering chosen here, so its own detection
 * agrees with it.
 */
export class RemoteCharset {
  private decided: Encoding | undefined;
  private evidence = 0;
  /** an incomplete UTF-8 sequence at the end of the last read (at most 3 bytes) */
  private pending = Buffer.alloc(0);
  private readonly fromBoard = new StringDecoder('utf8');
  private readonly fromKeyboard = new StringDecoder('utf8');

  constructor(readonly mode: CharsetMode) {
    if (mode !== 'auto') this.decided = mode;
  }

  /** What the board is taken to speak now; undefined while auto mode is still looking. */
  get current(): Encoding | undefined {
    return this.decided;
  }

  /** The charset to accept when a board asks with CHARSET (RFC 2066): the local terminal's unless told otherwise. */
  get negotiated(): Encoding {
    return this.mode === 'cp437' ? 'cp437' : 'utf8';
  }

  /** The board's bytes as text for the local terminal. */
  toLocal(bytes: Buffer): string {
    if (this.decided === 'cp437') return decodeBytes(bytes, 'cp437');
    if (this.decided === 'utf8') return this.fromBoard.write(bytes);
    const data = this.pending.length > 0 ? Buffer.concat([this.pending, bytes]) : bytes;
    const scan = scanUtf8(data);
    if (scan.malformed) {
      this.decided = 'cp437';
      this.pending = Buffer.alloc(0);
      return decodeBytes(data, 'cp437');
    }
    this.evidence += scan.multiByte;
    this.pending = Buffer.from(data.subarray(scan.complete));
    const text = data.subarray(0, scan.complete).toString('utf8');
    if (this.evidence >= UTF8_EVIDENCE) {
      this.decided = 'utf8';
      const rest = this.pending;
      this.pending = Buffer.alloc(0);
      return text + this.fromBoard.write(rest);
    }
    return text;
  }

  /** Keys typed on the local (UTF-8) keyboard as bytes for the board. */
  toRemote(bytes: Buffer): Buffer {
    if (this.decided !== 'cp437') return bytes;
    return encodeText(this.fromKeyboard.write(bytes), 'cp437');
  }
}

export interface Utf8Scan {
  /** bytes up to the end of the last complete character */
  complete: number;
  /** well-formed characters of two or more bytes */
  multiByte: number;
  malformed: boolean;
}

/**
 * Well-formedness per the Unicode standard (table 3-7): no overlongs, no surrogates,
 * nothing past U+10FFFF. A sequence cut off by the end of the data is not malformed;
 * `complete` stops before it.
 */
export function scanUtf8(data: Buffer): Utf8Scan {
  let i = 0;
  let multiByte = 0;
  while (i < data.length) {
    const b = data[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return { complete: i, multiByte, malformed: true };
    for (let k = 1; k <= need; k++) {
      const c = data[i + k];
      if (c === undefined) return { complete: i, multiByte, malformed: false };
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) return { complete: i, multiByte, malformed: true };
    }
    multiByte++;
    i += need + 1;
  }
  return { complete: i, multiByte, malformed: false };
}
