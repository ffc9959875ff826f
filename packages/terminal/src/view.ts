import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Widgets } from 'blessed';
import type { Connection, TerminalInfo } from '@carrier/core';
import { asciiStandIns, wantsAsciiOnly } from './ascii.js';
import { InputTextDecoder } from './input.js';
import { KeyDecoder } from './keys.js';

/**
 * A blessed screen bound to one caller, for full-screen views (chat, lists, editors).
 * blessed is written for the local tty; over a network stream it needs the care
 * PROTOCOL-NOTES ("blessed over a network stream") lists, all of which is here:
 *
 * - Size: the output stream carries `columns`/`rows` before the screen exists; a
 *   connection 'resize' updates them and emits 'resize' on the stream.
 * - Terminal: the caller's type is mapped to one of three names (xterm-256color,
 *   xterm, ansi) so blessed never reads a terminfo entry chosen by the caller.
 *   Lines and corners are never drawn with the DEC line-drawing set (`tput.brokenACS`):
 *   some UTF-8 terminals (and tmux's capture) show its `lqk` as letters. blessed then
 *   writes Unicode box drawing, which reaches UTF-8 callers as it is, CP437 callers
 *   (type 'ansi') as CP437's box characters (output encoded here), and a plain
 *   terminal whose character set nobody named (wantsAsciiOnly) as ASCII stand-ins.
 * - Input: blessed decodes bytes as UTF-8 and splits escape sequences that span two
 *   reads. It is fed text already decoded from the caller's encoding, one whole key
 *   sequence at a time (KeyDecoder), a bare ESC after ESCAPE_TIMEOUT_MS. Mouse reports
 *   and cursor position replies are not forwarded. Keys wait for the view's first draw
 *   (then its widgets are ready), behind the keys typed before it opened (typeAhead),
 *   and while the screen is lent out (suspend) for the draw that gives it back.
 * - Host terminal: blessed sniffs TMUX, TERM_PROGRAM, COLORTERM… from the server's own
 *   environment (inside tmux it would wrap every byte for tmux and run `tmux -V`).
 *   Those variables are hidden while the screen is built: they describe the sysop's
 *   terminal, not the caller's.
 * - Process handlers: blessed installs uncaughtException/SIGINT/SIGTERM/SIGQUIT/exit
 *   handlers that exit the process when they are the only ones left. A graceful stop
 *   closes every view, which makes blessed drop its handlers in the middle of the
 *   signal's dispatch, and its SIGTERM handler then saw itself alone and called
 *   process.exit(0) before the stop had ended a single call (issue 18 item 2). Every
 *   process listener blessed adds while a screen is built is removed again at once:
 *   the process's own handlers (carrier's, or Node's defaults) are the only ones.
 * - Cost (issue 11 items 1-2): a screen costs ~0.2 KB of heap per cell and a full
 *   redraw milliseconds per thousand cells, so a view is never larger than
 *   VIEW_LIMITS' maxCols x maxRows and maxCells (the caller's terminal may be larger:
 *   the view uses its top-left corner). Resizes are coalesced: the newest size is
 *   applied at most once per resizeDelayMs, and a size that caps to the current one
 *   costs nothing. render() calls in one turn of the event loop draw once, and
 *   blessed's smartCSR draws only the cells that changed. The time spent drawing and
 *   resizing is charged to the connection's CPU budget (a token bucket of
 *   cpuMsPerSecond, up to cpuBurstMs): over it, drawing waits until the bucket has
 *   refilled, so one caller can never starve the others.
 * - Backpressure: blessed never looks at write()'s return. While the connection reports
 *   a full buffer, renders are held; the latest one runs on 'drain' (or after
 *   HELD_RENDER_RETRY_MS, for front ends that never say).
 * - close() (also on hang-up) restores the caller's screen, destroys the screen and
 *   removes every listener this view added.
 *
 * Widgets must be created with `parent: view.screen`: one created without a parent
 * attaches to the most recently created screen, which may be another caller's.
 */

export interface ViewOptions {
  /** window title, for terminals that show one */
  title?: string;
  /** how long a lone ESC waits for the rest of a sequence; default ESCAPE_TIMEOUT_MS */
  escapeTimeoutMs?: number;
  /**
   * Keys that reached the view but were not for it, handed back once it has closed, one
   * key's characters each, in the order typed: typed after the key that closed it (`q`
   * then `o` in one read; a lone ESC waiting for the rest of a sequence is the Escape key),
   * or held for a first draw that never came. For whoever reads the keyboard next; without
   * this they are dropped.
   */
  onLeftover?: (raws: readonly string[]) => void;
}

type Blessed = typeof import('blessed');

export interface View {
  /** the blessed module, so callers create widgets without importing it themselves */
  readonly blessed: Blessed;
  readonly screen: Widgets.Screen;
  readonly closed: boolean;
  /**
   * Keys typed before the view opened (decoded elsewhere, one key's characters each), handed
   * to the screen as if just typed: whole keys, so a decided Escape is one at once.
   */
  typeAhead(raws: readonly string[]): void;
  /**
   * Someone else has the screen for a while (the sysop's break-in chat): nothing is drawn
   * until resume(), which draws the whole view again over whatever is there.
   */
  suspend(): void;
  resume(): void;
  /**
   * The screen as the caller's terminal has it (a sysop's spy starts), drawn from a blank
   * one, without a byte to the caller; undefined once closed or while lent out.
   */
  whole(): string | undefined;
  close(): void;
}

/** What bounds a full-screen view's cost; the board's `limits.view` config sets them (configureViews). */
export interface ViewLimits {
  /** widest and tallest a view is drawn, whatever the caller's terminal says */
  maxCols: number;
  maxRows: number;
  /** most cells (cols x rows) a view has: rows are cut to fit after cols */
  maxCells: number;
  /** a resize is applied at most this often; the newest size wins */
  resizeDelayMs: number;
  /** CPU a connection's views may spend drawing, in ms per second, and at once */
  cpuMsPerSecond: number;
  cpuBurstMs: number;
}

/**
 * Defaults, the one source for config-schema too. 200x50 (10,000 cells) measures about
 * 2 MiB of heap per open view (80x25: 0.9 MiB; 255x255 would be 12 MiB, 500x300 26 MiB),
 * so 100 callers at the largest size cost ~250 MB rather than 2.6 GB. 100 ms of CPU a
 * second is a tenth of a core: ten callers at their limit still leave most of it.
 */
export const VIEW_LIMITS: Readonly<ViewLimits> = Object.freeze({
  maxCols: 200,
  maxRows: 100,
  maxCells: 10_000,
  resizeDelayMs: 75,
  cpuMsPerSecond: 100,
  cpuBurstMs: 250,
});

let limits: Readonly<ViewLimits> = VIEW_LIMITS;

/** Set the limits for views opened from now on (the board calls this at start). */
export function configureViews(over: Partial<ViewLimits>): void {
  limits = Object.freeze({ ...VIEW_LIMITS, ...over });
}

export function viewLimits(): Readonly<ViewLimits> {
  return limits;
}

/** The size a view is drawn at for a terminal of cols x rows. */
export function viewSize(cols: number, rows: number, l: Readonly<ViewLimits> = limits): { cols: number; rows: number } {
  const c = Math.max(1, Math.min(cols, l.maxCols));
  const r = Math.max(1, Math.min(rows, l.maxRows, Math.floor(l.maxCells / c)));
  return { cols: c, rows: r };
}

/**
 * A connection's budget for view work: a token bucket in milliseconds of CPU. Shared
 * by every view the connection opens (one after another, or a plain-ANSI screen such
 * as chat through chargeViewWork), so reopening a view does not refill it.
 */
export class CpuBudget {
  private tokens: number;
  private at = performance.now();
  constructor(private readonly l: () => Readonly<ViewLimits> = viewLimits) {
    this.tokens = l().cpuBurstMs;
  }
  private refill(): void {
    const now = performance.now();
    const { cpuMsPerSecond, cpuBurstMs } = this.l();
    this.tokens = Math.min(cpuBurstMs, this.tokens + ((now - this.at) * cpuMsPerSecond) / 1000);
    this.at = now;
  }
  /** 0 when work may run now, else the milliseconds until the bucket is out of debt. */
  waitMs(): number {
    this.refill();
    return this.tokens > 0 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / Math.max(1, this.l().cpuMsPerSecond));
  }
  charge(ms: number): void {
    this.refill();
    this.tokens -= ms;
  }
  /** Run `fn`, charging its time. */
  run<T>(fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.charge(performance.now() - t0);
    }
  }
}

const budgets = new WeakMap<object, CpuBudget>();
/** The CPU budget of one connection's view work. */
export function viewBudget(conn: object): CpuBudget {
  let b = budgets.get(conn);
  if (!b) budgets.set(conn, (b = new CpuBudget()));
  return b;
}

/**
 * Coalesce a stream of resizes: `apply` gets the newest size at most once per
 * `delayMs` (a trailing timer), and later still while `budget` is in debt; sizes equal
 * to the last one applied are dropped. For screens drawn without blessed (chat).
 */
export function coalesceResizes(
  apply: (cols: number, rows: number) => void,
  opts: { delayMs?: () => number; budget?: CpuBudget; initial?: { cols: number; rows: number } } = {},
): { push(cols: number, rows: number): void; cancel(): void } {
  let pending: { cols: number; rows: number } | undefined;
  let last = opts.initial ? { ...opts.initial } : undefined;
  let timer: NodeJS.Timeout | undefined;
  const delay = opts.delayMs ?? (() => limits.resizeDelayMs);
  const fire = (): void => {
    timer = undefined;
    const wait = opts.budget?.waitMs() ?? 0;
    if (wait > 0) {
      timer = setTimeout(fire, wait);
      return;
    }
    const size = pending;
    pending = undefined;
    if (!size || (last && last.cols === size.cols && last.rows === size.rows)) return;
    last = size;
    if (opts.budget) opts.budget.run(() => apply(size.cols, size.rows));
    else apply(size.cols, size.rows);
  };
  return {
    push(cols, rows) {
      pending = { cols, rows };
      timer ??= setTimeout(fire, delay());
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
      pending = undefined;
    },
  };
}

/**
 * A connection's resizes through coalesceResizes, charged to its view CPU budget: `apply`
 * gets the newest size, capped to the view limits (viewSize) unless `capped` is false,
 * and never the size the connection had when this began. Returns the stop. The one
 * wiring of 'resize' for everything drawn full-screen (views, chat, the lightbar).
 */
export function followResizes(
  conn: Pick<Connection, 'on' | 'off' | 'terminal'>,
  apply: (cols: number, rows: number) => void,
  opts: { capped?: boolean } = {},
): () => void {
  const size = (cols: number, rows: number): { cols: number; rows: number } => (opts.capped === false ? { cols, rows } : viewSize(cols, rows));
  const resizes = coalesceResizes(apply, { budget: viewBudget(conn), initial: size(conn.terminal.cols, conn.terminal.rows) });
  const onResize = (cols: number, rows: number): void => {
    const s = size(cols, rows);
    resizes.push(s.cols, s.rows);
  };
  conn.on('resize', onResize);
  return () => {
    resizes.cancel();
    conn.off('resize', onResize);
  };
}

/** Keys held for a view until its first draw: a fast typist's and a pasted line's worth. */
export const TYPE_AHEAD_LIMIT = 1024;
/** The longest keys wait for a view's first draw. */
export const TYPE_AHEAD_MAX_WAIT_MS = 1_000;

/** Long enough for a sequence split by the network, short enough not to feel slow. */
export const ESCAPE_TIMEOUT_MS = 75;
/**
 * A held render is retried after this long even without 'drain', so a front end that
 * never reports one still gets a screen, at most a few times a second.
 */
export const HELD_RENDER_RETRY_MS = 250;

/** Names blessed resolves from the system terminfo or its own copies. */
export type ViewTerminal = 'xterm-256color' | 'xterm' | 'ansi';

export function viewTerminalName(terminal: Readonly<TerminalInfo>): ViewTerminal {
  if (terminal.encoding === 'cp437') return 'ansi';
  const colorterm = terminal.env['COLORTERM'] ?? '';
  const many = [terminal.type, ...terminal.types].some((t) => /256|truecolor|direct/.test(t));
  return many || /truecolor|24bit/i.test(colorterm) ? 'xterm-256color' : 'xterm';
}

/** Variables in which blessed reads the server's own terminal. */
const HOST_TERMINAL_ENV = [
  'TMUX', 'TERM_PROGRAM', 'ITERM_SESSION_ID', 'COLORTERM', 'TERMINATOR_UUID', 'VTE_VERSION',
  'NCURSES_NO_UTF8_ACS', 'BLESSED_FORCE_MODES',
] as const;

/** The output side blessed writes to: sizes on it, bytes to the connection. */
class ViewOutput extends EventEmitter {
  readonly isTTY = true;
  writable = true;
  /** the screen is lent to someone else: blessed's writes are dropped (a resume redraws all) */
  suspended = false;
  columns: number;
  rows: number;
  congested = false;
  /** set while the screen is drawn for someone else (whole()): blessed's writes go there, not to the caller */
  capture: ((text: string) => void) | undefined;

  constructor(private readonly conn: Connection) {
    super();
    const size = viewSize(conn.terminal.cols, conn.terminal.rows);
    this.columns = size.cols;
    this.rows = size.rows;
  }

  write(text: string | Buffer): boolean {
    if (!this.writable || this.suspended || this.conn.closed) return true;
    const raw = typeof text === 'string' ? text : text.toString('utf8');
    const s = wantsAsciiOnly(this.conn.terminal) ? asciiStandIns(raw) : raw;
    if (this.capture) {
      this.capture(s);
      return true;
    }
    // The Connection's own encoding, never art's: a view shows other callers' text, and
    // art's glyph overlay turns ← into ESC and • into BEL on a CP437 terminal.
    const ok = this.conn.write(s);
    if (!ok) this.congested = true;
    return true;
  }
}

/**
 * blessed costs ~20 ms and ~3 MB to load and only full-screen views need it, so it is
 * loaded on the first openView rather than by everyone who imports this package.
 */
let blessedModule: Blessed | undefined;
function loadBlessed(): Blessed {
  blessedModule ??= createRequire(import.meta.url)('blessed') as Blessed;
  return blessedModule;
}

export function openView(conn: Connection, opts: ViewOptions = {}): View {
  const blessed = loadBlessed();
  const output = new ViewOutput(conn);
  const input = new EventEmitter();
  const cp437 = conn.terminal.encoding === 'cp437';
  let closed = false;

  const budget = viewBudget(conn);
  const screen = withoutBlessedProcessHandlers(() => withoutHostTerminalEnv(() =>
    blessed.screen({
      // @types/blessed has these two stream types the wrong way round.
      input: input as unknown as Widgets.IScreenOptions['input'],
      output: output as unknown as Widgets.IScreenOptions['output'],
      terminal: viewTerminalName(conn.terminal),
      forceUnicode: true,
      fullUnicode: !cp437,
      smartCSR: true,
      warnings: false,
      ...(opts.title !== undefined ? { title: opts.title } : {}),
    }),
  ));
  const program = screen.program as Widgets.Screen['program'] & { tmux: boolean; cursorHidden: boolean; put: { keypad_xmit(): void } };
  program.tmux = false;
  (screen.tput as unknown as { brokenACS: boolean }).brokenACS = true;

  // render(): many calls in one turn draw once (setImmediate); a draw waits while the
  // caller's buffer is full (the newest runs on drain) or while the CPU budget is in debt.
  const render = screen.render.bind(screen);
  let renderWaiting = false;
  let renderQueued: NodeJS.Immediate | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  const draw = (): void => {
    renderQueued = undefined;
    if (closed || !renderWaiting) return;
    if (output.congested) {
      retryTimer ??= setTimeout(renderHeld, HELD_RENDER_RETRY_MS);
      return;
    }
    const wait = budget.waitMs();
    if (wait > 0) {
      retryTimer ??= setTimeout(renderHeld, wait);
      return;
    }
    renderWaiting = false;
    budget.run(render);
  };
  const renderHeld = (): void => {
    clearTimeout(retryTimer);
    retryTimer = undefined;
    output.congested = false;
    draw();
  };
  screen.render = () => {
    renderWaiting = true;
    if (retryTimer === undefined) renderQueued ??= setImmediate(draw);
  };

  const text = new InputTextDecoder(conn.terminal.encoding);
  const keys = new KeyDecoder();
  const escapeMs = opts.escapeTimeoutMs ?? ESCAPE_TIMEOUT_MS;
  let escapeTimer: NodeJS.Timeout | undefined;

  // Keys wait for the view's first draw: until then its widgets may still be loading
  // (who's online fetches the list first), and a key typed ahead must act on what the
  // caller will see. Keys handed over by typeAhead() and keys from the connection keep
  // the order they were typed in.
  let drawn = false;
  let held: string[] = [];
  let heldLength = 0;
  // One key at a time: a key that closes the view leaves the keys after it unread by
  // blessed, and they go back to the session instead of being lost with the screen, with
  // the decoder's unfinished sequence last (decided: nothing else reaches this decoder).
  let delivering = false;
  const handBack = (raws: readonly string[]): void => {
    const all = [...raws, ...keys.flush().map((k) => k.raw)];
    let length = 0;
    const kept = all.filter((raw) => (length += raw.length) <= TYPE_AHEAD_LIMIT);
    if (kept.length > 0 && !conn.closed) opts.onLeftover?.(kept);
  };
  const deliver = (raws: readonly string[]): void => {
    delivering = true;
    let i = 0;
    for (; i < raws.length && !closed; i++) {
      // Also while lent out: a view opened under the sysop's break-in chat acts on the keys
      // typed before it once the caller can see it.
      if (!drawn || output.suspended) {
        if (heldLength >= TYPE_AHEAD_LIMIT) break;
        held.push(raws[i]!);
        heldLength += raws[i]!.length;
        continue;
      }
      input.emit('data', Buffer.from(raws[i]!, 'utf8'));
    }
    delivering = false;
    if (closed) handBack(raws.slice(i));
  };
  // Released after the draw returns, so a key handler that renders does not re-enter it.
  // A view that never draws (a script that only listens for keys) gets them after
  // TYPE_AHEAD_MAX_WAIT_MS all the same.
  const flushHeld = (): void => {
    const raws = held;
    held = [];
    heldLength = 0;
    deliver(raws);
  };
  const release = (): void => {
    if (drawn) return;
    drawn = true;
    clearTimeout(releaseTimer);
    flushHeld();
  };
  const releaseTimer = setTimeout(release, TYPE_AHEAD_MAX_WAIT_MS);
  releaseTimer.unref();
  screen.once('render', () => setImmediate(release));
  const feed = (found: ReturnType<KeyDecoder['push']>): void => {
    const raws: string[] = [];
    for (const k of found) if (k.name !== 'cpr') raws.push(k.raw);
    if (raws.length > 0) deliver(raws);
  };
  const onData = (bytes: Buffer): void => {
    // Lent out: the keys belong to whoever borrowed the screen (the break-in chat).
    if (output.suspended) return;
    if (text.encoding !== conn.terminal.encoding) text.setEncoding(conn.terminal.encoding);
    clearTimeout(escapeTimer);
    // With the clock: an arrow key whose ESC a slow link sent alone is still the arrow (keys.ts, LATE_SEQUENCE_MS).
    feed(keys.push(text.push(bytes), Date.now()));
    if (keys.pendingEscape) escapeTimer = setTimeout(() => feed(keys.flush(Date.now())), escapeMs);
  };
  // The newest size, capped, at most once per resizeDelayMs; blessed reallocates and redraws on 'resize'.
  const stopResizes = followResizes(conn, (cols, rows) => {
    output.columns = cols;
    output.rows = rows;
    output.emit('resize');
  });
  const onDrain = (): void => renderHeld();
  const onClose = (): void => close();

  const close = (): void => {
    if (closed) return;
    closed = true;
    // Keys still held for the first draw were never the view's.
    const unread = held;
    held = [];
    clearTimeout(releaseTimer);
    clearTimeout(escapeTimer);
    clearTimeout(retryTimer);
    if (renderQueued) clearImmediate(renderQueued);
    stopResizes();
    conn.off('data', onData);
    conn.off('drain', onDrain);
    conn.off('close', onClose);
    screen.destroy();
    output.writable = false;
    output.removeAllListeners();
    input.removeAllListeners();
    // Closed by a key it was given: deliver() hands back the keys after that one.
    if (!delivering) handBack(unread);
  };

  conn.on('data', onData);
  conn.on('drain', onDrain);
  conn.once('close', onClose);

  return {
    blessed,
    screen,
    get closed() {
      return closed;
    },
    typeAhead(raws: readonly string[]) {
      if (raws.length > 0) deliver(raws);
    },
    suspend() {
      output.suspended = true;
    },
    resume() {
      if (closed || !output.suspended) return;
      output.suspended = false;
      // What the screen set up on opening, again: the borrower showed the cursor, reset the
      // scroll region and the keypad, and a view that opened while suspended never sent any
      // of it. The keypad in application mode (smkx: ESC O A arrows) is what blessed set.
      program.alternateBuffer();
      program.put.keypad_xmit();
      program.csr(0, output.rows - 1);
      if (program.cursorHidden) program.hideCursor();
      else program.showCursor();
      // Every cell dirty: the next draw rewrites the whole screen, not only what changed.
      (screen as unknown as { realloc(): void }).realloc();
      screen.render();
      // Keys held meanwhile (typed before it opened) act on the screen drawn again.
      if (drawn && held.length > 0) screen.once('render', () => setImmediate(flushHeld));
    },
    whole() {
      if (closed || output.suspended) return undefined;
      // What blessed still holds for the caller goes to them now: the copy is of the screen after it.
      program.flush();
      const s = screen as unknown as BlessedBuffers;
      const { lines, olines } = s;
      const { x, y } = program;
      let text = '';
      output.capture = (t) => (text += t);
      // blessed's draw sends the cells that differ from what it sent before (olines, the
      // caller's terminal): drawing olines over a blank record sends all of them.
      s.lines = olines.map((row) => Object.assign(row.map((cell): [number, string] => [cell[0], cell[1]]), { dirty: true }));
      s.olines = olines.map((row) => row.map((): [number, string] => [s.dattr, ' ']));
      try {
        budget.run(() => {
          program.alternateBuffer();
          program.csr(0, output.rows - 1);
          program.clear();
          s.draw(0, s.lines.length - 1);
          program.cup(y, x);
          if (program.cursorHidden) program.hideCursor();
          else program.showCursor();
          program.flush();
        });
      } finally {
        output.capture = undefined;
        s.lines = lines;
        s.olines = olines;
        program.x = x;
        program.y = y;
      }
      return text;
    },
    close,
  };
}

/** The cell buffers of a blessed screen: what it drew last (lines) and what it sent (olines). */
interface BlessedBuffers {
  lines: ([number, string][] & { dirty?: boolean })[];
  olines: [number, string][][];
  dattr: number;
  draw(start: number, end: number): void;
}

function withoutHostTerminalEnv<T>(build: () => T): T {
  const saved: Record<string, string> = {};
  for (const key of HOST_TERMINAL_ENV) {
    const v = process.env[key];
    if (v !== undefined) {
      saved[key] = v;
      delete process.env[key];
    }
  }
  try {
    return build();
  } finally {
    Object.assign(process.env, saved);
  }
}

/** Process events blessed listens to (Screen.bind, Program.bind). */
const PROCESS_EVENTS = ['uncaughtException', 'SIGINT', 'SIGTERM', 'SIGQUIT', 'exit'] as const;

/** Build a screen, then remove every process listener that building it added (see the header). */
function withoutBlessedProcessHandlers<T>(build: () => T): T {
  const before = new Map(PROCESS_EVENTS.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
  try {
    return build();
  } finally {
    for (const e of PROCESS_EVENTS) {
      const had = before.get(e)!;
      for (const fn of process.listeners(e as 'exit')) if (!had.has(fn)) process.off(e, fn);
    }
  }
}
