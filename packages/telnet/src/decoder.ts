import { Cmd, isNegotiationCommand, isSimpleCommand, type NegotiationCommand, type SimpleCommand } from './constants.js';

export type TelnetDecodeErrorCode =
  /** an SB grew past `maxSubnegotiation`: its bytes are dropped until IAC SE */
  | 'SUBNEGOTIATION_TOO_LONG'
  /** an SB was cut short by another command (IAC WILL inside SB): the SB is discarded */
  | 'SUBNEGOTIATION_INTERRUPTED'
  /** IAC followed by a byte that is no command: both are dropped */
  | 'UNDEFINED_COMMAND';

export type TelnetEvent =
  | { type: 'data'; bytes: Buffer }
  | { type: 'command'; command: NegotiationCommand; option: number }
  | { type: 'command'; command: SimpleCommand; option?: undefined }
  | { type: 'subnegotiation'; option: number; data: Buffer }
  | { type: 'error'; code: TelnetDecodeErrorCode; option?: number; byte?: number };

export interface TelnetDecoderOptions {
  /**
   * The longest SB body kept. Past it the decoder reports one error and drops the rest of
   * that SB, so an unterminated SB costs at most this much memory (telnetlib3 keeps an
   * unbounded buffer: 20 MiB of SB -> +170 MB RSS).
   */
  maxSubnegotiation?: number;
  /**
   * CR LF, CR NUL, bare CR and bare LF each become one '\r' (callers' keyboards send all
   * four). A client decoding a server's output turns this off and gets the bytes as sent.
   */
  normalizeEnter?: boolean;
  /**
   * inetutils "send synch" sends IAC as TCP urgent data and DM inline; Linux removes the
   * urgent byte from the stream, so the DM (0xF2) arrives alone, unescaped. A server reading a
   * keyboard drops it (it is also an unassigned-plane UTF-8 lead byte). A client decoding
   * CP437 art, where 0xF2 is '≥', turns this off.
   */
  dropBareDataMark?: boolean;
}

const DEFAULT_MAX_SUBNEGOTIATION = 65536;
const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;

const enum State {
  Data,
  /** after IAC in data */
  Iac,
  /** after IAC WILL/WONT/DO/DONT, waiting for the option byte */
  Option,
  /** after IAC SB, waiting for the option byte */
  SbOption,
  /** inside an SB body */
  Sb,
  /** after IAC inside an SB body */
  SbIac,
}

/**
 * Telnet bytes in, events out (RFC 854/855). Never sees a socket; keeps state across
 * pushes, so every sequence may be split at any byte. Memory is bounded by
 * `maxSubnegotiation` plus the size of one push.
 */
export class TelnetDecoder {
  private readonly maxSb: number;
  private normalizeEnter: boolean;
  private dropBareDataMark: boolean;
  /** the options as constructed, restored when a file transfer ends */
  private transparentSaved: { normalizeEnter: boolean; dropBareDataMark: boolean } | undefined;
  private state = State.Data;
  private command: NegotiationCommand = Cmd.WILL;
  /** a CR was emitted as Enter: one LF or NUL right after it belongs to the same Enter */
  private swallowAfterCr = false;
  private sbOption = 0;
  private sbBuf: Buffer | null = null;
  private sbLen = 0;
  /** the current SB went over the cap: drop its bytes until it ends */
  private sbOverflow = false;

  constructor(opts: TelnetDecoderOptions = {}) {
    this.maxSb = Math.max(0, opts.maxSubnegotiation ?? DEFAULT_MAX_SUBNEGOTIATION);
    this.normalizeEnter = opts.normalizeEnter ?? true;
    this.dropBareDataMark = opts.dropBareDataMark ?? true;
  }

  /**
   * Change how a bare 0xF2 is read from the next byte on: a client drops it as a data mark
   * while the server's output is NVT text, and keeps it as data (CP437 '≥') once the
   * server sends in BINARY.
   */
  setDropBareDataMark(drop: boolean): void {
    this.dropBareDataMark = drop;
  }

  /**
   * 8-bit transparent data for a file transfer (ZMODEM): CR, LF, NUL and a bare 0xF2 pass
   * through as they are, only IAC sequences are decoded. Off restores the Enter handling.
   */
  setTransparent(on: boolean): void {
    if (on && !this.transparentSaved) {
      this.transparentSaved = { normalizeEnter: this.normalizeEnter, dropBareDataMark: this.dropBareDataMark };
      this.normalizeEnter = false;
      this.dropBareDataMark = false;
      this.swallowAfterCr = false;
    } else if (!on && this.transparentSaved) {
      this.normalizeEnter = this.transparentSaved.normalizeEnter;
      this.dropBareDataMark = this.transparentSaved.dropBareDataMark;
      this.transparentSaved = undefined;
    }
  }

  push(chunk: Buffer): TelnetEvent[] {
    const events: TelnetEvent[] = [];
    // Clean data never outgrows its input, so one buffer per push holds all of it.
    const out = Buffer.allocUnsafe(chunk.length);
    let outStart = 0;
    let outEnd = 0;
    const flush = (): void => {
      if (outEnd > outStart) events.push({ type: 'data', bytes: out.subarray(outStart, outEnd) });
      outStart = outEnd;
    };
    const emit = (ev: TelnetEvent): void => {
      flush();
      events.push(ev);
    };

    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (this.state) {
        case State.Data:
          if (b === Cmd.IAC) {
            this.state = State.Iac;
          } else if (b === Cmd.DM && this.dropBareDataMark) {
            emit({ type: 'command', command: Cmd.DM });
          } else if (!this.normalizeEnter) {
            out[outEnd++] = b;
          } else if (b === CR) {
            out[outEnd++] = CR;
            this.swallowAfterCr = true;
          } else if ((b === LF || b === NUL) && this.swallowAfterCr) {
            this.swallowAfterCr = false;
          } else {
            out[outEnd++] = b === LF ? CR : b;
            this.swallowAfterCr = false;
          }
          break;

        case State.Iac:
          this.state = State.Data;
          if (b === Cmd.IAC) {
            out[outEnd++] = Cmd.IAC;
            this.swallowAfterCr = false;
          } else if (isNegotiationCommand(b)) {
            this.command = b;
            this.state = State.Option;
          } else if (b === Cmd.SB) {
            this.state = State.SbOption;
          } else if (b === Cmd.SE) {
            // SE without SB: nothing to end (RFC 855 gives it no meaning outside SB).
          } else if (isSimpleCommand(b)) {
            emit({ type: 'command', command: b });
          } else {
            emit({ type: 'error', code: 'UNDEFINED_COMMAND', byte: b });
          }
          break;

        case State.Option:
          this.state = State.Data;
          emit({ type: 'command', command: this.command, option: b });
          break;

        case State.SbOption:
          this.sbOption = b;
          this.sbLen = 0;
          this.sbOverflow = false;
          this.state = State.Sb;
          break;

        case State.Sb: {
          if (b === Cmd.IAC) {
            this.state = State.SbIac;
            break;
          }
          // Copy the run up to the next IAC in one step: SB bodies can be long.
          let end = chunk.indexOf(Cmd.IAC, i);
          if (end < 0) end = chunk.length;
          this.appendSb(chunk.subarray(i, end), emit);
          i = end - 1;
          break;
        }

        case State.SbIac:
          if (b === Cmd.IAC) {
            this.state = State.Sb;
            this.appendSb(IAC_BYTE, emit);
          } else if (b === Cmd.SE) {
            this.state = State.Data;
            if (!this.sbOverflow) {
              const data = Buffer.from(this.sbBuf ? this.sbBuf.subarray(0, this.sbLen) : EMPTY);
              emit({ type: 'subnegotiation', option: this.sbOption, data });
            }
            this.endSb();
          } else if (b < Cmd.SE) {
            // IAC followed by a non-command byte cannot be a command: it is a 255 the peer
            // forgot to double (SyncTERM's NAWS does this for a width of 255). Keep both.
            this.state = State.Sb;
            this.appendSb(IAC_BYTE, emit);
            i--;
          } else {
            // IAC <command> inside an SB: the peer abandoned it (or never meant SB).
            // Drop the broken SB and read this byte as if it followed IAC in data, so an
            // IAC WILL that interrupted it is still answered.
            if (!this.sbOverflow) emit({ type: 'error', code: 'SUBNEGOTIATION_INTERRUPTED', option: this.sbOption });
            this.endSb();
            this.state = State.Iac;
            i--;
          }
          break;
      }
    }
    flush();
    return events;
  }

  /**
   * Memory held between pushes: the subnegotiation buffer's capacity. Read-only, for
   * tests and fuzzing to check the bound (never above `maxSubnegotiation`).
   */
  get bufferedBytes(): number {
    return this.sbBuf?.length ?? 0;
  }

  private appendSb(bytes: Buffer, emit: (ev: TelnetEvent) => void): void {
    if (this.sbOverflow || bytes.length === 0) return;
    const need = this.sbLen + bytes.length;
    if (need > this.maxSb) {
      this.sbOverflow = true;
      this.sbBuf = null;
      this.sbLen = 0;
      emit({ type: 'error', code: 'SUBNEGOTIATION_TOO_LONG', option: this.sbOption });
      return;
    }
    if (!this.sbBuf || this.sbBuf.length < need) {
      const grown = Buffer.allocUnsafe(Math.min(this.maxSb, Math.max(64, need, (this.sbBuf?.length ?? 0) * 2)));
      if (this.sbBuf) this.sbBuf.copy(grown, 0, 0, this.sbLen);
      this.sbBuf = grown;
    }
    bytes.copy(this.sbBuf, this.sbLen);
    this.sbLen = need;
  }

  private endSb(): void {
    this.sbOverflow = false;
    this.sbLen = 0;
    // Let the buffer go: a parked caller would otherwise keep it for the whole call, and a
    // small Buffer is a slice of an 8 KiB pool slab that it keeps alive (4.5 KiB a caller
    // at 1,000 parked). The next SB (a resize) allocates a new one.
    this.sbBuf = null;
  }
}

const IAC_BYTE = Buffer.from([Cmd.IAC]);
const EMPTY = Buffer.alloc(0);
