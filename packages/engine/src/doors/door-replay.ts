/**
 * What a door drew since its last clear screen (ESC[2J), kept while it runs so a sysop's
 * spy that starts meanwhile gets the door's screen at once (the door cannot be asked to
 * draw again). Bounded: past MAX_REPLAY_BYTES since the last clear, nothing is kept until
 * the next one (a screen drawn in part would be a wrong one). Dropped when the door ends.
 */
export const MAX_REPLAY_BYTES = 64 * 1024;
const CLEAR = Buffer.from('\x1b[2J');

export class DoorReplay {
  /** One buffer of the bound, taken at the door's first output: a door's many small writes cost no more. */
  private store: Buffer | undefined;
  private size = 0;
  private over = false;

  /** The door wrote `bytes` (in its own encoding). */
  feed(bytes: Buffer): void {
    // A clear split between two writes is found with the tail of the one before.
    const tail = this.store ? this.store.subarray(Math.max(0, this.size - (CLEAR.length - 1)), this.size) : Buffer.alloc(0);
    const joined = tail.length > 0 ? Buffer.concat([tail, bytes]) : bytes;
    const at = joined.lastIndexOf(CLEAR);
    if (at >= 0) {
      this.size = 0;
      this.over = false;
      bytes = joined.subarray(at);
    } else if (this.over) return;
    if (this.size + bytes.length > MAX_REPLAY_BYTES) {
      this.size = 0;
      this.over = true;
      return;
    }
    this.store ??= Buffer.alloc(MAX_REPLAY_BYTES);
    bytes.copy(this.store, this.size);
    this.size += bytes.length;
  }

  /** The bytes kept: the door's screen since its last clear (empty past the bound). */
  bytes(): Buffer {
    return Buffer.from(this.store?.subarray(0, this.size) ?? Buffer.alloc(0));
  }

  /** Bytes held now (at most MAX_REPLAY_BYTES). */
  get held(): number {
    return this.size;
  }
}
