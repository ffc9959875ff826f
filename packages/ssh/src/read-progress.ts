/**
 * How much of a download went out over one SFTP handle, for counting it (pure). A plain
 * `get` starts reading at 0; a resumed one (`reget`, `get -a`) at the size of the
 * caller's partial copy. The handle completed a download when the ranges it sent cover
 * the file from where its first read started through the last byte, having sent
 * something, as a ZMODEM resume (ZRPOS past 0) counts when its last byte is acknowledged.
 * Ranges, not a running offset: a client asking for more than a READ answers (OpenSSH
 * `sftp -B 262144` against 64 KiB answers) asks again for the rest later, after reads
 * further on. A range sent twice adds nothing, so one handle counts once, never per READ;
 * a resume that found the copy already whole (one read at the end: EOF) counts nothing;
 * an empty file counts when a read reached its end.
 */

/** Disjoint sent ranges kept per handle; a client reading scattered pieces past this is not counted. */
export const MAX_SENT_RANGES = 1024;

export class ReadProgress {
  /** bytes sent over the handle, ranges sent twice included */
  sent = 0;
  private start: number | undefined;
  /** sorted, disjoint and not touching: [from, to) */
  private ranges: Array<[number, number]> = [];
  private scattered = false;
  private whole = false;

  constructor(private readonly size: number) {}

  /** `n` bytes were sent from `offset` (0: a read at or past the end was answered EOF). */
  note(offset: number, n: number): void {
    this.start ??= offset;
    this.sent += n;
    if (this.whole || this.scattered) return;
    if (n > 0) this.add(offset, offset + n);
    if (this.size === 0) this.whole = offset >= 0;
    else if (this.start < this.size && this.sent > 0) this.whole = this.ranges.some(([a, b]) => a <= this.start! && b >= this.size);
  }

  /** The caller now holds the file through its last byte, from this handle. */
  get complete(): boolean {
    return this.whole;
  }

  private add(from: number, to: number): void {
    let lo = from;
    let hi = to;
    const kept: Array<[number, number]> = [];
    let placed = false;
    for (const [a, b] of this.ranges) {
      if (b < lo) kept.push([a, b]);
      else if (a > hi) {
        if (!placed) {
          kept.push([lo, hi]);
          placed = true;
        }
        kept.push([a, b]);
      } else {
        lo = Math.min(lo, a);
        hi = Math.max(hi, b);
      }
    }
    if (!placed) kept.push([lo, hi]);
    if (kept.length > MAX_SENT_RANGES) {
      this.scattered = true;
      this.ranges = [];
      return;
    }
    this.ranges = kept;
  }
}
