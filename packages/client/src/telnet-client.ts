import { EventEmitter } from 'node:events';
import net from 'node:net';
import {
  CarrierError,
  ConnectionClosedError,
  ErrorCodes,
  TimeoutError,
  encodeText,
  isCarrierError,
  type Encoding,
} from '@carrier/core';
import { Cmd, Opt, TelnetDecoder, escapeIac, type NegotiationCommand, type QChange, type Side } from '@carrier/telnet';
import { CprRequestScanner, cursorPositionReport } from './cpr-request.js';
import { enterMode, nvtEnter } from './caller/nvt-input.js';
import { ByteTrace, type DebugSink } from './debug-trace.js';
import { ClientNegotiator, type ClientStep } from './negotiator.js';
import { resolveOptions, type ConnectOptions, type ResolvedOptions } from './options.js';
import { ReadBuffer, toRegExp, type Pattern } from './read-buffer.js';
import { ScreenModel } from './screen.js';
import { StreamingTextDecoder } from './text-decoder.js';

export interface ReadOptions {
  /** ms; default the connection's `timeout` */
  timeout?: number;
}

export interface ExpectResult {
  /** which pattern matched (the earliest match in the text; on a tie, the first listed) */
  index: number;
  match: RegExpExecArray;
  /** the text before the match; it and the match are consumed */
  before: string;
}

export interface InteractOptions {
  /** keys; default process.stdin (put in raw mode while interacting when it is a TTY) */
  input?: NodeJS.ReadableStream & { isTTY?: boolean; isRaw?: boolean; setRawMode?(raw: boolean): unknown; resume?(): unknown };
  /** where the server's text goes; default process.stdout */
  output?: { write(text: string): unknown };
  /** the byte that ends interact(); default 0x1d (Ctrl-]) */
  escapeByte?: number;
}

/**
 * An SB from the server can be at most this long. The largest a server legitimately sends
 * is a CHARSET REQUEST list, a few hundred bytes; anything longer is dropped by the
 * decoder rather than buffered.
 */
const MAX_SUBNEGOTIATION = 16 * 1024;
/** After close(), a server that never acknowledges the FIN is cut off after this long. */
const CLOSE_GRACE_MS = 2000;

interface Waiter {
  take(): unknown;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * A telnet connection for scripts: it negotiates as a well-behaved client (RFC 1143, via
 * @carrier/telnet's codec and Q method), decodes the server's text in the session's
 * encoding, and offers telnetlib's reading calls with a TimeoutError that carries what
 * arrived. Create one with `connect()`.
 *
 * Events: 'data' (clean bytes, telnet removed), 'option' (an option turned on or off),
 * 'text' (decoded text was added to the read buffer), 'close' (reason).
 */
export class TelnetClient extends EventEmitter implements AsyncIterable<string> {
  readonly host: string;
  readonly port: number;
  readonly encoding: Encoding;
  readonly raw: boolean;
  /** the headless terminal the output is fed into, when `screen: true` */
  readonly screen: ScreenModel | undefined;
  private readonly opts: ResolvedOptions;
  private readonly socket: net.Socket;
  private readonly decoder: TelnetDecoder | undefined;
  private readonly negotiator: ClientNegotiator | undefined;
  private readonly text: StreamingTextDecoder;
  private readonly buffer: ReadBuffer;
  private readonly cpr: CprRequestScanner | undefined;
  private trace: ByteTrace | undefined;
  private debugSink: DebugSink | undefined;
  private readonly closedPromise: Promise<string>;
  private waiter: Waiter | undefined;
  private size: { cols: number; rows: number };
  private reason: string | undefined;
  private socketError: string | undefined;
  private closeRequested = false;

  /** @internal use `connect()` */
  constructor(opts: ResolvedOptions, socket: net.Socket) {
    super();
    this.opts = opts;
    this.host = opts.host;
    this.port = opts.port;
    this.encoding = opts.encoding;
    this.raw = opts.raw;
    this.socket = socket;
    this.size = { cols: opts.cols, rows: opts.rows };
    this.text = new StreamingTextDecoder(opts.encoding);
    this.buffer = new ReadBuffer(opts.maxBuffer);
    this.debugSink = opts.debug;
    this.trace = opts.debug ? new ByteTrace(opts.debug, opts.raw) : undefined;
    if (!opts.raw) {
      // The server's bytes as sent: CR NUL stays CR NUL. A bare 0xF2 is a telnetd's data
      // mark (its "synch" after an interrupt, the IAC sent as TCP urgent data) until the
      // server sends in BINARY; from then on it is data ('≥' in CP437 art). See apply().
      this.decoder = new TelnetDecoder({ normalizeEnter: false, dropBareDataMark: true, maxSubnegotiation: MAX_SUBNEGOTIATION });
      this.negotiator = new ClientNegotiator({
        terminalTypes: opts.terminalTypes,
        cols: opts.cols,
        rows: opts.rows,
        env: opts.env,
        encoding: opts.encoding,
        onOption: opts.onOption,
        onSubnegotiation: opts.onSubnegotiation,
      });
    }
    if (opts.screen) {
      this.screen = new ScreenModel(opts.cols, opts.rows);
      if (opts.answerCursorProbes && !opts.raw) this.screen.onReply((reply) => this.answer(Buffer.from(reply, 'latin1')));
    } else if (opts.answerCursorProbes && !opts.raw) {
      this.cpr = new CprRequestScanner();
    }
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.socketError ??= err.code ?? err.message;
    });
    this.closedPromise = new Promise((resolve) => {
      socket.once('close', () => {
        this.reason ??= this.closeRequested
          ? 'closed by client'
          : this.socketError
            ? `connection error (${this.socketError})`
            : 'remote hung up';
        this.buffer.append(this.text.end());
        // The screen stays readable after the hang-up: the goodbye screen is often what a test checks.
        this.failWaiter();
        this.emit('close', this.reason);
        resolve(this.reason);
      });
    });
  }

  get closed(): boolean {
    return this.reason !== undefined;
  }

  /** Why the connection ended ('remote hung up', 'closed by client', 'connection error (ECONNRESET)'); undefined while open. */
  get closeReason(): string | undefined {
    return this.reason;
  }

  /** Bytes received from and sent to the server, telnet protocol included. */
  get bytesIn(): number {
    return this.socket.bytesRead;
  }

  get bytesOut(): number {
    return this.socket.bytesWritten;
  }

  get cols(): number {
    return this.size.cols;
  }

  get rows(): number {
    return this.size.rows;
  }

  /** Text dropped unread because the buffer reached `maxBuffer`. */
  get droppedText(): number {
    return this.buffer.dropped;
  }

  /** Whether an option is on: 'us' the client performs it (TTYPE, NAWS), 'him' the server does (ECHO, SGA). */
  optionEnabled(side: Side, option: number): boolean {
    return this.negotiator?.enabled(side, option) ?? false;
  }

  /** Resolves with the close reason once the connection has ended, however it ended. */
  whenClosed(): Promise<string> {
    return this.closedPromise;
  }

  // ---- reading -------------------------------------------------------------------------

  /** The text up to and including the first match of `pattern`, consumed. */
  async readUntil(pattern: Pattern, opts: ReadOptions = {}): Promise<string> {
    const re = toRegExp(pattern);
    const m = await this.wait(() => this.buffer.takeMatch([re]), opts, `${String(pattern)}`);
    return m.through;
  }

  /** The first of several patterns to appear: which one, the match, and the text before it. */
  async expect(patterns: readonly Pattern[], opts: ReadOptions = {}): Promise<ExpectResult> {
    if (patterns.length === 0) throw new CarrierError(ErrorCodes.VALIDATION, 'expect needs at least one pattern');
    const res = patterns.map(toRegExp);
    const m = await this.wait(() => this.buffer.takeMatch(res), opts, `one of ${patterns.map(String).join(', ')}`);
    return { index: m.index, match: m.match, before: m.before };
  }

  /** Whatever has arrived and is unread, consumed; '' when nothing has. Never waits. */
  readAvailable(): string {
    return this.buffer.takeAll();
  }

  /** Everything until the server closes the connection (telnetlib's read_all). */
  async readAll(opts: ReadOptions = {}): Promise<string> {
    let out = '';
    try {
      await this.wait(() => {
        out += this.buffer.takeAll();
        return undefined;
      }, opts, 'the connection to close');
    } catch (err) {
      if (!isCarrierError(err, ErrorCodes.CONNECTION_CLOSED)) {
        if (err instanceof TimeoutError) throw new TimeoutError(err.message, out + err.received);
        throw err;
      }
    }
    return out + this.buffer.takeAll();
  }

  /** Incoming text, chunk by chunk as it arrives, until the connection closes. */
  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      let chunk: string;
      try {
        chunk = await this.wait(() => (this.buffer.length > 0 ? this.buffer.takeAll() : undefined), { timeout: Infinity }, 'text');
      } catch (err) {
        if (!isCarrierError(err, ErrorCodes.CONNECTION_CLOSED)) throw err;
        const rest = this.buffer.takeAll();
        if (rest) yield rest;
        return;
      }
      yield chunk;
    }
  }

  /**
   * Turn the byte trace on (true: stderr, or a sink) or off (false) on an open connection.
   * A trace started mid-call reads the wire from that byte on.
   */
  setDebug(debug: boolean | DebugSink): void {
    const sink: DebugSink | undefined = debug === true ? (line) => process.stderr.write(`${line}\n`) : debug === false ? undefined : debug;
    this.debugSink = sink;
    this.trace = sink ? new ByteTrace(sink, this.raw) : undefined;
  }

  /**
   * telnetlib's interact(): hand the connection to a terminal until the escape byte is typed
   * (default Ctrl-], as every telnet) or the server hangs up. The server's text is shown
   * decoded in the session's encoding as UTF-8; keys go as typed, Enter in the form the
   * server's modes ask for (CR LF to a line service, CR NUL to an echoing one). A TTY input
   * is put in raw mode and put back. Text arriving meanwhile is not left for readUntil.
   * Resolves with why it ended: 'escape' or 'closed'.
   */
  async interact(opts: InteractOptions = {}): Promise<'escape' | 'closed'> {
    const input = opts.input ?? process.stdin;
    const output = opts.output ?? process.stdout;
    const escape = opts.escapeByte ?? 0x1d;
    if (this.closed) return 'closed';
    const tty = input.isTTY === true && typeof input.setRawMode === 'function';
    const wasRaw = tty ? input.isRaw === true : false;
    if (tty) input.setRawMode!(true);
    const pending = this.buffer.takeAll();
    if (pending) output.write(pending);
    return new Promise((resolve) => {
      const onText = () => {
        const text = this.buffer.takeAll();
        if (text) output.write(text);
      };
      const onKeys = (chunk: Buffer | string) => {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        const at = bytes.indexOf(escape);
        const keys = at < 0 ? bytes : bytes.subarray(0, at);
        if (keys.length > 0 && !this.closed) {
          const mode = enterMode({ binary: this.optionEnabled('us', Opt.BINARY), serverEchoes: this.optionEnabled('him', Opt.ECHO) });
          this.write(nvtEnter(keys, mode));
        }
        if (at >= 0) finish('escape');
      };
      const onClose = () => finish('closed');
      const finish = (why: 'escape' | 'closed') => {
        this.off('text', onText);
        this.off('close', onClose);
        input.off('data', onKeys);
        if (tty) input.setRawMode!(wasRaw);
        onText();
        resolve(why);
      };
      this.on('text', onText);
      this.once('close', onClose);
      input.on('data', onKeys);
      input.resume?.();
    });
  }

  // ---- writing -------------------------------------------------------------------------

  /**
   * Text in the session's encoding, or bytes as they are; IAC doubled (RFC 854) unless
   * raw. No line-ending translation: what is passed is what the server reads.
   * Throws ConnectionClosedError after the connection has ended.
   */
  write(data: string | Buffer): boolean {
    const bytes = typeof data === 'string' ? encodeText(data, this.encoding) : data;
    return this.sendData(this.raw ? bytes : escapeIac(bytes));
  }

  /** `text` and CR LF, the NVT end of line. */
  writeLine(text = ''): boolean {
    return this.write(`${text}\r\n`);
  }

  /** Bytes exactly as given, with no IAC doubling: for deliberately sending telnet commands or test garbage. */
  writeRaw(bytes: Buffer): boolean {
    return this.sendData(bytes);
  }

  /** The window changed: NAWS tells the server (when it agreed to NAWS), and later cursor probes get the new size. */
  resize(cols: number, rows: number): void {
    for (const [name, v] of [['cols', cols], ['rows', rows]] as const) {
      if (!Number.isInteger(v) || v < 1 || v > 65535) throw new CarrierError(ErrorCodes.VALIDATION, `${name} must be an integer 1-65535 (got ${v})`);
    }
    this.size = { cols, rows };
    this.screen?.resize(cols, rows);
    const naws = this.negotiator?.resize(cols, rows);
    if (naws && !this.closed) this.sendProtocol(naws);
  }

  /** Hang up. Resolves once the socket has closed. */
  close(): Promise<string> {
    if (!this.closed && !this.closeRequested) {
      this.closeRequested = true;
      this.socket.end();
      setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
    }
    return this.closedPromise;
  }

  // ---- internals -----------------------------------------------------------------------

  private wait<T>(take: () => T | undefined, opts: ReadOptions, what: string): Promise<T> {
    if (this.waiter) {
      return Promise.reject(new CarrierError(ErrorCodes.VALIDATION, 'another read is already waiting on this connection'));
    }
    const now = take();
    if (now !== undefined) return Promise.resolve(now);
    if (this.closed) return Promise.reject(new ConnectionClosedError(this.reason!));
    const timeout = opts.timeout ?? this.opts.timeout;
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = { take, resolve: resolve as (v: unknown) => void, reject, timer: undefined };
      if (Number.isFinite(timeout)) {
        waiter.timer = setTimeout(() => {
          if (this.waiter !== waiter) return;
          this.waiter = undefined;
          reject(new TimeoutError(`timed out after ${timeout} ms waiting for ${what}`, this.buffer.peek()));
        }, timeout);
      }
      this.waiter = waiter;
    });
  }

  private checkWaiter(): void {
    const w = this.waiter;
    if (!w) return;
    const v = w.take();
    if (v === undefined) return;
    this.waiter = undefined;
    clearTimeout(w.timer);
    w.resolve(v);
  }

  private failWaiter(): void {
    this.checkWaiter();
    const w = this.waiter;
    if (!w) return;
    this.waiter = undefined;
    clearTimeout(w.timer);
    w.reject(new ConnectionClosedError(this.reason ?? 'closed'));
  }

  private onBytes(chunk: Buffer): void {
    this.trace?.trace('<', chunk);
    if (!this.decoder || !this.negotiator) {
      this.onData(chunk);
      this.checkWaiter();
      return;
    }
    for (const ev of this.decoder.push(chunk)) {
      if (ev.type === 'data') this.onData(ev.bytes);
      else if (ev.type === 'subnegotiation') this.apply(this.negotiator.handle(ev));
      else if (ev.type === 'command' && ev.option !== undefined && isNegotiation(ev.command)) {
        this.apply(this.negotiator.handle({ type: 'command', command: ev.command, option: ev.option }));
      }
      // Other commands (NOP, GA, DM, AYT from a server) carry nothing a client acts on.
    }
    this.checkWaiter();
  }

  private onData(bytes: Buffer): void {
    this.emit('data', bytes);
    const probes = this.cpr?.push(bytes) ?? 0;
    for (let i = 0; i < probes; i++) this.answer(Buffer.from(cursorPositionReport(this.size.rows, this.size.cols), 'latin1'));
    const text = this.text.push(bytes);
    this.buffer.append(text);
    this.screen?.write(text);
    if (text) this.emit('text');
  }

  private apply(step: ClientStep): void {
    for (const bytes of step.send) this.sendProtocol(bytes);
    if (this.debugSink) for (const note of step.notes) this.debugSink(`            note: ${note}`);
    for (const change of step.changes) {
      if (change.side === 'him' && change.option === Opt.BINARY) this.decoder?.setDropBareDataMark(!change.enabled);
      this.emit('option', change);
    }
  }

  private sendProtocol(bytes: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    this.trace?.trace('>', bytes);
    this.socket.write(bytes);
  }

  /** A terminal's answer to a query: dropped quietly once we are hanging up. */
  private answer(bytes: Buffer): void {
    if (this.closed || this.closeRequested || this.socket.destroyed) return;
    this.trace?.trace('>', bytes);
    this.socket.write(bytes);
  }

  private sendData(bytes: Buffer): boolean {
    if (this.closed || this.closeRequested) throw new ConnectionClosedError(this.reason ?? 'closed by client');
    if (bytes.length === 0) return true;
    this.trace?.trace('>', bytes);
    return this.socket.write(bytes);
  }
}

function isNegotiation(command: number): command is NegotiationCommand {
  return command === Cmd.WILL || command === Cmd.WONT || command === Cmd.DO || command === Cmd.DONT;
}

export interface TelnetClient {
  on(event: 'data', fn: (bytes: Buffer) => void): this;
  on(event: 'option', fn: (change: QChange) => void): this;
  on(event: 'close', fn: (reason: string) => void): this;
  on(event: 'text', fn: () => void): this;
  once(event: 'close', fn: (reason: string) => void): this;
}

/**
 * Open a telnet connection. Resolves once TCP is connected; negotiation then runs as the
 * server asks, while you read. Rejects with TimeoutError when the connect takes longer
 * than `timeout`, or with the socket's error (ECONNREFUSED...) when it fails.
 */
export function connect(options: ConnectOptions): Promise<TelnetClient> {
  const opts = resolveOptions(options);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: opts.host, port: opts.port, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    // Listeners go on before any byte can arrive: the server speaks first.
    const client = new TelnetClient(opts, socket);
    const timer = Number.isFinite(opts.timeout)
      ? setTimeout(() => {
          socket.destroy();
          reject(new TimeoutError(`connect to ${opts.host}:${opts.port} timed out after ${opts.timeout} ms`));
        }, opts.timeout)
      : undefined;
    const onError = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(client);
    });
  });
}
