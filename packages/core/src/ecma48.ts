/**
 * The one reader of ECMA-48 structure in a byte stream a terminal is sent (a door's
 * output): text, C0 controls, ESC sequences (intermediates and a final), control
 * sequences (CSI: parameters, intermediates, a final) and the string sequences OSC, DCS,
 * APC, PM and SOS ended by BEL or ST. What follows it (where output can be cut, the modes
 * in force) reads its tokens instead of keeping a state machine of its own.
 *
 * Pull, not push: `push(bytes)` then `next()` until `End`, each token's parts read from the
 * scanner's fields. No token is allocated, so a door bridge reading every byte a door
 * writes pays for a loop and nothing more. A sequence may be split between writes: its
 * parts are kept across `push`es, within fixed bounds whatever the stream holds.
 *
 * As a terminal does (the DEC/xterm parser; ECMA-48 8.3.13, 8.3.148): CAN and SUB abort
 * any sequence or string; ESC starts a new sequence inside another; other C0 controls
 * inside a sequence act and the sequence goes on. Unlike xterm, ESC inside a string does
 * not end it unless it is ST (`ESC \`): text in an OSC is never read as sequences, and a
 * cut is never made inside an unfinished string. 8-bit C1 controls (0x9B …) are not read
 * as controls: in UTF-8 they are continuation bytes, in CP437 letters.
 */

/** What `next()` found; its parts are on the scanner until the next call. */
export const Ecma48Token = {
  /** the end of the bytes pushed */
  End: 0,
  /** printable bytes `textStart` to `textEnd` of the bytes pushed (DEL and 0x80-0xFF included) */
  Text: 1,
  /** one C0 control, `control`: in text, or acting inside a sequence */
  Control: 2,
  /** ESC, `intermediates`, `final` (ESC ( 0, ESC 7, ESC c) */
  Escape: 3,
  /** ESC [, `params` (private marker included), `intermediates`, `final` */
  Csi: 4,
  /** an OSC, DCS, APC, PM or SOS (`introducer`: ] P _ ^ X) ended; its text is not kept */
  String: 5,
} as const;
export type Ecma48Token = (typeof Ecma48Token)[keyof typeof Ecma48Token];

/**
 * Parameter bytes of one control sequence kept: the longest anything here reads is an
 * SGR of a few attributes and a truecolour (`0;1;38;2;255;255;255;48;2;255;255;255` is 38).
 * Past it the sequence is `dropped` (the door sent a million digits: 64 bytes are held).
 */
export const MAX_PARAMETER_BYTES = 64;
/** Intermediate bytes kept (ECMA-48 allows more; no terminal uses more than two). */
const MAX_INTERMEDIATES = 2;

const ESC = 0x1b;
const BEL = 0x07;
const CAN = 0x18;
const SUB = 0x1a;
const ST_FINAL = 0x5c; // ESC \

const GROUND = 0;
const ESCAPE = 1;
const ESCAPE_INTERMEDIATE = 2;
const CSI = 3;
const STRING = 4;
const STRING_ESC = 5;
type State = typeof GROUND | typeof ESCAPE | typeof ESCAPE_INTERMEDIATE | typeof CSI | typeof STRING | typeof STRING_ESC;

const EMPTY: Uint8Array = Buffer.alloc(0);

export class Ecma48Scanner {
  private state: State = GROUND;
  /** UTF-8 continuation bytes the last character still owes (a character split across writes) */
  private owed = 0;
  private bytes: Uint8Array = EMPTY;
  private pos = 0;
  private readonly paramBuf = Buffer.alloc(MAX_PARAMETER_BYTES);
  private paramLength = 0;

  /** Text token: where it starts and ends in the bytes last pushed. */
  textStart = 0;
  textEnd = 0;
  /** Control token: its byte. */
  control = 0;
  /** Escape and Csi tokens: the final byte. */
  final = 0;
  /** Escape and Csi tokens: intermediate bytes (0x20-0x2F), at most two. */
  intermediates = '';
  /**
   * Escape, Csi and String tokens: where the ESC that began it is in the bytes last pushed;
   * -1 when it began in bytes pushed before.
   */
  sequenceStart = -1;
  /** String token: the byte after ESC that opened it. */
  introducer = 0;
  /**
   * Escape and Csi tokens: the sequence was longer than is kept, or malformed (a parameter
   * after an intermediate): what is here is not all of it, so nothing should act on it.
   */
  dropped = false;

  /** `utf8`: the stream is UTF-8, so a character may be cut between writes. */
  constructor(private readonly utf8: boolean) {}

  /** Outside any sequence and, in UTF-8, between characters: bytes of our own can go here. */
  get atBoundary(): boolean {
    return this.state === GROUND && this.owed === 0;
  }

  /** Csi token (or a control sequence still open): its parameter bytes, at most MAX_PARAMETER_BYTES. */
  get params(): string {
    // A loop, not Buffer's latin1 slice: a native call costs more than a few short parameters.
    let out = '';
    for (let k = 0; k < this.paramLength; k++) out += String.fromCharCode(this.paramBuf[k]!);
    return out;
  }

  /**
   * Bytes to read next, once `next()` said `End` for the last ones (a text token's place is
   * in them): a sequence open at their end goes on in these.
   */
  push(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.pos = 0;
    this.sequenceStart = -1;
  }

  /** A copy that goes on from here without changing this one (the bytes pushed are shared). */
  clone(): Ecma48Scanner {
    const c = new Ecma48Scanner(this.utf8);
    c.state = this.state;
    c.owed = this.owed;
    c.bytes = this.bytes;
    c.pos = this.pos;
    this.paramBuf.copy(c.paramBuf);
    c.paramLength = this.paramLength;
    c.intermediates = this.intermediates;
    c.sequenceStart = this.sequenceStart;
    c.introducer = this.introducer;
    c.dropped = this.dropped;
    return c;
  }

  next(): Ecma48Token {
    const bytes = this.bytes;
    const n = bytes.length;
    let i = this.pos;
    while (i < n) {
      const b = bytes[i]!;
      switch (this.state) {
        case GROUND: {
          if (b >= 0x20) {
            // Text, the most of what a door writes: one token a run.
            const start = i;
            while (++i < n && bytes[i]! >= 0x20);
            this.pos = i;
            this.textStart = start;
            this.textEnd = i;
            if (this.utf8) this.owed = owedAfter(bytes, start, i, this.owed);
            return Ecma48Token.Text;
          }
          this.owed = 0;
          if (b === ESC) {
            this.startSequence(i++);
            continue;
          }
          i++;
          return this.controlAt(i, b);
        }
        case ESCAPE:
          i++;
          if (b === 0x5b) {
            this.state = CSI;
            this.paramLength = 0;
          } else if (b === 0x5d || b === 0x50 || b === 0x5f || b === 0x5e || b === 0x58) {
            this.state = STRING;
            this.introducer = b;
          } else if (b >= 0x20 && b <= 0x2f) {
            this.state = ESCAPE_INTERMEDIATE;
            this.intermediate(b);
          } else if (b >= 0x30 && b <= 0x7e) {
            return this.finalAt(i, b, Ecma48Token.Escape);
          } else if (b === ESC) {
            this.startSequence(i - 1);
          } else if (b < 0x20) {
            if (b === CAN || b === SUB) this.state = GROUND;
            return this.controlAt(i, b);
          } else {
            // DEL or a byte past 0x7F: no sequence, and the byte goes with it
            this.state = GROUND;
          }
          continue;
        case ESCAPE_INTERMEDIATE:
          i++;
          if (b >= 0x30 && b <= 0x7e) return this.finalAt(i, b, Ecma48Token.Escape);
          if (b >= 0x20 && b <= 0x2f) this.intermediate(b);
          else if (b === ESC) this.startSequence(i - 1);
          else if (b < 0x20) return this.controlInSequence(i, b);
          continue;
        case CSI:
          i++;
          if (b >= 0x30 && b <= 0x3f) {
            if (this.intermediates !== '' || this.paramLength === MAX_PARAMETER_BYTES) this.dropped = true;
            else this.paramBuf[this.paramLength++] = b;
          } else if (b >= 0x40 && b <= 0x7e) {
            return this.finalAt(i, b, Ecma48Token.Csi);
          } else if (b >= 0x20 && b <= 0x2f) {
            this.intermediate(b);
          } else if (b === ESC) {
            this.startSequence(i - 1);
          } else if (b < 0x20) {
            return this.controlInSequence(i, b);
          }
          continue;
        case STRING:
          i++;
          if (b === BEL) return this.stringEndAt(i);
          if (b === ESC) this.state = STRING_ESC;
          else if (b === CAN || b === SUB) return this.controlInSequence(i, b);
          continue;
        case STRING_ESC:
          i++;
          if (b === ST_FINAL) return this.stringEndAt(i);
          if (b === CAN || b === SUB) return this.controlInSequence(i, b);
          if (b !== ESC) this.state = STRING;
          continue;
      }
    }
    this.pos = i;
    return Ecma48Token.End;
  }

  /** ESC at `at` in the bytes pushed: a sequence begins, whatever was open is abandoned. */
  private startSequence(at: number): void {
    this.state = ESCAPE;
    this.sequenceStart = at;
    this.intermediates = '';
    this.dropped = false;
  }

  private intermediate(b: number): void {
    if (this.intermediates.length < MAX_INTERMEDIATES) this.intermediates += String.fromCharCode(b);
    else this.dropped = true;
  }

  private controlAt(pos: number, b: number): Ecma48Token {
    this.pos = pos;
    this.control = b;
    return Ecma48Token.Control;
  }

  /** A C0 control inside a sequence: CAN and SUB abort it, the rest act and it goes on. */
  private controlInSequence(pos: number, b: number): Ecma48Token {
    if (b === CAN || b === SUB) this.state = GROUND;
    return this.controlAt(pos, b);
  }

  private finalAt(pos: number, b: number, token: Ecma48Token): Ecma48Token {
    this.pos = pos;
    this.state = GROUND;
    this.final = b;
    return token;
  }

  private stringEndAt(pos: number): Ecma48Token {
    this.pos = pos;
    this.state = GROUND;
    return Ecma48Token.String;
  }
}

/**
 * UTF-8 continuation bytes owed after the text `bytes[start, end)`, `before` owed at its
 * start. Read from the run's end: a lead byte sets what is owed whatever came before it,
 * and each continuation byte after it pays one (one that is not owed pays nothing), so
 * the last lead within four bytes of the end decides.
 */
function owedAfter(bytes: Uint8Array, start: number, end: number, before: number): number {
  const stop = Math.max(start, end - 4);
  for (let k = end - 1; k >= stop; k--) {
    const b = bytes[k]!;
    if ((b & 0xc0) === 0x80) continue;
    const wants = b >= 0xf0 ? (b <= 0xf4 ? 3 : 0) : b >= 0xe0 ? 2 : b >= 0xc2 ? 1 : 0;
    return Math.max(0, wants - (end - 1 - k));
  }
  return end - start >= 4 ? 0 : Math.max(0, before - (end - start));
}
