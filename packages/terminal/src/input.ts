import { decodeCp437, type Encoding } from '@carrier/core';

const EMPTY = Buffer.alloc(0);

/** The longest UTF-8 sequence is 4 bytes, so at most 3 can be waiting for the rest. */
const MAX_HELD = 3;

/**
 * Caller bytes -> text, one read at a time. TCP splits wherever it likes, so a UTF-8
 * character can straddle two reads: its first bytes are held until the rest arrives.
 * Invalid UTF-8 becomes U+FFFD (the WHATWG rule, identical to decoding the whole
 * stream at once); nothing here throws and at most 3 bytes are ever held.
 */
export class InputTextDecoder {
  private enc: Encoding;
  private held: Buffer = EMPTY;

  constructor(encoding: Encoding) {
    this.enc = encoding;
  }

  get encoding(): Encoding {
    return this.enc;
  }

  /** Bytes of an unfinished UTF-8 character waiting for the next read. */
  get pendingBytes(): number {
    return this.held.length;
  }

  push(bytes: Buffer): string {
    const buf = this.held.length > 0 ? Buffer.concat([this.held, bytes]) : bytes;
    this.held = EMPTY;
    if (this.enc === 'cp437') return decodeCp437(buf);
    const cut = incompleteTailStart(buf);
    if (cut < buf.length) this.held = Buffer.from(buf.subarray(cut));
    return buf.subarray(0, cut).toString('utf8');
  }

  /** The stream paused: an unfinished character will not be finished, show it as U+FFFD. */
  flush(): string {
    const h = this.held;
    this.held = EMPTY;
    if (h.length === 0) return '';
    return this.enc === 'utf8' ? h.toString('utf8') : decodeCp437(h);
  }

  /**
   * A probe learned the real encoding mid-stream. Bytes held for an unfinished UTF-8
   * character are decoded again under the new encoding with the next read.
   */
  setEncoding(encoding: Encoding): void {
    this.enc = encoding;
  }
}

/**
 * Where a trailing, still-valid-so-far UTF-8 sequence begins, or buf.length if the
 * buffer ends on a character boundary (or on bytes that can never become valid, which
 * the decoder replaces right away).
 */
function incompleteTailStart(buf: Buffer): number {
  const len = buf.length;
  const stop = Math.max(0, len - MAX_HELD);
  for (let i = len - 1; i >= stop; i--) {
    const b = buf[i]!;
    if ((b & 0xc0) === 0x80) continue;
    const need = sequenceLength(b);
    if (need <= len - i) return len;
    const second = buf[i + 1];
    if (second !== undefined && !validSecondByte(b, second)) return len;
    return i;
  }
  return len;
}

function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 1;
}

/** RFC 3629 section 4: the second byte excludes overlongs, surrogates and > U+10FFFF. */
function validSecondByte(lead: number, b: number): boolean {
  if (lead === 0xe0) return b >= 0xa0 && b <= 0xbf;
  if (lead === 0xed) return b >= 0x80 && b <= 0x9f;
  if (lead === 0xf0) return b >= 0x90 && b <= 0xbf;
  if (lead === 0xf4) return b >= 0x80 && b <= 0x8f;
  return b >= 0x80 && b <= 0xbf;
}
