import type { LineEditor } from '@carrier/terminal';

/**
 * Knows what the caller's current screen line holds (the prompt, and the line editor
 * when one is open), so a notice arriving from outside can be printed on a line of its
 * own and the prompt and half-typed text put back below it, cursor where it was. Pure:
 * it is told what was written and returns what to write.
 */

/** A prompt line longer than this is not a prompt: the line counts as unknown. */
const MAX_TAIL = 2048;
/** Cursor moves and erases in a prompt would go elsewhere when replayed; colours (SGR) are kept. */
const NON_SGR_CSI = /\x1b\[[0-9;?]*[ -/]*[@-ln-~]|\x1b[78]/g;
const RESET = '\x1b[0m';

export class LineKeeper {
  /** text since the last CR or LF; undefined when raw output (art) made it unknowable */
  private tail: string | undefined = '';
  private editor: LineEditor | undefined;
  private prompt: string | undefined;

  /** Text the session wrote. */
  wrote(text: string): void {
    const cut = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
    if (cut >= 0) this.tail = text.slice(cut + 1);
    else if (this.tail !== undefined) this.tail += text;
    if (this.tail !== undefined && this.tail.length > MAX_TAIL) this.tail = undefined;
  }

  /** Bytes went out that this cannot follow (art): the line is unknown until the next line starts. */
  lost(): void {
    this.tail = undefined;
  }

  /** A line editor starts at the cursor: what precedes it on the line is its prompt. */
  editing(editor: LineEditor | undefined): void {
    this.editor = editor;
    this.prompt = editor ? this.tail : undefined;
  }

  /** Print `line` (ANSI, no newline) on its own line and put the current line back below it. */
  interrupt(line: string): string {
    const back = this.currentLine();
    if (back === undefined) return `\r\n${line}${RESET}\r\n`;
    return `\r\x1b[K${line}${RESET}\r\n${back}`;
  }

  /**
   * After a full-screen view had the screen: a note and the current line below what is
   * there. (Views use the alternate screen where the terminal has one, so leaving it
   * brings the caller's own screen back as it was.)
   */
  restore(note: string): string {
    return `${RESET}\r\n${note}${RESET}\r\n${this.currentLine() ?? ''}`;
  }

  private currentLine(): string | undefined {
    if (this.editor && !this.editor.done) {
      // start() redraws the whole field and leaves the cursor where the caller had it.
      return (this.prompt ?? '').replace(NON_SGR_CSI, '') + this.editor.start();
    }
    return this.tail?.replace(NON_SGR_CSI, '');
  }
}
