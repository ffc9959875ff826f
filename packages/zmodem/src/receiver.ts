// The receiving side (a caller's `sz` uploading to us), as a pure object: bytes in, bytes
// to send and events out. An offered file waits for the driver's accept() or skip(): the
// driver decides names, quotas and where bytes go; this object only speaks ZMODEM.
import { ABORT_SEQUENCE, Cap, Frame, SUBPACKET_SIZE, ZCRCE, ZCRCQ, ZCRCW, frameName } from './constants.js';
import { ZmodemDecoder, type ZmodemEvent } from './decoder.js';
import { bytesPosition, encodeHexHeader, positionBytes } from './encoder.js';
import { parseFileInfo, type FileInfo } from './file-info.js';
import { DEFAULT_LIMITS, type FailureCode, type TransferLimits } from './limits.js';
import type { Step } from './sender.js';

export type ReceiverEvent =
  | { type: 'offer'; file: FileInfo }
  | { type: 'data'; data: Buffer; offset: number }
  | { type: 'file-end'; bytes: number }
  | { type: 'done' }
  | { type: 'cancelled' }
  | { type: 'failed'; code: FailureCode; message: string };

export type ReceiverState = 'init' | 'file-info' | 'deciding' | 'receiving' | 'done' | 'failed';

export interface ReceiverOptions {
  limits?: Partial<TransferLimits>;
  maxSubpacket?: number;
}

/** Bytes held while the driver decides on an offer (the sender waits for our answer). */
const MAX_HELD = 64 * 1024;

export class ZmodemReceiver {
  private readonly limits: TransferLimits;
  private readonly decoder: ZmodemDecoder;
  private st: ReceiverState = 'init';
  private pos = 0;
  private maxBytes = Number.POSITIVE_INFINITY;
  /** a good ZDATA at our position came and its subpackets are being read */
  private inFrame = false;
  private errors = 0;
  private retries = 0;
  private lastPrompt: Buffer;
  private held: Buffer[] = [];
  private heldBytes = 0;

  constructor(opts: ReceiverOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.decoder = new ZmodemDecoder({ maxSubpacket: opts.maxSubpacket ?? SUBPACKET_SIZE });
    this.lastPrompt = this.zrinit();
  }

  get state(): ReceiverState {
    return this.st;
  }

  /** Bytes of the current file written so far (its next offset). */
  get position(): number {
    return this.pos;
  }

  /** ZRINIT: full duplex, overlapped I/O, CRC-32, buffer 0 (stream as fast as you can). */
  start(): Buffer {
    return this.lastPrompt;
  }

  receive(bytes: Uint8Array): Step<ReceiverEvent> {
    const step: Step<ReceiverEvent> = { send: [], events: [] };
    if (this.isOver()) return step;
    if (this.st === 'deciding') {
      this.hold(bytes, step);
      return step;
    }
    this.feed(bytes, step);
    return step;
  }

  /** Take the offered file from `offset` (0, or the length already held to resume); at most `maxBytes` in all. */
  accept(offset = 0, maxBytes = Number.POSITIVE_INFINITY): Step<ReceiverEvent> {
    const step: Step<ReceiverEvent> = { send: [], events: [] };
    if (this.st !== 'deciding') return step;
    this.pos = offset;
    this.maxBytes = maxBytes;
    this.inFrame = false;
    this.errors = 0;
    this.retries = 0;
    this.st = 'receiving';
    this.lastPrompt = encodeHexHeader(Frame.ZRPOS, positionBytes(offset));
    step.send.push(this.lastPrompt);
    this.release(step);
    return step;
  }

  /** Refuse the offered file; the sender goes on to the next one. */
  skip(): Step<ReceiverEvent> {
    const step: Step<ReceiverEvent> = { send: [], events: [] };
    if (this.st !== 'deciding') return step;
    this.st = 'init';
    this.lastPrompt = this.zrinit();
    step.send.push(encodeHexHeader(Frame.ZSKIP, [0, 0, 0, 0]));
    this.release(step);
    return step;
  }

  timeout(): Step<ReceiverEvent> {
    const step: Step<ReceiverEvent> = { send: [], events: [] };
    if (this.isOver() || this.st === 'deciding') return step;
    if (++this.retries > this.limits.maxRetries) {
      this.fail(step, 'STALLED', 'the sender stopped sending');
      return step;
    }
    if (this.st === 'receiving') {
      this.inFrame = false;
      this.decoder.hunt();
      this.lastPrompt = encodeHexHeader(Frame.ZRPOS, positionBytes(this.pos));
    }
    step.send.push(this.lastPrompt);
    return step;
  }

  cancel(): Buffer {
    if (!this.isOver()) this.st = 'failed';
    return ABORT_SEQUENCE;
  }

  /** Give up with a reason the driver found (over quota, disk error): the abort sequence and a 'failed' event. */
  abort(code: FailureCode, message: string): Step<ReceiverEvent> {
    const step: Step<ReceiverEvent> = { send: [], events: [] };
    if (!this.isOver()) this.fail(step, code, message);
    return step;
  }

  private isOver(): boolean {
    return this.st === 'done' || this.st === 'failed';
  }

  private zrinit(): Buffer {
    return encodeHexHeader(Frame.ZRINIT, [0, 0, 0, Cap.CANFDX | Cap.CANOVIO | Cap.CANFC32]);
  }

  private feed(bytes: Uint8Array, step: Step<ReceiverEvent>): void {
    const events = this.decoder.push(bytes);
    for (let i = 0; i < events.length; i++) {
      this.handle(events[i]!, step);
      if (this.isOver()) return;
      if (this.st === 'deciding') {
        // The rest of this read waits for the decision: re-encode nothing, just keep the
        // events' source bytes out of the decoder by holding what is left unparsed.
        // Events already decoded past the offer are retransmissions; drop them.
        return;
      }
    }
    if (this.decoder.garbage > this.limits.maxGarbage) {
      this.fail(step, 'GARBAGE', `over ${this.limits.maxGarbage} bytes of noise without a ZMODEM header`);
    }
  }

  private hold(bytes: Uint8Array, step: Step<ReceiverEvent>): void {
    if (this.heldBytes + bytes.length > MAX_HELD) {
      this.fail(step, 'PROTOCOL', 'the sender kept sending while its file offer was pending');
      return;
    }
    this.held.push(Buffer.from(bytes));
    this.heldBytes += bytes.length;
  }

  private release(step: Step<ReceiverEvent>): void {
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const b of held) {
      if (this.isOver() || this.st === 'deciding') break;
      this.feed(b, step);
    }
  }

  private badFrame(step: Step<ReceiverEvent>, what: string): void {
    if (++this.errors > this.limits.maxErrors) {
      this.fail(step, 'TOO_MANY_ERRORS', `${this.errors} bad frames in a row (${what})`);
      return;
    }
    this.decoder.hunt();
    this.inFrame = false;
    if (this.st === 'receiving') {
      this.lastPrompt = encodeHexHeader(Frame.ZRPOS, positionBytes(this.pos));
      step.send.push(this.lastPrompt);
    } else {
      step.send.push(encodeHexHeader(Frame.ZNAK, [0, 0, 0, 0]));
    }
  }

  private handle(ev: ZmodemEvent, step: Step<ReceiverEvent>): void {
    if (ev.type === 'cancel') {
      this.st = 'failed';
      step.events.push({ type: 'cancelled' });
      return;
    }
    if (ev.type === 'error') {
      this.badFrame(step, ev.code);
      return;
    }
    if (ev.type === 'data') {
      this.onData(ev.data, ev.end, step);
      return;
    }
    this.retries = 0;
    const pos = bytesPosition(ev.data);
    switch (ev.frame) {
      case Frame.ZRQINIT:
        if (this.st === 'init') step.send.push(this.lastPrompt);
        return;
      case Frame.ZSINIT:
        // its subpacket (the attention string) follows; we answer ZACK when it arrives
        this.zsinit = true;
        return;
      case Frame.ZFILE:
        if (this.st === 'init' || this.st === 'file-info') this.st = 'file-info';
        return;
      case Frame.ZDATA:
        if (this.st !== 'receiving') {
          this.decoder.hunt();
          return;
        }
        if (pos !== this.pos) {
          this.badFrame(step, `ZDATA at ${pos}, expected ${this.pos}`);
          return;
        }
        this.inFrame = true;
        return;
      case Frame.ZEOF:
        if (this.st !== 'receiving' || pos !== this.pos) return; // a stale ZEOF: ignore (spec)
        step.events.push({ type: 'file-end', bytes: this.pos });
        this.st = 'init';
        this.inFrame = false;
        this.lastPrompt = this.zrinit();
        step.send.push(this.lastPrompt);
        return;
      case Frame.ZFIN:
        if (this.st === 'receiving') return;
        step.send.push(encodeHexHeader(Frame.ZFIN, [0, 0, 0, 0]));
        this.st = 'done';
        step.events.push({ type: 'done' });
        return;
      case Frame.ZCOMMAND:
        this.fail(step, 'PROTOCOL', 'the sender asked to run a command (ZCOMMAND is refused)');
        return;
      case Frame.ZABORT:
      case Frame.ZFERR:
      case Frame.ZCAN:
        this.fail(step, 'PEER_ABORTED', `the sender sent ${frameName(ev.frame)}`);
        return;
      default:
        return;
    }
  }

  private zsinit = false;

  private fail(step: Step<ReceiverEvent>, code: FailureCode, message: string): void {
    this.st = 'failed';
    step.send.push(ABORT_SEQUENCE);
    step.events.push({ type: 'failed', code, message });
  }

  private onData(data: Buffer, end: number, step: Step<ReceiverEvent>): void {
    if (this.zsinit) {
      this.zsinit = false;
      step.send.push(encodeHexHeader(Frame.ZACK, [1, 0, 0, 0]));
      return;
    }
    if (this.st === 'file-info') {
      const info = parseFileInfo(data);
      if (!info) {
        this.badFrame(step, 'unreadable ZFILE');
        return;
      }
      this.st = 'deciding';
      step.events.push({ type: 'offer', file: info });
      return;
    }
    if (this.st !== 'receiving' || !this.inFrame) return;
    if (this.pos + data.length > this.maxBytes) {
      this.fail(step, 'TOO_LARGE', `the file went over ${this.maxBytes} bytes`);
      return;
    }
    this.errors = 0;
    if (data.length > 0) step.events.push({ type: 'data', data, offset: this.pos });
    this.pos += data.length;
    if (end === ZCRCW || end === ZCRCQ) step.send.push(encodeHexHeader(Frame.ZACK, positionBytes(this.pos)));
    if (end === ZCRCW || end === ZCRCE) this.inFrame = false;
  }
}
