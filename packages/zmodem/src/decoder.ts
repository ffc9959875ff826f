// Bytes in, events out: header hunting, the three header forms, ZDLE unescaping, data
// subpackets with their CRCs, and the 5-CAN cancel. Never sees a socket; every sequence
// may be split at any byte; memory is one subpacket buffer.
import { crc16, crc16Byte, crc32Update, crc32Byte, finishCrc32 } from './crc.js';
import {
  CAN,
  CANCEL_CAN_COUNT,
  CR,
  FRAMES_WITH_DATA,
  LF,
  SUBPACKET_SIZE,
  XOFF,
  XON,
  ZBIN,
  ZBIN32,
  ZDLE,
  ZHEX,
  ZPAD,
  ZRUB0,
  ZRUB1,
  isSubpacketEnd,
  type SubpacketEnd,
} from './constants.js';

export type HeaderForm = 'hex' | 'bin16' | 'bin32';

export type DecodeErrorCode = 'BAD_HEADER_CRC' | 'BAD_HEX' | 'BAD_DATA_CRC' | 'BAD_ESCAPE' | 'SUBPACKET_TOO_LONG';

export type ZmodemEvent =
  | { type: 'header'; frame: number; data: [number, number, number, number]; form: HeaderForm }
  | { type: 'data'; data: Buffer; end: SubpacketEnd }
  | { type: 'error'; code: DecodeErrorCode }
  | { type: 'cancel' };

export interface ZmodemDecoderOptions {
  /** The longest data subpacket accepted (default 8 KiB, the ZMODEM-8k block). */
  maxSubpacket?: number;
}

const enum State {
  Hunt,
  Pad,
  Dle,
  Hex,
  HexTail,
  Bin,
  Data,
  DataCrc,
}

/** ZMODEM's escaped stream flow-control noise: XON/XOFF in either parity, dropped unescaped. */
function isFlowControl(b: number): boolean {
  return (b & 0x7f) === XON || (b & 0x7f) === XOFF;
}

function hexValue(c: number): number {
  const b = c & 0x7f;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  return -1;
}

export class ZmodemDecoder {
  private readonly maxSub: number;
  private state = State.Hunt;
  private canRun = 0;
  /** ZDLE seen inside an escaped field, waiting for the byte it escapes */
  private escaped = false;
  private form: HeaderForm = 'hex';
  private hex = 0;
  private hexHigh = -1;
  private readonly field = new Uint8Array(9);
  private fieldLen = 0;
  private fieldWant = 0;
  private crc32Data = false;
  private readonly sub: Buffer;
  private subLen = 0;
  private subEnd: SubpacketEnd = 0x68;
  private tail = 0;
  /** Bytes thrown away while hunting for a header since the last good header. */
  garbage = 0;

  constructor(opts: ZmodemDecoderOptions = {}) {
    this.maxSub = Math.max(1, opts.maxSubpacket ?? SUBPACKET_SIZE);
    this.sub = Buffer.allocUnsafe(this.maxSub);
  }

  /** True while a data subpacket is expected or being read. */
  get inData(): boolean {
    return this.state === State.Data || this.state === State.DataCrc;
  }

  /** Drop whatever is being read and look for the next header (after an error, a ZRPOS). */
  hunt(): void {
    this.state = State.Hunt;
    this.escaped = false;
  }

  push(chunk: Uint8Array): ZmodemEvent[] {
    const events: ZmodemEvent[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === CAN) {
        if (++this.canRun >= CANCEL_CAN_COUNT) {
          this.canRun = 0;
          this.escaped = false;
          this.state = State.Hunt;
          events.push({ type: 'cancel' });
          continue;
        }
      } else {
        this.canRun = 0;
      }
      this.step(b, events);
    }
    return events;
  }

  private step(b: number, events: ZmodemEvent[]): void {
    switch (this.state) {
      case State.Hunt:
        if (b === ZPAD || b === (ZPAD | 0x80)) this.state = State.Pad;
        else if (b !== CAN) this.garbage++;
        return;
      case State.Pad:
        if (b === ZPAD || b === (ZPAD | 0x80)) return;
        if (b === ZDLE) this.state = State.Dle;
        else this.toHunt(b);
        return;
      case State.Dle:
        if (b === CAN) return; // part of a CAN run, counted above
        if (b === ZHEX) {
          this.form = 'hex';
          this.state = State.Hex;
          this.fieldLen = 0;
          this.hexHigh = -1;
        } else if (b === ZBIN || b === ZBIN32) {
          this.form = b === ZBIN ? 'bin16' : 'bin32';
          this.state = State.Bin;
          this.fieldLen = 0;
          this.fieldWant = b === ZBIN ? 7 : 9;
          this.escaped = false;
        } else {
          this.toHunt(b);
        }
        return;
      case State.Hex: {
        const v = hexValue(b);
        if (v < 0) {
          events.push({ type: 'error', code: 'BAD_HEX' });
          this.toHunt(b);
          return;
        }
        if (this.hexHigh < 0) {
          this.hexHigh = v;
          return;
        }
        this.field[this.fieldLen++] = (this.hexHigh << 4) | v;
        this.hexHigh = -1;
        if (this.fieldLen === 7) {
          this.tail = 0;
          this.state = State.HexTail;
          this.finishHeader(events);
        }
        return;
      }
      case State.HexTail:
        // CR, LF (either parity) and XON close a hex header; anything else starts over.
        if (this.tail < 3 && ((b & 0x7f) === CR || (b & 0x7f) === LF || b === XON)) {
          this.tail++;
          return;
        }
        this.state = this.pendingHexData ? State.Data : State.Hunt;
        this.pendingHexData = false;
        this.step(b, events);
        return;
      case State.Bin:
        if (this.fieldByte(b, events)) this.finishHeader(events);
        return;
      case State.Data: {
        const v = this.unescape(b);
        if (v === -1) return;
        if (v === -2) {
          events.push({ type: 'error', code: 'BAD_ESCAPE' });
          this.state = State.Hunt;
          return;
        }
        if (v >= 0x100) {
          this.subEnd = (v - 0x100) as SubpacketEnd;
          this.state = State.DataCrc;
          this.fieldLen = 0;
          this.fieldWant = this.crc32Data ? 4 : 2;
          return;
        }
        if (this.subLen >= this.maxSub) {
          events.push({ type: 'error', code: 'SUBPACKET_TOO_LONG' });
          this.state = State.Hunt;
          return;
        }
        this.sub[this.subLen++] = v;
        return;
      }
      case State.DataCrc: {
        if (!this.fieldByte(b, events)) return;
        let ok: boolean;
        if (this.crc32Data) {
          const c = finishCrc32(crc32Byte(this.subEnd, crc32Update(this.sub, 0xffffffff, 0, this.subLen)));
          const got = (this.field[0]! | (this.field[1]! << 8) | (this.field[2]! << 16) | (this.field[3]! << 24)) >>> 0;
          ok = c === got;
        } else {
          const c = crc16Byte(this.subEnd, crc16(this.sub, 0, 0, this.subLen));
          ok = c === ((this.field[0]! << 8) | this.field[1]!);
        }
        if (!ok) {
          events.push({ type: 'error', code: 'BAD_DATA_CRC' });
          this.state = State.Hunt;
          return;
        }
        events.push({ type: 'data', data: Buffer.from(this.sub.subarray(0, this.subLen)), end: this.subEnd });
        this.subLen = 0;
        this.state = this.subEnd === 0x69 || this.subEnd === 0x6a ? State.Data : State.Hunt;
        return;
      }
    }
  }

  /**
   * One byte of an escaped field: the value, -1 for "nothing yet", -2 for a bad escape,
   * 0x100 + end for a subpacket end (only meaningful in data).
   */
  /**
   * One escaped byte of a binary header or a subpacket's CRC into `field`: true once the
   * field is whole. A bad escape (or a frame end inside the field) starts the hunt over.
   */
  private fieldByte(b: number, events: ZmodemEvent[]): boolean {
    const v = this.unescape(b);
    if (v === -1) return false;
    if (v === -2 || v >= 0x100) {
      events.push({ type: 'error', code: 'BAD_ESCAPE' });
      this.state = State.Hunt;
      return false;
    }
    this.field[this.fieldLen++] = v;
    return this.fieldLen === this.fieldWant;
  }

  private unescape(b: number): number {
    if (this.escaped) {
      if (b === CAN) return -1; // a CAN run in progress
      this.escaped = false;
      if (isSubpacketEnd(b)) return this.state === State.Data ? 0x100 + b : -2;
      if (b === ZRUB0) return 0x7f;
      if (b === ZRUB1) return 0xff;
      if ((b & 0x60) === 0x40) return b ^ 0x40;
      return -2;
    }
    if (b === ZDLE) {
      this.escaped = true;
      return -1;
    }
    if (isFlowControl(b)) return -1;
    return b;
  }

  private finishHeader(events: ZmodemEvent[]): void {
    const f = this.field;
    let ok: boolean;
    if (this.form === 'bin32') {
      const c = finishCrc32(crc32Update(f, 0xffffffff, 0, 5));
      ok = c === ((f[5]! | (f[6]! << 8) | (f[7]! << 16) | (f[8]! << 24)) >>> 0);
    } else {
      ok = crc16(f, 0, 0, 5) === ((f[5]! << 8) | f[6]!);
    }
    if (!ok) {
      events.push({ type: 'error', code: 'BAD_HEADER_CRC' });
      this.state = State.Hunt;
      return;
    }
    const frame = f[0]!;
    this.garbage = 0;
    this.pendingHexData = false;
    events.push({ type: 'header', frame, data: [f[1]!, f[2]!, f[3]!, f[4]!], form: this.form });
    if (FRAMES_WITH_DATA.has(frame)) {
      this.crc32Data = this.form === 'bin32';
      this.subLen = 0;
      this.escaped = false;
      // A hex header's CR LF XON tail is dropped by the data reader (flow control) or,
      // for CR LF, by HexTail first; binary headers go straight to data.
      if (this.form !== 'hex') this.state = State.Data;
      else this.pendingHexData = true;
    } else if (this.form !== 'hex') {
      this.state = State.Hunt;
    }
  }

  private pendingHexData = false;

  private toHunt(b: number): void {
    this.state = State.Hunt;
    this.garbage++;
    if (b === ZPAD) this.state = State.Pad;
  }
}
