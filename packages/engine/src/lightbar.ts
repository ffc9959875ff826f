import { charWidth, displayWidth, fitWidth, renderPipeCodes, stripPipeCodes } from '@carrier/terminal';
import { readKeyDrawingAgain, type DrawsAgain } from './draw-again.js';
import { describeNotice, type Notice, type NoticeHandler } from './social/notice.js';

/**
 * A lightbar: a list drawn where the cursor stands, one entry highlighted, moved with
 * the arrows (Home/End, PgUp/PgDn) and chosen with Enter or the entry's hotkey; Escape
 * or ^C gives up. A list taller than the screen scrolls inside a window. Only relative
 * cursor moves are used, so it works wherever on the screen it starts. A resized window
 * (NAWS, ssh window-change) draws it again in the new size, where it stands.
 *
 * The model (Lightbar) is pure: keys in, bytes to draw out. runLightbar drives it.
 */

export interface LightbarItem {
  /** pipe codes allowed */
  text: string;
  /** a key that picks this entry at once (one character, any case) */
  key?: string;
  /** shown dimmed, skipped by the arrows, cannot be picked */
  disabled?: boolean;
}

export interface LightbarOptions {
  /** the entry highlighted first (default the first enabled one) */
  start?: number;
  /** at most this many rows (default: the screen's rows less two) */
  height?: number;
  /** pipe codes for an entry, a highlighted entry, a disabled entry */
  normal?: string;
  selected?: string;
  disabled?: string;
  /**
   * Draws what the screen shows above the list from a blank screen (a menu's art or title),
   * asked when the screen is drawn again for a sysop's spy: the whole screen is drawn, then
   * the list under it. Without it, the list alone is drawn again where it stands. Sends
   * nothing once `stillShown()` is false.
   */
  drawAbove?: (stillShown: () => boolean) => Promise<void>;
}

export interface LightbarStep {
  output: string;
  done?: true;
  /** the entry picked; undefined when the caller gave up */
  index?: number;
}

export interface LightbarIO {
  write(text: string): void;
  readKey(): Promise<string>;
  size(): { cols: number; rows: number };
  /**
   * show notices (a page, the idle warning) while the lightbar is up; `fits` says whether a
   * notice fit its one row whole (one cut is shown again after). Returns the unregister function.
   */
  notices?(handler: NoticeHandler, fits: (notice: Notice) => boolean): () => void;
  /** the caller's window changed size (coalesced by the caller of runLightbar); returns the unregister function */
  onResize?(fn: (cols: number, rows: number) => void): () => void;
  /** the screen can be drawn again while the lightbar waits for a key (SessionSocial.drawsAgain) */
  drawsAgain?: DrawsAgain;
}

const NORMAL = '|16|07';
const SELECTED = '|17|15';
const DISABLED = '|16|08';
const RESET = '\x1b[0m';
const ERASE_TO_END = '\x1b[K';

export class Lightbar {
  private readonly items: LightbarItem[];
  private readonly maxHeight: number | undefined;
  private height = 1;
  private width = 1;
  private readonly colors: { normal: string; selected: string; disabled: string };
  private selected: number;
  private top = 0;
  /** window row the terminal's cursor is on */
  private cursorRow = 0;
  private finished = false;

  constructor(items: readonly (string | LightbarItem)[], size: { cols: number; rows: number }, opts: LightbarOptions = {}) {
    this.items = items.map((i) => (typeof i === 'string' ? { text: i } : i));
    this.maxHeight = opts.height;
    this.fitTo(size);
    this.colors = { normal: opts.normal ?? NORMAL, selected: opts.selected ?? SELECTED, disabled: opts.disabled ?? DISABLED };
    const start = opts.start !== undefined && this.enabled(opts.start) ? opts.start : this.items.findIndex((_, i) => this.enabled(i));
    this.selected = start;
    this.scrollTo(Math.max(0, start));
  }

  /** true when nothing can be picked: runLightbar then returns at once without drawing */
  get empty(): boolean {
    return this.selected < 0;
  }

  get index(): number {
    return this.selected;
  }

  /**
   * The window drawn again for a terminal of `size`, from its first row (where a taller
   * old window scrolled off the top, from the screen's top row), everything below erased.
   */
  resize(size: { cols: number; rows: number }): string {
    if (this.finished || this.empty) return '';
    const out = `${this.moveTo(0)}\r${RESET}\x1b[J`;
    this.fitTo(size);
    // The highlight stays in the window, which shows as many entries as fit.
    this.top = Math.max(0, Math.min(this.top, this.items.length - this.height));
    this.scrollTo(this.selected);
    this.cursorRow = 0;
    return out + this.draw();
  }

  private fitTo(size: { cols: number; rows: number }): void {
    this.height = Math.max(1, Math.min(this.items.length, this.maxHeight ?? size.rows - 2, size.rows - 1));
    const widest = Math.max(0, ...this.items.map((i) => visibleWidth(i.text)));
    // A space either side of the text; never the last column, where BBS terminals wrap.
    this.width = Math.max(1, Math.min(widest + 2, size.cols - 1));
  }

  /**
   * The window drawn whole where the cursor stands (the screen above it was just drawn
   * again from blank), as it is now: its highlight and scroll.
   */
  drawAgain(): string {
    if (this.finished || this.empty) return '';
    return this.draw();
  }

  /** The window, drawn from the cursor down; the cursor is left on the highlighted row. */
  draw(): string {
    const rows: string[] = [];
    for (let r = 0; r < this.height; r++) rows.push(this.row(r));
    this.cursorRow = this.height - 1;
    return rows.join('\r\n') + this.moveTo(this.selected - this.top);
  }

  /**
   * A notice on the row below the window (written where the cursor stands, it would land
   * on an entry and throw the relative moves off by a row); the cursor goes back to the
   * highlighted row. A screen scroll moves the window and the notice up together.
   */
  notice(n: Notice, cols: number): string {
    if (this.finished || this.empty) return '';
    const { text } = noticeRow(n, cols);
    const out = `${this.moveTo(this.height - 1)}${RESET}\r\n${ERASE_TO_END}\x1b[1;33m${text}${RESET}\r`;
    this.cursorRow = this.height;
    return out + this.moveTo(this.selected - this.top);
  }

  feed(key: string): LightbarStep {
    if (this.finished || this.empty) return { output: '' };
    const before = this.selected;
    switch (key) {
      case 'up':
        this.step(-1, 1);
        break;
      case 'down':
        this.step(1, 1);
        break;
      case 'pageup':
        this.step(-1, this.height);
        break;
      case 'pagedown':
        this.step(1, this.height);
        break;
      case 'home':
        this.step(1, 1, -1);
        break;
      case 'end':
        this.step(-1, 1, this.items.length);
        break;
      case 'enter':
        return this.finish(this.selected);
      case 'escape':
      case 'ctrl-c':
        return this.finish(undefined);
      default: {
        if ([...key].length !== 1) return { output: '' };
        const hit = this.items.findIndex((item, i) => this.enabled(i) && item.key !== undefined && item.key.toLowerCase() === key.toLowerCase());
        if (hit < 0) return { output: '' };
        this.selected = hit;
        const out = this.follow(before);
        const done = this.finish(hit);
        return { ...done, output: out + done.output };
      }
    }
    return { output: this.follow(before) };
  }

  /** Move by `count` enabled entries in `dir`, from `from` (default the highlighted one), stopping at the ends. */
  private step(dir: 1 | -1, count: number, from = this.selected): void {
    let at = from;
    let moved = 0;
    for (let i = from + dir; i >= 0 && i < this.items.length && moved < count; i += dir) {
      if (this.enabled(i)) {
        at = i;
        moved++;
      }
    }
    if (moved > 0) this.selected = at;
  }

  /** Output that shows the new highlight: two rows, or the whole window after a scroll. */
  private follow(before: number): string {
    if (before === this.selected) return '';
    const oldTop = this.top;
    this.scrollTo(this.selected);
    if (this.top !== oldTop) {
      let out = '';
      for (let r = 0; r < this.height; r++) out += this.moveTo(r) + this.row(r);
      return out + this.moveTo(this.selected - this.top);
    }
    return this.moveTo(before - this.top) + this.row(before - this.top) + this.moveTo(this.selected - this.top) + this.row(this.selected - this.top) + '\r';
  }

  private finish(index: number | undefined): LightbarStep {
    this.finished = true;
    const output = `${this.moveTo(this.height - 1)}${RESET}\r\n`;
    return index === undefined ? { output, done: true } : { output, done: true, index };
  }

  private scrollTo(i: number): void {
    if (i < this.top) this.top = i;
    else if (i >= this.top + this.height) this.top = i - this.height + 1;
  }

  private enabled(i: number): boolean {
    const item = this.items[i];
    return item !== undefined && !item.disabled;
  }

  private row(r: number): string {
    const i = this.top + r;
    const item = this.items[i];
    if (!item) return `\r${RESET}${ERASE_TO_END}`;
    const color = i === this.selected ? this.colors.selected : item.disabled ? this.colors.disabled : this.colors.normal;
    const text = fit(item.text, this.width - 2);
    const pad = ' '.repeat(Math.max(0, this.width - 2 - visibleWidth(text)));
    // The item's own codes sit inside the row colour; the row colour is set again after them for the padding.
    return `\r${renderPipeCodes(`${color} ${text}${color}${pad} `)}${RESET}${ERASE_TO_END}\r`;
  }

  private moveTo(r: number): string {
    const d = r - this.cursorRow;
    this.cursorRow = r;
    if (d === 0) return '';
    return d < 0 ? `\x1b[${-d}A` : `\x1b[${d}B`;
  }
}

function visibleWidth(text: string): number {
  return displayWidth(stripPipeCodes(text));
}

/** Cut text with pipe codes to `width` visible columns, keeping the codes. */
function fit(text: string, width: number): string {
  if (visibleWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (let i = 0; i < text.length; ) {
    const code = /^\|\||^\|(?:[0-2][0-9]|3[01])/.exec(text.slice(i, i + 3));
    if (code) {
      const w = code[0] === '||' ? 1 : 0;
      if (used + w > width) break;
      out += code[0];
      used += w;
      i += code[0].length;
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    const w = charWidth(ch);
    if (used + w > width) break;
    out += ch;
    used += w;
    i += ch.length;
  }
  return out;
}

/** A notice as the one row under the lightbar: cut to `cols` less one, and whether it fit whole. */
export function noticeRow(n: Notice, cols: number): { text: string; whole: boolean } {
  const { head, body } = describeNotice(n);
  const all = `*** ${head}: ${body}`;
  // Never the last column (BBS terminals wrap there), so the notice stays one row.
  const text = fitWidth(all, cols - 1);
  return { text, whole: text === all };
}

/** Show the lightbar and wait for a choice: the index picked, or undefined. */
export async function runLightbar(
  io: LightbarIO,
  items: readonly (string | LightbarItem)[],
  opts: LightbarOptions = {},
): Promise<number | undefined> {
  const bar = new Lightbar(items, io.size(), opts);
  if (bar.empty) return undefined;
  io.write(bar.draw());
  const off = io.notices?.((n) => io.write(bar.notice(n, io.size().cols)), (n) => noticeRow(n, io.size().cols).whole) ?? (() => undefined);
  const offResize = io.onResize?.((cols, rows) => io.write(bar.resize({ cols, rows }))) ?? (() => undefined);
  const { drawAbove } = opts;
  const drawAgain = async (stillShown: () => boolean): Promise<void> => {
    if (!drawAbove) return io.write(bar.resize(io.size()));
    await drawAbove(stillShown);
    if (stillShown()) io.write(bar.drawAgain());
  };
  try {
    for (;;) {
      const step = bar.feed(await readKeyDrawingAgain(io.drawsAgain, () => io.readKey(), drawAgain));
      if (step.output) io.write(step.output);
      if (step.done) return step.index;
    }
  } finally {
    off();
    offResize();
  }
}

/**
 * The lightbar for a terminal without cursor control (TERM=dumb, where the bar's relative
 * moves would pile every row onto one line): the same entries as a numbered list, picked
 * by number and Enter, or at once by an entry's hotkey (a hotkey wins over a number's first
 * digit). Escape, ^C, or Enter with no number gives up; a disabled entry cannot be picked.
 */
export async function runNumberedList(
  io: Pick<LightbarIO, 'write' | 'readKey'>,
  items: readonly (string | LightbarItem)[],
): Promise<number | undefined> {
  const list = items.map((i) => (typeof i === 'string' ? { text: i } : i));
  const enabled = (i: number): boolean => list[i] !== undefined && !list[i]!.disabled;
  if (!list.some((_, i) => enabled(i))) return undefined;
  const digits = String(list.length).length;
  io.write(list.map((item, i) => `${String(i + 1).padStart(digits)}) ${stripPipeCodes(item.text)}${item.disabled ? ' (not available)' : ''}\r\n`).join(''));
  const prompt = `Number (Enter: none): `;
  io.write(prompt);
  let typed = '';
  for (;;) {
    const key = await io.readKey();
    if (key === 'escape' || key === 'ctrl-c' || (key === 'enter' && typed === '')) {
      io.write('\r\n');
      return undefined;
    }
    if (key === 'enter') {
      const i = Number(typed) - 1;
      io.write('\r\n');
      if (enabled(i)) return i;
      io.write(`There is no entry ${typed} to pick.\r\n${prompt}`);
      typed = '';
      continue;
    }
    if (key === 'backspace' && typed.length > 0) {
      typed = typed.slice(0, -1);
      io.write('\b \b');
      continue;
    }
    if ([...key].length !== 1) continue;
    const hit = typed === '' ? list.findIndex((item, i) => enabled(i) && item.key !== undefined && item.key.toLowerCase() === key.toLowerCase()) : -1;
    if (hit >= 0) {
      io.write(`${key}\r\n`);
      return hit;
    }
    if (/^[0-9]$/.test(key) && typed.length < digits) {
      typed += key;
      io.write(key);
    }
  }
}
