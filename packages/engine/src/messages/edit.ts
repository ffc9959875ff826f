import {
  EDITOR_DEFAULTS,
  EditorScreen,
  LINE_MODE_HELP,
  LineModeEditor,
  MessageEditor,
  fitWidth,
  quoteLines,
  quotePrefix,
  quoteStart,
  QUOTE_START_LINES,
  type Key,
} from '@carrier/terminal';
import { isPlainTerminal } from '@carrier/core';
import { drawAndReadKey, readLineUnder, type DrawAbove } from '../draw-again.js';
import type { Session } from '../session-api.js';
import { remeasured } from '../session/terminal-setup.js';
import { isPersonal, noticeLine, noticeText, PASTE_STOPPED, type Notice } from '../social/notice.js';
import { wrapLine } from '../pager.js';
import { bodyLines } from './text.js';

/**
 * The message editor on a caller's session: full-screen on ANSI terminals, line mode
 * on dumb ones (or when asked). Any script can use it: `await editText(s, { title })`
 * gives the text, or null when the caller aborted. The editor itself is the terminal
 * package's pure MessageEditor; this is only its glue to keys, screen and notices.
 */
export interface EditTextOptions {
  /** The title row (full screen) or heading (line mode): clean text. */
  title: string;
  /**
   * The message this one answers: the quote window offers it and the text starts with its
   * first lines (replyQuote), quoted to the width the editor opens at. `quote` and
   * `initial` given as well win.
   */
  replyTo?: { body: string; fromHandle: string };
  /** Lines the quote window / `/q` offers (quoteLines() builds them). */
  quote?: readonly string[];
  /** Text to start from. */
  initial?: string;
  /** Force line mode (a caller's preference). */
  lineMode?: boolean;
  maxBytes?: number;
  maxLines?: number;
}

/**
 * The editor options of a reply to `original`: the quote window offers the original
 * (its own quotes one level deep), and the text starts with the first lines of it
 * (terminal's quoteLines/quoteStart say why those bounds).
 */
function replyQuote(s: Session, original: { body: string; fromHandle: string }, lines: boolean): Pick<EditTextOptions, 'quote' | 'initial'> {
  const prefix = quotePrefix(original.fromHandle);
  // Line mode shows each line after its number: quoted to the width a typed line gets.
  const cols = lines ? lineModeWidths(s).typed + 1 : s.terminal.cols;
  const quote = quoteLines(bodyLines(original.body).join('\n'), prefix, cols);
  return quote.length === 0 ? {} : { quote, initial: `${quoteStart(quote, prefix, QUOTE_START_LINES, cols).join('\n')}\n\n` };
}

/**
 * Besides plain terminals (core's isPlainTerminal), types that name no terminal at all:
 * the editor, which must place its cursor, takes no chance on them.
 */
const UNNAMED_TERMINALS = new Set(['unknown', 'network']);
/** A window drag sends a storm of sizes: one redraw per pause. */
const RESIZE_COALESCE_MS = 60;
/** Notices held while the editor has the screen (shown when it closes); the oldest go first. */
const MAX_HELD_NOTICES = 20;
/**
 * A broadcast or sysop message stays on the status row for this many keys: someone typing
 * on still gets to read it, and the row's counts and keys come back by themselves.
 */
const NOTICE_KEYS = 20;

/** The longest line line mode's prompt takes (a wide screen's lines are not longer). */
const MAX_TYPED = 240;

/**
 * Line mode's widths on this screen: a row it prints (`row`) and the text typed after a
 * line's number (`typed`), so that `  1: ` and the line fit the row.
 */
function lineModeWidths(s: Session): { row: number; typed: number } {
  const row = Math.max(20, s.terminal.cols - 1);
  return { row, typed: Math.max(10, Math.min(MAX_TYPED, row - 6)) };
}

export function prefersLineMode(s: Session): boolean {
  const t = s.terminal;
  return isPlainTerminal(t.type) || UNNAMED_TERMINALS.has(t.type) || t.rows < 6 || t.cols < 20;
}

export async function editText(s: Session, options: EditTextOptions): Promise<string | null> {
  // An rlogin caller's window is measured again first, as when a view opens (rlogin has no
  // live resize): the text and a reply's quote are wrapped to the size the editor opens at.
  await remeasured(s.conn);
  const { replyTo, ...given } = options;
  const lines = options.lineMode === true || prefersLineMode(s);
  const opts: EditTextOptions = replyTo ? { ...replyQuote(s, replyTo, lines), ...given } : given;
  const held: Notice[] = [];
  const shown: { show?: (n: Notice) => void } = {};
  // The editor shows notices itself (after it closes), so nothing prints into its screen
  // and Ctrl-Y stays the editor's delete-line key. A broadcast or the sysop's message
  // (a shutdown warning, "please save now") cannot wait that long: the full-screen
  // editor also shows it on its status row at once.
  const unregister = s.social.onNotice((n) => {
    if (held.length >= MAX_HELD_NOTICES) held.shift();
    held.push(n);
    if (!isPersonal(n.kind)) shown.show?.(n);
  });
  // Who's online says so (it said "reading messages" or "reading mail" meanwhile).
  const previousActivity = s.activity;
  s.setActivity('writing a message');
  try {
    return lines ? await lineMode(s, opts) : await fullScreen(s, opts, shown);
  } finally {
    if (!s.closed) s.setActivity(previousActivity);
    unregister();
    for (const n of held) s.write(`${noticeLine(n, s.terminal.cols)}\r\n`);
  }
}

async function fullScreen(s: Session, opts: EditTextOptions, notices: { show?: (n: Notice) => void }): Promise<string | null> {
  const size = (): { cols: number; rows: number } => ({ cols: s.terminal.cols, rows: s.terminal.rows });
  const { cols, rows } = size();
  const editor = new MessageEditor({
    width: cols,
    height: EditorScreen.textRows(rows),
    maxBytes: opts.maxBytes ?? EDITOR_DEFAULTS.maxBytes,
    maxLines: opts.maxLines ?? EDITOR_DEFAULTS.maxLines,
    ...(opts.quote ? { quote: opts.quote } : {}),
    ...(opts.initial ? { initial: opts.initial } : {}),
  });
  const screen = new EditorScreen(editor, { title: opts.title });
  /** Set while a resize waits for its redraw. */
  let timer: NodeJS.Timeout | undefined;
  let lent = false;
  const redrawAll = (): void => {
    clearTimeout(timer);
    timer = undefined;
    const now = size();
    editor.resize(now.cols, EditorScreen.textRows(now.rows));
    screen.invalidate();
    if (!s.closed && !lent) s.write(screen.draw(now.cols, now.rows));
  };
  /**
   * The screen brought up to the editor's state. Not while a resize waits: the text is still
   * wrapped to the old width, and drawing it at the new size cut its lines at the edge, then
   * the resize's own redraw painted the whole screen a second time. That redraw shows what
   * the keys typed meanwhile did.
   */
  const draw = (bell = false): void => {
    if (s.closed || lent) return;
    const now = size();
    const out = (timer === undefined ? screen.draw(now.cols, now.rows) : '') + (bell ? '\x07' : '');
    if (out !== '') s.write(out);
  };
  // Each size of a storm moves the timer on: the re-wrap and redraw come once, after it
  // (a caller sending sizes without a pause costs nothing until they stop).
  const stopResize = s.onResize(() => {
    clearTimeout(timer);
    timer = setTimeout(redrawAll, RESIZE_COALESCE_MS);
  });
  // Lent to the sysop's break-in chat (which has the keys meanwhile): drawn whole after.
  const disown = s.social.ownScreen({
    suspend: () => (lent = true),
    resume: () => {
      lent = false;
      redrawAll();
    },
    whole: () => screen.whole(),
  });
  let noticeKeys = 0;
  notices.show = (n) => {
    // Ctrl-C stopped a paste still being typed in: what it typed on the line goes with it.
    if (n.kind === 'system' && n.from === PASTE_STOPPED) editor.dropPaste();
    screen.setNotice(noticeText(n));
    noticeKeys = NOTICE_KEYS;
    draw();
  };
  try {
    // Opened while the sysop's break-in chat has the screen (it began while this was being
    // prepared): drawn when the chat gives the screen back, not over the chat.
    if (!lent) s.write(screen.draw(cols, rows));
    for (;;) {
      const key: Key = await s.readKeyEvent();
      if (noticeKeys > 0 && --noticeKeys === 0) screen.setNotice(undefined);
      const out = editor.feed(key);
      if (out.kind === 'save') return out.text;
      if (out.kind === 'abort') return null;
      draw(out.bell === true);
    }
  } finally {
    delete notices.show;
    clearTimeout(timer);
    stopResize();
    disown();
    if (!s.closed) s.write('\x1b[0m\x1b[2J\x1b[H');
  }
}

async function lineMode(s: Session, opts: EditTextOptions): Promise<string | null> {
  const ed = new LineModeEditor({
    maxBytes: opts.maxBytes ?? EDITOR_DEFAULTS.maxBytes,
    maxLines: opts.maxLines ?? EDITOR_DEFAULTS.maxLines,
    ...(opts.quote ? { quote: opts.quote } : {}),
    ...(opts.initial ? { initial: opts.initial } : {}),
  });
  const { row: width, typed } = lineModeWidths(s);
  // The rows the editor has put on the caller's screen (the heading, what it said, the
  // lines typed), a screenful at most: a sysop's spy that starts at a line gets them over
  // its prompt, for the spy alone.
  const rows: string[] = [];
  const shown = (text: string): void => {
    rows.push(text);
    if (rows.length > s.terminal.rows) rows.shift();
  };
  const say = (text: string): void => {
    const row = fitWidth(text, width);
    s.write(`${row}\r\n`);
    shown(row);
  };
  const above: DrawAbove = (below) => {
    s.clear();
    for (const row of rows.slice(-Math.max(1, s.terminal.rows - below))) s.write(`${row}\r\n`);
  };
  const numbered = (n: number): string => `${String(n).padStart(3)}: `;
  /** Lines of the message from number `first` on, as the caller's own are: numbered. */
  const list = (lines: readonly string[], first = 1): void => lines.forEach((l, i) => say(`${numbered(first + i)}${l}`));
  say(opts.title);
  // Wrapped by words to the screen, never cut (it was cut at 79 columns).
  for (const row of wrapLine('Line mode: /s save, /a abort, /q quote, /l list, /d delete, /e edit, /? help (each alone on a line).', width)) say(row);
  // The text it starts with (a reply's quote) is the caller's to see, delete or edit, and
  // the first line they type is numbered after it, as it is saved.
  list(ed.written);
  for (;;) {
    const prompt = numbered(ed.written.length + 1);
    // Escape must not throw away a line of the message: it is only a key here.
    // Typing past the edge goes on to the next line with the word being typed, as on
    // every BBS line editor (the line used to be cut there and the rest lost).
    const line = await readLineUnder(s, above, prompt, { maxLength: typed, cancelable: false, wrap: true });
    shown(`${prompt}${line}`);
    const out = ed.feedLine(line);
    switch (out.kind) {
      case 'save':
        return out.text;
      case 'abort': {
        const ask = (): void => s.write('Abort message? (y/N) ');
        const yes =
          (
            await drawAndReadKey(s, ask, () => {
              above(1);
              ask();
            })
          ).toLowerCase() === 'y';
        s.write('\r\n');
        shown('Abort message? (y/N)');
        if (yes) return null;
        break;
      }
      case 'list':
        list(out.lines);
        break;
      case 'quoted':
        list(out.lines, ed.written.length - out.lines.length + 1);
        if (out.lines.length === 0) say(ed.quote.length === 0 ? 'Nothing to quote.' : 'No such lines.');
        break;
      case 'deleted':
        // The lines after them moved up: listed again, so the numbers in view are the new ones.
        say(out.numbers.length === 1 ? `Deleted line ${out.numbers[0]!}.` : `Deleted ${out.numbers.length} lines.`);
        list(out.lines);
        break;
      case 'edit': {
        // A line longer than a prompt takes (a script's text) would come back cut.
        if ([...out.text].length > MAX_TYPED) {
          say(`Line ${out.line} is too long to edit here: /d ${out.line} deletes it.`);
          break;
        }
        // The line as it is, to change in place (Backspace, the arrows); Enter keeps it.
        const editPrompt = numbered(out.line);
        const text = await readLineUnder(s, above, editPrompt, { maxLength: Math.max(typed, [...out.text].length), cancelable: false, default: out.text });
        shown(`${editPrompt}${text}`);
        const refused = ed.replace(out.line, text);
        if (refused) say(refused);
        break;
      }
      case 'help':
        for (const l of LINE_MODE_HELP) say(`  ${l}`);
        break;
      case 'continue':
        if (out.refused) say(out.refused);
        break;
    }
  }
}
