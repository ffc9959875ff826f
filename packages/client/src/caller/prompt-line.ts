import { StringDecoder } from 'node:string_decoder';

export type PromptEvent =
  /** text to show on the local terminal */
  | { kind: 'echo'; text: string }
  /** Enter */
  | { kind: 'line'; line: string }
  /** Ctrl-C, or the escape key again: back to where we were */
  | { kind: 'cancel' }
  /** Ctrl-D on an empty line */
  | { kind: 'eof' };

/** Nobody types a command this long; a paste that is gets cut here. */
const MAX_LINE = 1024;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const BS = 0x08;
const CTRL_U = 0x15;
const ESC = 0x1b;
const DEL = 0x7f;

/**
 * The command prompt's line editor. The local terminal stays in raw mode while it runs
 * (leaving raw mode for one line would let a Ctrl-C kill the caller with the board's
 * screen half drawn), so typing, backspace and Ctrl-U are handled here. Escape
 * sequences (arrow keys) are swallowed.
 */
export class PromptLine {
  private line = '';
  private readonly utf8 = new StringDecoder('utf8');
  /** inside an escape sequence: 'esc' after ESC, 'csi' after ESC [ or ESC O */
  private seq: 'esc' | 'csi' | undefined;

  constructor(private readonly escapeByte: number) {}

  push(bytes: Buffer): PromptEvent[] {
    const events: PromptEvent[] = [];
    let echo = '';
    const flushEcho = () => {
      if (echo) events.push({ kind: 'echo', text: echo });
      echo = '';
    };
    for (const b of bytes) {
      if (this.seq === 'esc') {
        this.seq = b === 0x5b || b === 0x4f ? 'csi' : undefined;
        continue;
      }
      if (this.seq === 'csi') {
        if (b >= 0x40 && b <= 0x7e) this.seq = undefined;
        continue;
      }
      if (b === ESC) {
        this.seq = 'esc';
      } else if (b === 0x0d || b === 0x0a) {
        flushEcho();
        events.push({ kind: 'line', line: this.line });
        this.line = '';
      } else if (b === CTRL_C || b === this.escapeByte) {
        flushEcho();
        this.line = '';
        events.push({ kind: 'cancel' });
      } else if (b === CTRL_D) {
        if (this.line === '') {
          flushEcho();
          events.push({ kind: 'eof' });
        }
      } else if (b === DEL || b === BS) {
        if (this.line.length > 0) {
          this.line = [...this.line].slice(0, -1).join('');
          echo += '\b \b';
        }
      } else if (b === CTRL_U) {
        echo += '\b \b'.repeat([...this.line].length);
        this.line = '';
      } else if (b >= 0x20) {
        const text = this.utf8.write(Buffer.from([b]));
        if (text && this.line.length + text.length <= MAX_LINE) {
          this.line += text;
          echo += text;
        }
      }
    }
    flushEcho();
    return events;
  }
}
