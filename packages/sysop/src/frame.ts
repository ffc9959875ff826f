/**
 * The control channel's framing: a 4-byte big-endian length, then that many bytes of
 * UTF-8 JSON. Pure: bytes in, frames or one error out, no I/O. The length is checked
 * against the cap as soon as the 4 header bytes are in, before a byte of the body is
 * held, so a peer announcing 4 GiB costs 4 bytes of memory.
 */

export const FRAME_HEADER_BYTES = 4;
/** The largest request body the board accepts (64 KiB). */
export const MAX_FRAME_BYTES = 64 * 1024;
/**
 * The largest reply the board sends and a client accepts: `who` on a board with
 * thousands of callers is bigger than any request needs to be.
 */
export const MAX_REPLY_BYTES = 8 * 1024 * 1024;

export type FrameError =
  /** the header announced more than the cap */
  | { type: 'error'; reason: 'too_large'; length: number }
  /** a zero-length frame */
  | { type: 'error'; reason: 'empty' }
  /** the body is not UTF-8 */
  | { type: 'error'; reason: 'bad_utf8'; length: number }
  /** the stream ended inside a frame */
  | { type: 'error'; reason: 'truncated'; held: number };

export type FrameEvent = { type: 'frame'; text: string } | FrameError;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** the body length of the frame being read, once its header is in */
  private need: number | undefined;
  private failed = false;

  constructor(private readonly maxBytes = MAX_FRAME_BYTES) {}

  /** Bytes held for a frame not yet complete (never more than header + cap). */
  get held(): number {
    return this.bytes;
  }

  /** After an error the decoder yields nothing more: the stream cannot be resynchronised. */
  get broken(): boolean {
    return this.failed;
  }

  push(chunk: Buffer): FrameEvent[] {
    const out: FrameEvent[] = [];
    if (this.failed || chunk.length === 0) return out;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    for (;;) {
      if (this.need === undefined) {
        if (this.bytes < FRAME_HEADER_BYTES) break;
        const length = this.take(FRAME_HEADER_BYTES).readUInt32BE(0);
        if (length > this.maxBytes) return this.fail(out, { type: 'error', reason: 'too_large', length });
        if (length === 0) return this.fail(out, { type: 'error', reason: 'empty' });
        this.need = length;
      }
      if (this.bytes < this.need) break;
      const body = this.take(this.need);
      this.need = undefined;
      let text: string;
      try {
        text = utf8.decode(body);
      } catch {
        return this.fail(out, { type: 'error', reason: 'bad_utf8', length: body.length });
      }
      out.push({ type: 'frame', text });
    }
    return out;
  }

  /** The peer closed: a frame half-read is an error. */
  end(): FrameEvent[] {
    if (this.failed) return [];
    const held = this.bytes + (this.need !== undefined ? FRAME_HEADER_BYTES : 0);
    if (held === 0) return [];
    return this.fail([], { type: 'error', reason: 'truncated', held });
  }

  private fail(out: FrameEvent[], err: FrameError): FrameEvent[] {
    this.failed = true;
    this.chunks = [];
    this.bytes = 0;
    this.need = undefined;
    out.push(err);
    return out;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let result: Buffer;
    if (first.length >= n) {
      result = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks, this.bytes);
      result = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.bytes -= n;
    return result;
  }
}

/** A frame for `text`; RangeError when its UTF-8 form is over the cap. */
export function encodeFrame(text: string, maxBytes = MAX_FRAME_BYTES): Buffer {
  const body = Buffer.from(text, 'utf8');
  if (body.length === 0 || body.length > maxBytes) throw new RangeError(`a frame body must be 1 to ${maxBytes} bytes (got ${body.length})`);
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

/** A message as one frame (JSON). */
export function encodeMessage(value: unknown, maxBytes = MAX_FRAME_BYTES): Buffer {
  return encodeFrame(JSON.stringify(value), maxBytes);
}

/** A frame's text as a JSON object, or why not. */
export function parseMessage(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; why: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, why: 'invalid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, why: 'a message must be a JSON object' };
  return { ok: true, value: value as Record<string, unknown> };
}
