import { Ecma48Scanner, Ecma48Token } from '@carrier/core';
import { ScreenModes } from './screen-modes.js';

/**
 * What a door's screen shows, kept while it runs so a sysop's spy that starts meanwhile gets
 * it at once (the door cannot be asked to draw again): the door's newest output, at most
 * MAX_REPLAY_BYTES of it. A spy is given the output since the door's last clear screen
 * (ESC[2J) when that is held; else (a door that never clears, or whose clear is further
 * back than the bound) the last screenful of lines, starting at a line boundary so no escape
 * sequence or character is cut in two; a door that draws only by cursor positions (no
 * line ends held) from its first position held. Before it go the colours, scroll region
 * and modes in force where it starts (screen-modes.ts: followed over every byte the door
 * wrote, under 1 KiB), so the spy's copy draws it as the caller's terminal
 * did. Dropped when the door ends.
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
  /** the modes in force at the oldest byte held: fed each byte as the ring lets it go */
  private readonly oldest = new ScreenModes();

  /** The door wrote `bytes` (in its own encoding). */
  feed(bytes: Buffer): void {
    if (bytes.length === 0) return;
    // A clear split between two writes is found with the tail of the one before.
    const tail = this.last(CLEAR.length - 1);
    const joined = tail.length > 0 ? Buffer.concat([tail, bytes]) : bytes;
    const at = joined.lastIndexOf(CLEAR);
    if (at >= 0) this.clearAt = this.total - tail.length + at;
    this.letGo(bytes);
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
   * fewer and all of it is held; else from the first line start or cursor position held,
   * whichever comes first: a door's lines longer than the bound allows, a door that draws
   * only by positions; nothing when neither is held), after the modes in force there.
   */
  bytes(rows: number): Buffer {
    const held = this.held();
    const start = this.total - held.length;
    const from = this.replayFrom(held, start, rows);
    const modes = this.oldest.clone();
    modes.feed(held.subarray(0, from));
    const set = modes.sequence();
    const replay = held.subarray(from);
    return set === '' || replay.length === 0 ? replay : Buffer.concat([Buffer.from(set, 'latin1'), replay]);
  }

  /** Where in `held` (whose first byte is the door's `start`th) the replay starts. */
  private replayFrom(held: Buffer, start: number, rows: number): number {
    if (this.clearAt !== undefined && this.clearAt >= start) return this.clearAt - start;
    let seen = 0;
    for (let i = held.length - 1; i >= 0; i--) {
      if (held[i] === LF && ++seen >= Math.max(1, rows)) return i + 1;
    }
    if (start === 0) return 0;
    const firstLine = held.indexOf(LF);
    const firstPosition = cursorPosition(held);
    const starts = [firstLine >= 0 ? firstLine + 1 : held.length, firstPosition ?? held.length];
    return Math.min(...starts);
  }

  /**
   * `bytes` are about to go into the ring: what they push out of it (the oldest held, and
   * the start of `bytes` itself when it is longer than the ring) is fed to `oldest`.
   */
  private letGo(bytes: Buffer): void {
    const heldFrom = Math.max(0, this.total - MAX_REPLAY_BYTES);
    const out = Math.max(0, this.total + bytes.length - MAX_REPLAY_BYTES) - heldFrom;
    if (out <= 0) return;
    const fromRing = Math.min(out, this.total - heldFrom);
    if (fromRing > 0) {
      const ring = this.ring!;
      const pos = heldFrom % MAX_REPLAY_BYTES;
      const first = Math.min(fromRing, MAX_REPLAY_BYTES - pos);
      this.oldest.feed(ring.subarray(pos, pos + first));
      if (first < fromRing) this.oldest.feed(ring.subarray(0, fromRing - first));
    }
    if (out > fromRing) this.oldest.feed(bytes.subarray(0, out - fromRing));
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

/**
 * Where the first cursor position (CUP, `ESC[row;colH` or `f`) in `bytes` starts; undefined
 * when none is whole there. Read with core's scanner from `bytes`' start, so one inside a
 * string the door sent (an APC or DCS to its own client) is not taken for one.
 */
function cursorPosition(bytes: Buffer): number | undefined {
  const scanner = new Ecma48Scanner(false);
  scanner.push(bytes);
  for (let token = scanner.next(); token !== Ecma48Token.End; token = scanner.next()) {
    if (token !== Ecma48Token.Csi || scanner.dropped || scanner.intermediates !== '') continue;
    if ((scanner.final === 0x48 || scanner.final === 0x66) && /^[\d;]*$/.test(scanner.params)) return scanner.sequenceStart;
  }
  return undefined;
}
