/**
 * The text a client has received and not yet read, and the matching that `readUntil`
 * and `expect` do on it. Pure: no socket, no clock.
 */
export type Pattern = string | RegExp;

export interface BufferMatch {
  /** which pattern matched */
  index: number;
  match: RegExpExecArray;
  /** the text before the match */
  before: string;
  /** the text up to and including the match */
  through: string;
}

/**
 * What the unread text may grow to, in UTF-16 code units. A script that never reads
 * (or a server that floods) must not grow a client without bound; past the cap the
 * oldest text is dropped and `dropped` counts it.
 */
export const DEFAULT_MAX_BUFFER = 1024 * 1024;

/** A pattern as a regex without the g/y flags, whose `lastIndex` state would make a search depend on the previous one. */
export function toRegExp(p: Pattern): RegExp {
  if (typeof p === 'string') return new RegExp(p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return p.global || p.sticky ? new RegExp(p.source, p.flags.replace(/[gy]/g, '')) : p;
}

export class ReadBuffer {
  private text = '';
  /** code units dropped from the front because the buffer was full */
  dropped = 0;

  constructor(private readonly max = DEFAULT_MAX_BUFFER) {}

  get length(): number {
    return this.text.length;
  }

  /** What is unread, without consuming it (a TimeoutError carries this). */
  peek(): string {
    return this.text;
  }

  append(chunk: string): void {
    if (chunk.length === 0) return;
    this.text += chunk;
    const over = this.text.length - this.max;
    if (over > 0) {
      this.text = this.text.slice(over);
      this.dropped += over;
    }
  }

  /** Everything unread, consumed. */
  takeAll(): string {
    const t = this.text;
    this.text = '';
    return t;
  }

  /**
   * The earliest match of any pattern; on a tie, the pattern listed first (so a list
   * reads as an order of preference). The match and everything before it are consumed.
   */
  takeMatch(patterns: readonly RegExp[]): BufferMatch | undefined {
    let best: { index: number; match: RegExpExecArray } | undefined;
    for (let i = 0; i < patterns.length; i++) {
      const m = patterns[i]!.exec(this.text);
      if (m && (!best || m.index < best.match.index)) best = { index: i, match: m };
    }
    if (!best) return undefined;
    const end = best.match.index + best.match[0].length;
    const through = this.text.slice(0, end);
    this.text = this.text.slice(end);
    return { index: best.index, match: best.match, before: through.slice(0, best.match.index), through };
  }
}
