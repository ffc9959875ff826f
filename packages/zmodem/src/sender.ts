// The sending side (our download to a caller's `rz`), as a pure object: bytes from the
// receiver in, bytes to send and events out. The driver supplies file bytes with data()
// whenever `wants` says which file and offset; it owns the files, the clock and the socket.
import {
  ABORT_SEQUENCE,
  Cap,
  Frame,
  SUBPACKET_SIZE,
  ZCBIN,
  ZCRCE,
  ZCRCG,
  ZCRCW,
  frameName,
} from './constants.js';
import { ZmodemDecoder, type ZmodemEvent } from './decoder.js';
import { bytesPosition, encodeBinHeader, encodeHexHeader, encodeSubpacket, positionBytes, type EscapeOptions } from './encoder.js';
import { encodeFileInfo, type FileInfo } from './file-info.js';
import { DEFAULT_LIMITS, type FailureCode, type TransferLimits } from './limits.js';

export type SenderEvent =
  | { type: 'file-start'; index: number; offset: number }
  | { type: 'seek'; index: number; offset: number }
  | { type: 'file-skipped'; index: number }
  | { type: 'file-done'; index: number; bytes: number }
  | { type: 'done' }
  | { type: 'cancelled' }
  | { type: 'failed'; code: FailureCode; message: string };

export interface Step<E> {
  send: Buffer[];
  events: E[];
}

export type SenderState = 'init' | 'offered' | 'streaming' | 'window' | 'eof' | 'fin' | 'done' | 'failed';

export interface SenderOptions {
  files: readonly FileInfo[];
  subpacketSize?: number;
  limits?: Partial<TransferLimits>;
}

export class ZmodemSender {
  private readonly files: readonly FileInfo[];
  private readonly limits: TransferLimits;
  private readonly decoder = new ZmodemDecoder({ maxSubpacket: 1024 });
  private subpacketSize: number;
  private st: SenderState = 'init';
  private index = 0;
  private pos = 0;
  /** the ZDATA header still to send before the next subpacket */
  private needHeader = true;
  private crc32 = false;
  private esc: EscapeOptions = {};
  /** receiver buffer size from ZRINIT (0 = streams) */
  private rxBuffer = 0;
  private sinceAck = 0;
  private retries = 0;
  private errors = 0;
  private lastPrompt: Buffer = Buffer.alloc(0);
  private sent = 0;

  constructor(opts: SenderOptions) {
    this.files = opts.files;
    this.subpacketSize = Math.min(SUBPACKET_SIZE, Math.max(64, opts.subpacketSize ?? SUBPACKET_SIZE));
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
  }

  get state(): SenderState {
    return this.st;
  }

  /** The file and offset the next data() call must carry, or undefined when not streaming. */
  get wants(): { index: number; offset: number; max: number } | undefined {
    if (this.st !== 'streaming') return undefined;
    return { index: this.index, offset: this.pos, max: this.subpacketSize };
  }

  /** "rz\r" wakes a shell-side receiver (and SyncTERM's auto-download), then ZRQINIT. */
  start(): Buffer {
    this.lastPrompt = encodeHexHeader(Frame.ZRQINIT, [0, 0, 0, 0]);
    return Buffer.concat([Buffer.from('rz\r', 'latin1'), this.lastPrompt]);
  }

  /**
   * The next piece of the current file, read at `wants.offset` (at most `wants.max` bytes).
   * `eof` when it is the last piece (it may be empty).
   */
  data(chunk: Uint8Array, eof: boolean): Buffer {
    if (this.st !== 'streaming') return Buffer.alloc(0);
    const out: Buffer[] = [];
    if (this.needHeader) {
      out.push(encodeBinHeader(Frame.ZDATA, positionBytes(this.pos), this.crc32, this.esc));
      this.needHeader = false;
    }
    this.pos += chunk.length;
    this.sinceAck += chunk.length;
    const windowFull = this.rxBuffer > 0 && this.sinceAck + this.subpacketSize > this.rxBuffer;
    if (eof) {
      out.push(encodeSubpacket(chunk, ZCRCE, this.crc32, this.esc));
      this.lastPrompt = encodeBinHeader(Frame.ZEOF, positionBytes(this.pos), this.crc32, this.esc);
      out.push(this.lastPrompt);
      this.st = 'eof';
      this.retries = 0;
    } else if (windowFull) {
      out.push(encodeSubpacket(chunk, ZCRCW, this.crc32, this.esc));
      this.st = 'window';
    } else {
      out.push(encodeSubpacket(chunk, ZCRCG, this.crc32, this.esc));
    }
    this.sent += chunk.length;
    return Buffer.concat(out);
  }

  receive(bytes: Uint8Array): Step<SenderEvent> {
    const step: Step<SenderEvent> = { send: [], events: [] };
    if (this.st === 'done' || this.st === 'failed') return step;
    for (const ev of this.decoder.push(bytes)) {
      this.handle(ev, step);
      if (this.isOver()) break;
    }
    if (!this.isOver() && this.decoder.garbage > this.limits.maxGarbage) {
      this.fail(step, 'GARBAGE', `over ${this.limits.maxGarbage} bytes of noise without a ZMODEM header`);
    }
    return step;
  }

  /** Nothing came for a while: prompt again, or give up after maxRetries. */
  timeout(): Step<SenderEvent> {
    const step: Step<SenderEvent> = { send: [], events: [] };
    if (this.isOver() || this.st === 'streaming') return step;
    if (++this.retries > this.limits.maxRetries) {
      if (this.st === 'fin') {
        this.st = 'done';
        step.events.push({ type: 'done' });
        return step;
      }
      this.fail(step, 'STALLED', 'the receiver stopped answering');
      return step;
    }
    step.send.push(this.lastPrompt);
    return step;
  }

  /** We give up (the caller asked, or a policy): the abort sequence to send. */
  cancel(): Buffer {
    if (!this.isOver()) this.st = 'failed';
    return ABORT_SEQUENCE;
  }

  private isOver(): boolean {
    return this.st === 'done' || this.st === 'failed';
  }

  private handle(ev: ZmodemEvent, step: Step<SenderEvent>): void {
    if (ev.type === 'cancel') {
      this.st = 'failed';
      step.events.push({ type: 'cancelled' });
      return;
    }
    if (ev.type === 'error' || ev.type === 'data') {
      if (++this.errors > this.limits.maxErrors) this.fail(step, 'TOO_MANY_ERRORS', `${this.errors} bad frames from the receiver`);
      return;
    }
    const pos = bytesPosition(ev.data);
    switch (ev.frame) {
      case Frame.ZRINIT:
        this.retries = 0;
        if (this.st === 'init') {
          const caps = ev.data[3];
          const buffer = ev.data[0] | (ev.data[1] << 8);
          if (buffer !== 0 && buffer < this.limits.minReceiverBuffer) {
            this.fail(step, 'ABSURD_ZRINIT', `the receiver announced a ${buffer}-byte buffer`);
            return;
          }
          this.rxBuffer = buffer;
          if (buffer !== 0) this.subpacketSize = Math.min(this.subpacketSize, Math.max(64, buffer));
          this.crc32 = (caps & Cap.CANFC32) !== 0;
          this.esc = { escapeControl: (caps & Cap.ESCCTL) !== 0 };
          this.offerNext(step);
        } else if (this.st === 'offered') {
          step.send.push(this.lastPrompt);
        } else if (this.st === 'eof') {
          step.events.push({ type: 'file-done', index: this.index, bytes: this.pos });
          this.index++;
          this.offerNext(step);
        }
        return;
      case Frame.ZRPOS:
        this.retries = 0;
        if (this.st === 'offered') {
          const size = this.files[this.index]?.size ?? 0;
          this.pos = Math.min(pos, size);
          this.st = 'streaming';
          this.needHeader = true;
          this.sinceAck = 0;
          step.events.push({ type: 'file-start', index: this.index, offset: this.pos });
        } else if (this.st === 'streaming' || this.st === 'window' || this.st === 'eof') {
          if (++this.errors > this.limits.maxErrors) {
            this.fail(step, 'TOO_MANY_ERRORS', `the receiver asked to resend ${this.errors} times`);
            return;
          }
          const size = this.files[this.index]?.size ?? 0;
          this.pos = Math.min(pos, size);
          this.st = 'streaming';
          this.needHeader = true;
          this.sinceAck = 0;
          step.events.push({ type: 'seek', index: this.index, offset: this.pos });
        }
        return;
      case Frame.ZACK:
        this.retries = 0;
        if (this.st === 'window' && pos === this.pos) {
          this.errors = 0;
          this.sinceAck = 0;
          this.st = 'streaming';
          this.needHeader = true;
        }
        return;
      case Frame.ZSKIP:
        if (this.st === 'offered' || this.st === 'streaming' || this.st === 'window' || this.st === 'eof') {
          step.events.push({ type: 'file-skipped', index: this.index });
          this.index++;
          this.offerNext(step);
        }
        return;
      case Frame.ZNAK:
        if (this.st !== 'streaming') step.send.push(this.lastPrompt);
        return;
      case Frame.ZFIN:
        if (this.st === 'fin') {
          this.st = 'done';
          step.send.push(Buffer.from('OO', 'latin1'));
          step.events.push({ type: 'done' });
        }
        return;
      case Frame.ZABORT:
      case Frame.ZFERR:
      case Frame.ZCAN:
        this.fail(step, 'PEER_ABORTED', `the receiver sent ${frameName(ev.frame)}`);
        return;
      case Frame.ZRQINIT:
        // our own ZRQINIT echoed back by a terminal that is not in ZMODEM mode yet
        return;
      case Frame.ZCHALLENGE:
        step.send.push(encodeHexHeader(Frame.ZACK, ev.data));
        return;
      default:
        return;
    }
  }

  private offerNext(step: Step<SenderEvent>): void {
    this.errors = 0;
    this.retries = 0;
    const file = this.files[this.index];
    if (!file) {
      this.st = 'fin';
      this.lastPrompt = encodeHexHeader(Frame.ZFIN, [0, 0, 0, 0]);
      step.send.push(this.lastPrompt);
      return;
    }
    let bytesLeft = 0;
    for (let i = this.index; i < this.files.length; i++) bytesLeft += this.files[i]!.size ?? 0;
    const info = encodeFileInfo({ ...file, filesLeft: this.files.length - this.index, bytesLeft });
    this.lastPrompt = Buffer.concat([
      encodeBinHeader(Frame.ZFILE, [0, 0, 0, ZCBIN], this.crc32, this.esc),
      encodeSubpacket(info, ZCRCW, this.crc32, this.esc),
    ]);
    step.send.push(this.lastPrompt);
    this.st = 'offered';
  }

  private fail(step: Step<SenderEvent>, code: FailureCode, message: string): void {
    this.st = 'failed';
    step.send.push(ABORT_SEQUENCE);
    step.events.push({ type: 'failed', code, message });
  }
}
