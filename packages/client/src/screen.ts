import xtermHeadless from '@xterm/headless';

const { Terminal } = xtermHeadless;

export interface CursorPosition {
  /** 0-based row within the visible screen */
  row: number;
  /** 0-based column */
  col: number;
}

/**
 * What a human would see: the client's output fed into a headless xterm.js (the
 * emulator VS Code's terminal runs on), so a test can assert on rows of text and the
 * cursor after art, cursor movement and clears. The model also answers the terminal
 * queries a real terminal answers (cursor position, device attributes); the client
 * forwards those answers to the server.
 *
 * xterm.js parses writes asynchronously: call `settle()` before reading.
 */
export class ScreenModel {
  private readonly term: InstanceType<typeof Terminal>;
  private pending = Promise.resolve();

  constructor(cols: number, rows: number) {
    this.term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 0 });
  }

  get cols(): number {
    return this.term.cols;
  }

  get rows(): number {
    return this.term.rows;
  }

  /** Terminal answers (e.g. `ESC[25;80R`), in the order the queries arrived. */
  onReply(fn: (text: string) => void): void {
    this.term.onData(fn);
  }

  write(text: string): void {
    if (text.length === 0) return;
    this.pending = new Promise<void>((resolve) => this.term.write(text, resolve));
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
  }

  /** Resolves once everything written so far has been parsed. */
  settle(): Promise<void> {
    return this.pending;
  }

  /** Each visible row, trailing blanks trimmed. */
  lines(): string[] {
    const buf = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) out.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    return out;
  }

  /** The visible rows joined with newlines, trailing empty rows dropped. */
  text(): string {
    return this.lines().join('\n').replace(/\n+$/, '');
  }

  cursor(): CursorPosition {
    const buf = this.term.buffer.active;
    return { row: buf.cursorY, col: buf.cursorX };
  }

  dispose(): void {
    this.term.dispose();
  }
}
