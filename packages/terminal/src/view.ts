import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Widgets } from 'blessed';
import type { Connection, TerminalInfo } from '@carrier/core';
import { encodeCp437 } from './cp437.js';
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
 *   CP437 callers get 'ansi', Unicode box drawing instead of the DEC line-drawing
 *   set (`tput.brokenACS`), and output encoded to CP437 here.
 * - Input: blessed decodes bytes as UTF-8 and splits escape sequences that span two
 *   reads. It is fed text already decoded from the caller's encoding, one whole key
 *   sequence at a time (KeyDecoder), a bare ESC after ESCAPE_TIMEOUT_MS. Mouse reports
 *   and cursor position replies are not forwarded.
 * - Host terminal: blessed sniffs TMUX, TERM_PROGRAM, COLORTERM… from the server's own
 *   environment (inside tmux it would wrap every byte for tmux and run `tmux -V`).
 *   Those variables are hidden while the screen is built: they describe the sysop's
 *   terminal, not the caller's.
 * - Process handlers: blessed installs uncaughtException/SIGINT/SIGTERM/SIGQUIT
 *   handlers that exit the process when they are the only ones. carrier's server
 *   normally has its own; if a signal has no listener yet, a handler doing what Node
 *   would have done by default is installed first, so blessed's never act alone.
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
}

type Blessed = typeof import('blessed');

export interface View {
  /** the blessed module, so callers create widgets without importing it themselves */
  readonly blessed: Blessed;
  readonly screen: Widgets.Screen;
  readonly closed: boolean;
  close(): void;
}

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
  columns: number;
  rows: number;
  congested = false;

  constructor(private readonly conn: Connection) {
    super();
    this.columns = conn.terminal.cols;
    this.rows = conn.terminal.rows;
  }

  write(text: string | Buffer): boolean {
    if (!this.writable || this.conn.closed) return true;
    const s = typeof text === 'string' ? text : text.toString('utf8');
    const ok = this.conn.terminal.encoding === 'cp437' ? this.conn.writeBytes(encodeCp437(s)) : this.conn.write(s);
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
  guardProcess();
  const output = new ViewOutput(conn);
  const input = new EventEmitter();
  const cp437 = conn.terminal.encoding === 'cp437';
  let closed = false;

  const screen = withoutHostTerminalEnv(() =>
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
  );
  const program = screen.program as Widgets.Screen['program'] & { tmux: boolean };
  program.tmux = false;
  if (cp437) (screen.tput as unknown as { brokenACS: boolean }).brokenACS = true;

  // Renders wait while the caller's buffer is full; the newest one runs on drain.
  const render = screen.render.bind(screen);
  let renderWaiting = false;
  let retryTimer: NodeJS.Timeout | undefined;
  const renderHeld = (): void => {
    clearTimeout(retryTimer);
    retryTimer = undefined;
    output.congested = false;
    if (renderWaiting && !closed) {
      renderWaiting = false;
      render();
    }
  };
  screen.render = () => {
    if (output.congested) {
      renderWaiting = true;
      retryTimer ??= setTimeout(renderHeld, HELD_RENDER_RETRY_MS);
      return;
    }
    render();
  };

  const text = new InputTextDecoder(conn.terminal.encoding);
  const keys = new KeyDecoder();
  const escapeMs = opts.escapeTimeoutMs ?? ESCAPE_TIMEOUT_MS;
  let escapeTimer: NodeJS.Timeout | undefined;

  const feed = (found: ReturnType<KeyDecoder['push']>): void => {
    let raw = '';
    for (const k of found) if (k.name !== 'cpr') raw += k.raw;
    if (raw) input.emit('data', Buffer.from(raw, 'utf8'));
  };
  const onData = (bytes: Buffer): void => {
    if (text.encoding !== conn.terminal.encoding) text.setEncoding(conn.terminal.encoding);
    clearTimeout(escapeTimer);
    feed(keys.push(text.push(bytes)));
    if (keys.pendingEscape) escapeTimer = setTimeout(() => feed(keys.flush()), escapeMs);
  };
  const onResize = (cols: number, rows: number): void => {
    output.columns = cols;
    output.rows = rows;
    output.emit('resize');
  };
  const onDrain = (): void => renderHeld();
  const onClose = (): void => close();

  const close = (): void => {
    if (closed) return;
    closed = true;
    clearTimeout(escapeTimer);
    clearTimeout(retryTimer);
    conn.off('data', onData);
    conn.off('resize', onResize);
    conn.off('drain', onDrain);
    conn.off('close', onClose);
    screen.destroy();
    output.writable = false;
    output.removeAllListeners();
    input.removeAllListeners();
  };

  conn.on('data', onData);
  conn.on('resize', onResize);
  conn.on('drain', onDrain);
  conn.once('close', onClose);

  return {
    blessed,
    screen,
    get closed() {
      return closed;
    },
    close,
  };
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

/** Exit codes Node uses when these signals end a process without a handler. */
const FATAL_SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGQUIT: 3 } as const;
let processGuarded = false;

function guardProcess(): void {
  if (processGuarded) return;
  processGuarded = true;
  for (const [signal, n] of Object.entries(FATAL_SIGNALS)) {
    if (process.listenerCount(signal) === 0) process.on(signal, () => process.exit(128 + n));
  }
  if (process.listenerCount('uncaughtException') === 0) {
    process.on('uncaughtException', (err) => {
      process.stderr.write(`${err instanceof Error && err.stack ? err.stack : String(err)}\n`);
      process.exit(1);
    });
  }
}
