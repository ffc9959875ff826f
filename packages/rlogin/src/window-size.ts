/**
 * RFC 1282 §"Window Change Control": after the server's urgent 0x80 a BSD client sends
 * its window size in band as `FF FF 's' 's'` + rows, cols, xpixels, ypixels (16-bit
 * big-endian). Node cannot send urgent data, so netkit never sends one, but other
 * clients do unasked; either way the marker must not reach the session as text.
 */
export const WINDOW_SIZE_MAGIC = Buffer.from([0xff, 0xff, 0x73, 0x73]);
const BODY_BYTES = 8;

export interface RloginWindowSize {
  rows: number;
  cols: number;
  xpixels: number;
  ypixels: number;
}

export type RloginInputEvent = { type: 'data'; bytes: Buffer } | ({ type: 'size' } & RloginWindowSize);

/**
 * Pure filter over the client's data stream: strips every in-band window-size report
 * and returns the rest as data, in order. A report split at any byte is still found;
 * `FF FF` not followed by `ss` is data (0xFF is a character in CP437) and passes
 * through once the next byte shows it is not a marker, or at `flush()`.
 */
export class RloginWindowSizeFilter {
  /** bytes of WINDOW_SIZE_MAGIC matched so far (0-4) */
  private matched = 0;
  private readonly body = Buffer.alloc(BODY_BYTES);
  private bodyLength = 0;

  push(bytes: Uint8Array): RloginInputEvent[] {
    if (this.matched === 0 && !bytes.includes(0xff)) {
      return bytes.length > 0 ? [{ type: 'data', bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes) }] : [];
    }
    const events: RloginInputEvent[] = [];
    let out: number[] = [];
    const flushData = (): void => {
      if (out.length > 0) events.push({ type: 'data', bytes: Buffer.from(out) });
      out = [];
    };
    for (const b of bytes) {
      if (this.matched === WINDOW_SIZE_MAGIC.length) {
        this.body[this.bodyLength++] = b;
        if (this.bodyLength === BODY_BYTES) {
          flushData();
          events.push({ type: 'size', ...this.takeBody() });
        }
        continue;
      }
      if (b === WINDOW_SIZE_MAGIC[this.matched]) {
        this.matched++;
        continue;
      }
      // The held prefix is not a marker after all: release what cannot start one.
      // After `FF FF FF` the last two FFs may still begin a marker, so keep them.
      if (b === 0xff && this.matched === 2) {
        out.push(0xff);
        continue;
      }
      for (let i = 0; i < this.matched; i++) out.push(WINDOW_SIZE_MAGIC[i]!);
      this.matched = 0;
      if (b === WINDOW_SIZE_MAGIC[0]) this.matched = 1;
      else out.push(b);
    }
    flushData();
    return events;
  }

  /** Bytes held back because they might begin a marker (0-3; a body in progress is not counted). */
  get held(): number {
    return this.matched < WINDOW_SIZE_MAGIC.length ? this.matched : 0;
  }

  /** The stream went quiet: held `FF`, `FF FF`, `FF FF s` were data after all. */
  flush(): Buffer {
    if (this.matched === 0 || this.matched === WINDOW_SIZE_MAGIC.length) return Buffer.alloc(0);
    const bytes = Buffer.from(WINDOW_SIZE_MAGIC.subarray(0, this.matched));
    this.matched = 0;
    return bytes;
  }

  private takeBody(): RloginWindowSize {
    const size = {
      rows: this.body.readUInt16BE(0),
      cols: this.body.readUInt16BE(2),
      xpixels: this.body.readUInt16BE(4),
      ypixels: this.body.readUInt16BE(6),
    };
    this.matched = 0;
    this.bodyLength = 0;
    return size;
  }
}
