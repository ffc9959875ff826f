/**
 * Finds cursor-position requests (`ESC [ 6 n`, DSR 6) in a server's output. BBS servers
 * send them to learn the screen size (`ESC[999;999H ESC[6n`) or whether the terminal
 * speaks UTF-8 (PROTOCOL-NOTES, "Terminal detection"); a client that never answers makes
 * every connect wait out the server's probe deadline. A request split across reads is
 * still found: at most three bytes of a partial request are remembered.
 */
const REQUEST = [0x1b, 0x5b, 0x36, 0x6e] as const;

export class CprRequestScanner {
  /** how many bytes of REQUEST the input ended in */
  private matched = 0;

  /** How many complete requests this chunk finished. */
  push(chunk: Buffer): number {
    let found = 0;
    for (const b of chunk) {
      if (b === REQUEST[this.matched]) {
        this.matched++;
        if (this.matched === REQUEST.length) {
          found++;
          this.matched = 0;
        }
      } else {
        // Only ESC can begin a request, so a mismatch restarts at 1 (this byte is ESC) or 0.
        this.matched = b === REQUEST[0] ? 1 : 0;
      }
    }
    return found;
  }
}

/** The answer a terminal of this size gives to `ESC[999;999H ESC[6n`: row;col of its last cell. */
export function cursorPositionReport(rows: number, cols: number): string {
  return `\x1b[${rows};${cols}R`;
}
