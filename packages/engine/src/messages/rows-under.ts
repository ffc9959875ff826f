import type { DrawAbove } from '../draw-again.js';
import type { Session } from '../session-api.js';

/**
 * The rows a reader printed under a message since showing it: the prompt a key was typed
 * at (a key is not echoed, so the row is the prompt) and what the key printed (`?`'s
 * legend, `This is the first message.`), the last screenful kept. A sysop's spy that
 * starts at the next prompt gets them between the message and that prompt, as the
 * caller's screen has them (it got the message and the prompt alone).
 */
export class RowsUnder {
  private rows: string[] = [];

  constructor(private readonly s: Pick<Session, 'terminal' | 'println'>) {}

  /** `rows` were printed under the message, a row each, as printed (pipe codes). */
  add(...rows: readonly string[]): void {
    this.rows.push(...rows);
    const keep = Math.max(1, this.s.terminal.rows);
    if (this.rows.length > keep) this.rows.splice(0, this.rows.length - keep);
  }

  /** The message was shown again: nothing is under it yet. */
  clear(): void {
    this.rows = [];
  }

  /** From a clear screen: the message (`message`) and these rows under it, as many as fit over `below` rows more. */
  draw(message: DrawAbove, below: number): void {
    const fit = Math.max(0, this.s.terminal.rows - 1 - below);
    const rows = fit > 0 ? this.rows.slice(-fit) : [];
    message(below + rows.length);
    for (const row of rows) this.s.println(row);
  }
}
