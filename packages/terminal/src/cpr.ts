/**
 * Cursor position reports (`ESC [ row ; col R`, the answer to `ESC[6n`) picked out of
 * a caller's input while a probe waits for them. Everything else the caller sent
 * (keys typed ahead, other escape sequences) passes through in order, so the session
 * still sees it. Replies may be split across reads at any byte; a reply's prefix is
 * held (at most MAX_CPR_LENGTH bytes) until it completes or proves to be something else.
 */

export interface CursorPosition {
  row: number;
  col: number;
}

/** ESC [ + up to 5 digits ; up to 5 digits + R */
export const MAX_CPR_LENGTH = 14;
const MAX_DIGITS = 5;

const ESC = 0x1b;
const LBRACKET = 0x5b;
const SEMICOLON = 0x3b;
const R = 0x52;

const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;

export interface CprScan {
  replies: CursorPosition[];
  /** bytes that were not part of a reply, in arrival order */
  passthrough: Buffer;
}

export class CprScanner {
  private held: number[] = [];

  push(chunk: Buffer): CprScan {
    const replies: CursorPosition[] = [];
    const pass: number[] = [];
    for (const b of chunk) {
      if (this.held.length === 0) {
        if (b === ESC) this.held.push(b);
        else pass.push(b);
        continue;
      }
      this.held.push(b);
      const verdict = check(this.held);
      if (verdict === 'partial') continue;
      if (verdict === 'complete') {
        replies.push(position(this.held));
        this.held = [];
        continue;
      }
      // Not a reply. A new ESC may begin one, so it starts over; the rest passes.
      const last = this.held.pop()!;
      pass.push(...this.held);
      this.held = [];
      if (last === ESC) this.held.push(last);
      else pass.push(last);
    }
    return { replies, passthrough: Buffer.from(pass) };
  }

  /** The probe is over: whatever was held is ordinary input. */
  flush(): Buffer {
    const out = Buffer.from(this.held);
    this.held = [];
    return out;
  }
}

function check(seq: readonly number[]): 'partial' | 'complete' | 'no' {
  if (seq[1] !== LBRACKET) return 'no';
  let i = 2;
  let digits = 0;
  while (i < seq.length && isDigit(seq[i]!)) {
    i++;
    digits++;
  }
  if (digits > MAX_DIGITS) return 'no';
  if (i === seq.length) return 'partial';
  if (digits === 0 || seq[i] !== SEMICOLON) return 'no';
  i++;
  digits = 0;
  while (i < seq.length && isDigit(seq[i]!)) {
    i++;
    digits++;
  }
  if (digits > MAX_DIGITS) return 'no';
  if (i === seq.length) return 'partial';
  if (digits === 0 || seq[i] !== R) return 'no';
  return i === seq.length - 1 ? 'complete' : 'no';
}

function position(seq: readonly number[]): CursorPosition {
  const text = String.fromCharCode(...seq.slice(2, -1));
  const [row, col] = text.split(';').map(Number);
  return { row: row!, col: col! };
}
