import { ConnectionClosedError, type Connection } from '@carrier/core';
import { followResizes, LineEditor, renderPipeCodes, type Key, type NamedKey, type ViewOptions } from '@carrier/terminal';
import { keyName, type KeyInput } from '../key-input.js';
import { runLightbar, runNumberedList, type LightbarIO, type LightbarItem, type LightbarOptions } from '../lightbar.js';
import { runPager, type PagerOptions } from '../pager.js';
import { LONG_LINE_MAX, type ReadLineOptions } from '../session-api.js';
import { openSessionView, type SessionView } from '../session-view.js';
import type { SessionSocial } from '../social/session-social.js';
import type { DisposerStack } from './disposers.js';
import type { Screen } from './screen.js';
import { remeasureOnViewOpen } from './terminal-setup.js';

const CLEAR_LINE = '\r\x1b[K';

export interface WidgetHost {
  readonly conn: Connection;
  readonly input: KeyInput;
  readonly screen: Screen;
  readonly disposers: DisposerStack;
  /** the board's cap on any typed line */
  readonly maxLineLength: number;
  social(): SessionSocial;
  /** depth of the script stack: a view belongs to the script that opened it */
  depth(): number;
  /** throws ConnectionClosedError once the session has ended */
  ensureOpen(): void;
}

interface OpenView {
  depth: number;
  end(why: 'script ended' | 'hangup'): void;
}

/** A session's input: keys, the line editor, pause, pager, lightbar and full-screen views. */
export class Widgets {
  /** open full-screen views, with the stack depth of the script that opened each */
  private readonly views = new Set<OpenView>();
  /** reads waiting for the caller (readKey, readLine) */
  private reading = 0;
  /** The line a readLine is editing now. */
  private line: LineEditor | undefined;

  constructor(private readonly host: WidgetHost) {}

  /** A full-screen view has the screen and reads the keys itself. */
  get viewOpen(): boolean {
    return this.views.size > 0;
  }

  async readKey(opts: { timeoutMs?: number } = {}): Promise<string> {
    return keyName(await this.readKeyEvent(opts));
  }

  async readKeyEvent(opts: { timeoutMs?: number } = {}): Promise<Key> {
    if (!this.viewOpen) this.host.social().atPrompt();
    this.reading++;
    try {
      return await this.host.input.read(opts.timeoutMs);
    } finally {
      this.reading--;
    }
  }

  /**
   * The caller's screen as far as the session knows it, from a clear one: the rows printed
   * since it was last cleared (as many as fit over the current line) and the current line
   * (`current`: the prompt, and a line editor's half-typed text). What a sysop's spy is
   * drawn where the screen registered nothing to draw itself again (a script's prompt, a
   * pause): false when the current line is not known (art, a full-screen view drew last).
   */
  drawShown(current = this.host.social().currentLine()): boolean {
    if (current === undefined) return false;
    const { screen, conn } = this.host;
    screen.clear();
    for (const row of this.host.social().shownRows(conn.terminal.rows - 1)) screen.write(`${row}\r\n`);
    screen.write(current);
    return true;
  }

  /**
   * Ctrl-C stopped a paste still being typed in (KeyInput's CANCEL_PASTE): what it typed on
   * the line at a prompt goes too, and what the caller typed there by hand before it stays
   * (LineEditor.dropPaste). The prompt is waiting for its next key meanwhile: drawn here.
   */
  pasteStopped(): void {
    const output = this.line && !this.line.done ? this.line.dropPaste().output : '';
    if (output !== '') this.host.screen.write(output);
  }

  /** A script is waiting for a key or a line from the caller right now. */
  get waitingForInput(): boolean {
    return this.reading > 0;
  }

  async readLine(opts: ReadLineOptions = {}): Promise<string> {
    const { screen, conn } = this.host;
    const cols = conn.terminal.cols;
    // A script cannot lift the board's cap: a line is bounded wherever a caller types
    // (a pasted key line by LONG_LINE_MAX).
    const maxLength = Math.min(opts.maxLength ?? 80, opts.longLine ? Math.max(this.host.maxLineLength, LONG_LINE_MAX) : this.host.maxLineLength);
    const editor = new LineEditor({
      maxLength,
      // The field ends before the right edge: columns left after the prompt.
      cols: Math.max(2, cols - ((screen.column.value ?? 0) % cols)),
      ...(opts.mask !== undefined ? { mask: opts.mask } : {}),
      ...(opts.default !== undefined ? { default: opts.default } : {}),
      ...(opts.history !== undefined ? { history: opts.history } : {}),
      cancelable: opts.cancelable ?? true,
    });
    const social = this.host.social();
    social.editing(editor);
    this.line = editor;
    screen.write(editor.start());
    social.atPrompt();
    // A sysop's spy that starts while the caller types gets the prompt and the half-typed
    // line (the line editor's), the cursor where the caller's is: drawn for the spy alone.
    const { spyDraw } = opts;
    const stopDrawing = social.drawsAgain((stillShown) => {
      if (!stillShown() || editor.done) return;
      if (spyDraw) {
        spyDraw();
        screen.write(editor.drawn());
      } else {
        // A script's prompt: under the rows it printed above it.
        this.drawShown(social.currentLine() ?? editor.drawn());
      }
    });
    this.reading++;
    try {
      for (;;) {
        const key = await this.host.input.read();
        if (opts.wrap && key.name === 'char' && !key.ctrl && !key.alt && atFullEnd(editor, maxLength)) {
          social.editing(undefined);
          return this.wrapLine(editor, key);
        }
        const step = editor.feed(key);
        if (step.output) screen.write(step.output);
        if (step.done) {
          social.editing(undefined);
          screen.write('\r\n');
          return step.cancelled ? '' : (step.value ?? '');
        }
      }
    } finally {
      if (this.line === editor) this.line = undefined;
      stopDrawing();
      this.reading--;
    }
  }

  /**
   * Word wrap, as BBS line editors do: the line is full and the caller types on. The word
   * being typed is rubbed out and moves down to the next line, typed ahead of the key (a
   * space is only the break); one long word breaks at the edge.
   */
  private wrapLine(editor: LineEditor, key: NamedKey): string {
    const chars = [...editor.value];
    const space = chars.lastIndexOf(' ');
    const carried = key.ch === ' ' || space <= 0 ? [] : chars.slice(space + 1);
    for (let i = 0; i < carried.length; i++) this.host.screen.write(editor.feed({ name: 'backspace', raw: '\x7f' }).output);
    this.host.screen.write('\r\n');
    // (a pasted word carried down is still the paste's: a Ctrl-C that stops it takes it too)
    const next = carried.map((ch): Key => ({ name: 'char', ch, raw: ch, ...(key.pasted ? { pasted: true } : {}) }));
    if (key.ch !== ' ') next.push(key);
    this.host.input.unread(next);
    return chars.slice(0, chars.length - carried.length).join('').trimEnd();
  }

  async pause(prompt = '|08[|07press a key|08]'): Promise<string> {
    this.host.screen.print(prompt);
    const key = await this.readKey();
    this.host.screen.write(`${CLEAR_LINE}${renderPipeCodes('|07')}`);
    return key;
  }

  pager(text: string, opts: PagerOptions = {}): Promise<boolean> {
    // The more-prompt's screen is drawn again when a sysop's spy starts.
    return runPager({ ...this.io(), drawsAgain: (painter) => this.host.social().drawsAgain(painter) }, text, opts);
  }

  lightbar(items: readonly (string | LightbarItem)[], opts: LightbarOptions = {}): Promise<number | undefined> {
    // No cursor control to move a highlight with: the entries as a numbered list.
    if (this.host.screen.plain) return runNumberedList(this.io(), items);
    const { conn } = this.host;
    // A resize storm redraws at most once per limits.view.resizeDelay, within the caller's view CPU budget.
    const onResize = (fn: (cols: number, rows: number) => void): (() => void) => followResizes(conn, fn, { capped: false });
    const social = this.host.social();
    const notices: LightbarIO['notices'] = (h, fits) => social.onNotice(h, { answersKey: false, oneLine: true, fits });
    // The lightbar's screen is drawn again when a sysop's spy starts.
    // Its rows cannot take the sysop's line chat: it is drawn again whole after one.
    return runLightbar({ ...this.io(), notices, onResize, drawsAgain: (painter) => social.drawsAgain(painter, { afterLoan: true }) }, items, opts);
  }

  view<T = unknown>(opts: ViewOptions = {}): SessionView<T> {
    this.host.ensureOpen();
    const entry: OpenView = { depth: this.host.depth(), end: () => undefined };
    let release = (): boolean => false;
    remeasureOnViewOpen(this.host.conn);
    // Keys typed after the one that closed the view (`q` then `o`) are the next reader's.
    const withLeftover: ViewOptions = { ...opts, onLeftover: (raws) => this.host.input.pushKeys(raws) };
    let disown = (): void => undefined;
    const handle = openSessionView<T>(this.host.conn, withLeftover, () => {
      this.views.delete(entry);
      release();
      disown();
      this.host.screen.column.forget();
      this.host.social().line.forgetRows();
    });
    entry.end = handle.end;
    if (!handle.view.closed) {
      this.views.add(entry);
      disown = this.host.social().ownScreen({ suspend: () => handle.suspend(), resume: () => handle.resume(), whole: () => handle.whole() });
      release = this.host.disposers.defer(() => entry.end('hangup'));
      // The view reads the keyboard from now on: the keys typed before it took over (`w`
      // then `p`) are its first keys, acted on once it has drawn itself.
      handle.view.typeAhead(this.host.input.take().map((k) => k.raw));
    }
    return handle.view;
  }

  /** The script at stack depth `depth` ended: close the views it (or scripts above it) opened. */
  scriptEnded(depth: number): void {
    for (const view of [...this.views]) if (view.depth >= depth) view.end('script ended');
  }

  discardInput(): number {
    return this.host.input.discard();
  }

  private io(): { write(t: string): void; readKey(): Promise<string>; size(): { cols: number; rows: number } } {
    return { write: (t) => this.host.screen.write(t), readKey: () => this.readKey(), size: () => this.host.conn.terminal };
  }
}

/** The cursor is at the end of a line that holds all it may. */
function atFullEnd(editor: LineEditor, maxLength: number): boolean {
  const length = [...editor.value].length;
  return length >= maxLength && editor.cursorIndex >= length;
}

/** `promise`, unless the session ends first: then a ConnectionClosedError. */
export function untilEnd<T>(promise: Promise<T>, disposers: DisposerStack, reason: () => string): Promise<T> {
  if (disposers.disposed) return Promise.reject(new ConnectionClosedError(reason()));
  return new Promise<T>((resolve, reject) => {
    const release = disposers.defer(() => reject(new ConnectionClosedError(reason())));
    promise.then(
      (value) => {
        release();
        resolve(value);
      },
      (err: unknown) => {
        release();
        reject(err);
      },
    );
  });
}
