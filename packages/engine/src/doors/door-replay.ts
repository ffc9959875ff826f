/**
 * What a door's screen shows, kept while it runs so a sysop's spy that starts meanwhile gets
 * it at once (the door cannot be asked to draw again): the door's newest output, at most
 * MAX_REPLAY_BYTES of it. A spy is given the output since the door's last clear screen
 * (ESC[2J) when that is held; else (a door that never clears, or whose clear is further
 * back than the bound) the last screenful of lines, starting at a line boundary so no escape
 * sequence or character is cut in two. That tail is the caller's screen for a door that
 * writes line by line; colours set before it, or a scroll region, are not in it. Dropped
 * when the door ends.
 */
export const MAX_REPLAY_BYTES = 64 * 1024;
const CLEAR = Buffer.from('\x1b[2J');
const LF = 0x0a;

export class DoorReplay {
  /** A ring of the bound, taken at the door's first output: a door's many small writes cost no more. */
  private ring: Buffer | undefined;
  /** bytes the door wrote in all; the ring holds the newest MAX_REPLAY_BYTES of them */
  private total = 0;
  /** where (in `total`'s count) the newest clear screen starts */
  private clearAt: number | undefined;

  /** The door wrote `bytes` (in its own encoding). */
  feed(bytes: Buffer): void {
    if (bytes.length === 0) return;
    // A clear split between two writes is found with the tail of the one before.
    const tail = this.last(CLEAR.length - 1);
    const joined = tail.length > 0 ? Buffer.concat([tail, bytes]) : bytes;
    const at = joined.lastIndexOf(CLEAR);
    if (at >= 0) this.clearAt = this.total - tail.length + at;
    const ring = (this.ring ??= Buffer.alloc(MAX_REPLAY_BYTES));
    const kept = bytes.subarray(Math.max(0, bytes.length - MAX_REPLAY_BYTES));
    const pos = (this.total + bytes.length - kept.length) % MAX_REPLAY_BYTES;
    const first = Math.min(kept.length, MAX_REPLAY_BYTES - pos);
    kept.copy(ring, pos, 0, first);
    if (first < kept.length) kept.copy(ring, 0, first);
    this.total += bytes.length;
  }

  /**
   * What to draw for a spy on a `rows`-row screen: the door's output since its last clear
   * when that is held, else its last `rows` lines (from the door's first byte when it wrote
   * fewer and all of it is held; from the first line start held when its lines are longer
   * than the bound allows; nothing when 64 KiB held no line end at all).
   */
  bytes(rows: number): Buffer {
    const held = this.held();
    const start = this.total - held.length;
    if (this.clearAt !== undefined && this.clearAt >= start) return held.subarray(this.clearAt - start);
    let seen = 0;
    for (let i = held.length - 1; i >= 0; i--) {
      if (held[i] === LF && ++seen >= Math.max(1, rows)) return held.subarray(i + 1);
    }
    if (start === 0) return held;
    const firstLine = held.indexOf(LF);
    return firstLine >= 0 ? held.subarray(firstLine + 1) : Buffer.alloc(0);
  }

  /** Bytes held now (at most MAX_REPLAY_BYTES). */
  get size(): number {
    return Math.min(this.total, MAX_REPLAY_BYTES);
  }

  /** The newest `n` bytes held (fewer at the door's start). */
  private last(n: number): Buffer {
    const ring = this.ring;
    const count = Math.min(n, this.size);
    if (!ring || count === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(count);
    for (let i = 0; i < count; i++) out[i] = ring[(this.total - count + i) % MAX_REPLAY_BYTES]!;
    return out;
  }

  /** The bytes held, oldest first (a copy). */
  private held(): Buffer {
    const ring = this.ring;
    if (!ring) return Buffer.alloc(0);
    if (this.total <= MAX_REPLAY_BYTES) return Buffer.from(ring.subarray(0, this.total));
    const pos = this.total % MAX_REPLAY_BYTES;
    return Buffer.concat([ring.subarray(pos), ring.subarray(0, pos)]);
  }
}
