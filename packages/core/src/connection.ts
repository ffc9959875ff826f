import { EventEmitter } from 'node:events';
import { encodeText, type Encoding } from './encoding.js';
import { clampSize } from './limits.js';

export type Protocol = 'telnet' | 'ssh' | 'rlogin' | 'websocket';
/** Where the screen size came from; a probe only runs when it is still 'default'. */
export type SizeSource = 'naws' | 'pty' | 'rlogin' | 'probe' | 'default';
/** Where the encoding came from, strongest first ('user': the caller's own choice, kept for their calls); a probe runs for 'default'. */
export type EncodingSource = 'user' | 'charset' | 'lang' | 'ttype' | 'probe' | 'config' | 'default';

export interface TerminalInfo {
  protocol: Protocol;
  /** lowercased, e.g. 'xterm-256color', 'ansi', 'syncterm'; 'unknown' when never told */
  type: string;
  /** every TTYPE answer (or the one TERM), in order */
  types: readonly string[];
  /** always sane (clamped), updated on resize */
  cols: number;
  rows: number;
  encoding: Encoding;
  /** untrusted, for display and hints only: never for identity */
  env: Readonly<Record<string, string>>;
  sizeSource: SizeSource;
  encodingSource: EncodingSource;
}

/**
 * Terminal types that say the caller's terminal has no cursor addressing or colour (a
 * teletype, `TERM=dumb`): the board sends them plain text, and full-screen views are not
 * offered. A type the board does not know is not taken for one: most such clients do ANSI.
 */
const PLAIN_TERMINALS = new Set(['dumb', 'glass', 'printer', 'tty']);

export function isPlainTerminal(type: string): boolean {
  return PLAIN_TERMINALS.has(type.toLowerCase());
}

export interface Identity {
  user: string;
  via: 'ssh-password' | 'ssh-publickey' | 'ssh-keyboard-interactive' | 'rlogin-trusted';
}

export interface Connection {
  readonly id: string;
  readonly remoteAddress: string;
  readonly terminal: Readonly<TerminalInfo>;
  readonly identity?: Identity | undefined;
  /** A name the front end learned but did not verify (rlogin user): pre-fills `login:`. */
  readonly loginHint?: string | undefined;
  /**
   * A password the protocol carried with the hint (rlogin SyncTERM field order from a
   * host the sysop listed). Tried once for `loginHint`; never logged.
   */
  readonly loginPassword?: string | undefined;
  /** For ssh: the caller asked to be the new-user application (login name `new`). */
  readonly wantsNewUser?: boolean;
  readonly connectedAt: number;
  readonly closed: boolean;
  /** True once the board logged a caller in on this connection. */
  readonly authenticated: boolean;
  /**
   * The engine calls this when a caller logs in. From then on the socket no longer counts
   * as a start-up (MaxStartups) and closing it is not a "never authenticated" penalty.
   */
  markAuthenticated(): void;
  on(event: 'data', fn: (bytes: Buffer) => void): this;
  on(event: 'resize', fn: (cols: number, rows: number) => void): this;
  on(event: 'close', fn: (reason: string) => void): this;
  on(event: 'drain', fn: () => void): this;
  on(event: 'authenticated', fn: () => void): this;
  off(event: 'data' | 'resize' | 'close' | 'drain' | 'authenticated', fn: (...args: any[]) => void): this;
  once(event: 'close', fn: (reason: string) => void): this;
  /** Encoded for this terminal; protocol escaping (telnet IAC doubling) applied. False = buffer is full. */
  write(text: string): boolean;
  /** Bytes already in the client's encoding (CP437 art for a CP437 caller). */
  writeBytes(bytes: Buffer): boolean;
  /** The terminal's encoding was learned after the front end (probe): switch output. */
  setEncoding(encoding: Encoding, source: EncodingSource): void;
  /** The size was learned after the front end (probe). */
  setSize(cols: number, rows: number, source: SizeSource): void;
  close(reason?: string): void;
  /**
   * A file transfer starts (on) or ends (off): input becomes 8-bit transparent (telnet
   * stops folding CR LF / CR NUL into Enter; rlogin stops stripping in-band window-size
   * reports, whose marker can occur in binary data). Front ends whose input is already
   * clean (ssh) leave it out.
   */
  setTransferMode?(on: boolean): void;
  /** A read-only copy of the output (BaseConnection has it); returns the untap. */
  tapOutput?(fn: (bytes: Buffer) => void): () => void;
  /**
   * Stop (true) or start again (false) reading the caller's input: the session's keys wait
   * behind its key rate, so the rest of a paste waits in the caller's TCP (or SSH channel)
   * window rather than in the board's memory. BaseConnection has it (reading on for
   * INPUT_SCAN_AHEAD, for a Ctrl-C behind the paste); idempotent.
   */
  pauseInput?(paused: boolean): void;
}

let nextId = 1;
export function newConnectionId(protocol: Protocol): string {
  return `${protocol}-${process.pid.toString(36)}-${(nextId++).toString(36)}`;
}

/** Bytes a client may get ahead of the engine before anyone is listening. */
const MAX_PENDING_INPUT = 64 * 1024;

/**
 * After the session asks for no more input (pauseInput: a paste waits behind its key rate),
 * the transport is still read until this many bytes are held, each read looked through for
 * Ctrl-C: the caller stopping the paste (the engine's CANCEL_PASTE). A Ctrl-C is then seen at
 * once behind up to this much more of the paste, instead of once the board has typed the
 * paste down to its pause point (at 100 keys a second, minutes). The rest of a longer paste
 * waits in the caller's TCP (or SSH channel) window, as before. What is held goes to the
 * session as it reads again, one transport read at a time, so its own backlog's bound holds.
 */
export const INPUT_SCAN_AHEAD = 64 * 1024;
/** Ctrl-C, the byte that stops a paste: looked for in held input here, acted on by the engine's KeyInput. */
export const INPUT_INTERRUPT = 0x03;
/** Small reads held are joined up to this size: a drip of one-byte reads holds a few buffers, not 65,536. */
const HELD_JOIN = 4096;

/**
 * The shared half of every front end's Connection: event plumbing, encoding on the
 * way out, a bounded buffer for input that arrives before the session listens,
 * an output cap for callers that stop reading, and a close that happens once.
 * Front ends supply `sendRaw` (after their own escaping) and `endTransport`.
 */
export abstract class BaseConnection extends EventEmitter implements Connection {
  readonly id: string;
  readonly remoteAddress: string;
  readonly connectedAt = Date.now();
  identity?: Identity | undefined;
  loginHint?: string | undefined;
  wantsNewUser = false;
  protected readonly info: TerminalInfo;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private isClosed = false;
  private isAuthenticated = false;
  private taps: Set<(bytes: Buffer) => void> | undefined;
  private inputPaused = false;
  /** input read while paused (INPUT_SCAN_AHEAD), in order */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** the front end was told to stop reading (pauseTransport) */
  private transportPaused = false;
  lastInputAt = Date.now();

  constructor(opts: { protocol: Protocol; remoteAddress: string; terminal?: Partial<TerminalInfo>; id?: string }) {
    super();
    this.id = opts.id ?? newConnectionId(opts.protocol);
    this.remoteAddress = opts.remoteAddress;
    this.info = {
      protocol: opts.protocol,
      type: 'unknown',
      types: [],
      cols: 80,
      rows: 25,
      encoding: 'cp437',
      env: {},
      sizeSource: 'default',
      encodingSource: 'default',
      ...opts.terminal,
    };
    this.on('newListener', (event: string) => {
      if (event === 'data' && this.pending.length > 0) queueMicrotask(() => this.flushPending());
    });
  }

  get terminal(): Readonly<TerminalInfo> {
    return this.info;
  }
  get closed(): boolean {
    return this.isClosed;
  }
  get authenticated(): boolean {
    return this.isAuthenticated;
  }

  markAuthenticated(): void {
    if (this.isAuthenticated || this.isClosed) return;
    this.isAuthenticated = true;
    this.emit('authenticated');
  }

  /** Front ends stop or start reading their transport (socket, channel); the default reads on. */
  protected pauseTransport(_paused: boolean): void {}

  pauseInput(paused: boolean): void {
    if (paused === this.inputPaused || this.isClosed) return;
    this.inputPaused = paused;
    // Reading again: what was held goes first, one read at a time, until the session pauses again.
    while (!this.inputPaused && !this.isClosed && this.held.length > 0) {
      const bytes = this.held.shift()!;
      this.heldBytes -= bytes.length;
      this.deliverInput(bytes);
    }
    this.steerTransport();
  }

  /** The transport reads unless input is paused and INPUT_SCAN_AHEAD bytes are held. */
  private steerTransport(): void {
    const stop = this.inputPaused && !this.isClosed && this.heldBytes >= INPUT_SCAN_AHEAD;
    if (stop === this.transportPaused) return;
    this.transportPaused = stop;
    this.pauseTransport(stop);
  }

  /** Bytes the transport must send as they are (front ends apply protocol escaping here). */
  protected abstract sendRaw(bytes: Buffer): boolean;
  /** Tear the transport down; called once. */
  protected abstract endTransport(reason: string): void;

  write(text: string): boolean {
    if (this.isClosed || text.length === 0) return !this.isClosed;
    const bytes = encodeText(text, this.info.encoding);
    if (this.taps !== undefined) this.tapped(bytes);
    return this.sendRaw(bytes);
  }

  writeBytes(bytes: Buffer): boolean {
    if (this.isClosed || bytes.length === 0) return !this.isClosed;
    if (this.taps !== undefined) this.tapped(bytes);
    return this.sendRaw(bytes);
  }

  /**
   * A read-only copy of everything written to this caller, in the terminal's encoding and
   * before protocol escaping (the sysop's spy). Costs one check per write while nobody
   * taps. Returns the untap; a tap that throws is dropped.
   */
  tapOutput(fn: (bytes: Buffer) => void): () => void {
    (this.taps ??= new Set()).add(fn);
    return () => {
      this.taps?.delete(fn);
      if (this.taps?.size === 0) this.taps = undefined;
    };
  }

  private tapped(bytes: Buffer): void {
    for (const fn of [...this.taps!]) {
      try {
        fn(bytes);
      } catch {
        this.taps?.delete(fn);
      }
    }
    if (this.taps?.size === 0) this.taps = undefined;
  }

  setEncoding(encoding: Encoding, source: EncodingSource): void {
    this.info.encoding = encoding;
    this.info.encodingSource = source;
  }

  setSize(cols: number, rows: number, source: SizeSource): void {
    const s = clampSize(cols, rows);
    if (!s.sane && source !== 'default') return;
    const changed = s.cols !== this.info.cols || s.rows !== this.info.rows;
    this.info.cols = s.cols;
    this.info.rows = s.rows;
    this.info.sizeSource = source;
    if (changed) this.emit('resize', s.cols, s.rows);
  }

  /** Front ends call this with clean input bytes (protocol bytes removed). */
  protected pushInput(bytes: Buffer): void {
    if (this.isClosed || bytes.length === 0) return;
    this.lastInputAt = Date.now();
    if (!this.inputPaused) {
      this.deliverInput(bytes);
      return;
    }
    const last = this.held.at(-1);
    if (last !== undefined && last.length + bytes.length <= HELD_JOIN) this.held[this.held.length - 1] = Buffer.concat([last, bytes]);
    else this.held.push(bytes);
    this.heldBytes += bytes.length;
    if (bytes.includes(INPUT_INTERRUPT)) {
      // The caller stops the paste: the session gets it now, with what was held before it
      // (which the stop drops); it reads again when its backlog has gone.
      const all = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held);
      this.held = [];
      this.heldBytes = 0;
      this.deliverInput(all);
    }
    this.steerTransport();
  }

  private deliverInput(bytes: Buffer): void {
    if (this.listenerCount('data') > 0 && this.pending.length === 0) {
      this.emit('data', bytes);
      return;
    }
    this.pendingBytes += bytes.length;
    if (this.pendingBytes > MAX_PENDING_INPUT) {
      this.close('input flood before session start');
      return;
    }
    this.pending.push(bytes);
  }

  private flushPending(): void {
    if (this.listenerCount('data') === 0) return;
    const chunks = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const c of chunks) this.emit('data', c);
  }

  close(reason = 'closed'): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.pending = [];
    this.held = [];
    this.heldBytes = 0;
    try {
      this.endTransport(reason);
    } finally {
      this.emit('close', reason);
    }
  }

  /** Front ends call this when the peer went away on its own. */
  protected transportClosed(reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.pending = [];
    this.held = [];
    this.heldBytes = 0;
    this.emit('close', reason);
  }
}
