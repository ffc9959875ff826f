import { charWidth } from '@carrier/terminal';

/** CSI parameters, intermediates and final byte (ECMA-48 5.4). */
const CSI = /^\x1b\[([0-9;?]*)[ -/]*([@-~])/;

/**
 * Where the cursor stands after the session's own text output, so a line editor opened
 * after a prompt knows how many columns are left before the right edge (an ANSI-BBS
 * terminal wraps at once in the last one). Text printed through the session moves it;
 * art sent as raw bytes makes it unknown until the next line starts.
 */
export class CursorColumn {
  private col: number | undefined = 0;

  /** 0-based column, or undefined when raw output made it unknowable. */
  get value(): number | undefined {
    return this.col;
  }

  forget(): void {
    this.col = undefined;
  }

  advance(text: string): void {
    let i = 0;
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '\r' || ch === '\n') {
        this.col = 0;
        i++;
      } else if (ch === '\x1b') {
        const m = CSI.exec(text.slice(i, i + 64));
        if (m) {
          this.csi(m[1]!, m[2]!);
          i += m[0].length;
        } else {
          i++;
        }
      } else if (ch === '\b') {
        if (this.col !== undefined) this.col = Math.max(0, this.col - 1);
        i++;
      } else {
        const cp = text.codePointAt(i)!;
        if (this.col !== undefined) this.col += charWidth(String.fromCodePoint(cp));
        i += cp > 0xffff ? 2 : 1;
      }
    }
  }

  private csi(params: string, final: string): void {
    const n = (k: number, dflt: number): number => {
      const v = Number(params.split(';')[k] ?? '');
      return Number.isFinite(v) && v > 0 ? v : dflt;
    };
    switch (final) {
      case 'H':
      case 'f':
        this.col = n(1, 1) - 1;
        break;
      case 'G':
        this.col = n(0, 1) - 1;
        break;
      case 'C':
        if (this.col !== undefined) this.col += n(0, 1);
        break;
      case 'D':
        if (this.col !== undefined) this.col = Math.max(0, this.col - n(0, 1));
        break;
      default:
        break;
    }
  }
}
