import { createWriteStream, type WriteStream } from 'node:fs';
import { encodeText } from '@carrier/core';
import { Opt } from '@carrier/telnet';
import type { DebugSink } from '../debug-trace.js';
import { connect, type TelnetClient } from '../telnet-client.js';
import { RemoteCharset, type CharsetMode } from './charset.js';
import { HELP, parseCommand, parseRawText, type Command } from './commands.js';
import { formatHistory, type ConnectionHistory } from './history.js';
import type { LocalTerminal } from './local-terminal.js';
import { enterMode, localEcho, nvtEnter } from './nvt-input.js';
import { PromptLine, type PromptEvent } from './prompt-line.js';

export interface CallerOptions {
  terminal: LocalTerminal;
  /** where connections are recorded; none, and `history` says so */
  history?: ConnectionHistory | undefined;
  charset: CharsetMode;
  /** the byte that opens command mode */
  escapeByte: number;
  /** what TTYPE answers: the local TERM */
  terminalType: string;
  connectTimeout: number;
  /** receives the byte trace (--trace) */
  trace?: DebugSink | undefined;
  /** how often an open call's byte counts are written to the history; default HISTORY_PROGRESS_MS */
  historyProgressMs?: number;
}

type Mode = 'connecting' | 'session' | 'command' | 'raw-line' | 'done';

/**
 * Output that arrives while the command prompt is open is held, not drawn over the
 * prompt (BSD telnet stops reading the network there). A board that keeps talking for
 * longer than anyone sits at a prompt would grow it without bound, so past this the
 * oldest is dropped.
 */
const MAX_HELD_OUTPUT = 1024 * 1024;
const PROMPT = 'carrier> ';
const RAW_PROMPT = 'raw> ';

/**
 * `carrier telnet`: a person's terminal connected to a board. Keys go to the board
 * (translated to its charset) until the escape key opens the command prompt; the
 * board's output is translated for the local UTF-8 terminal. Connections are recorded
 * in the injected history.
 */
export class InteractiveCaller {
  private readonly opts: CallerOptions;
  private readonly prompt: PromptLine;
  private charset: RemoteCharset;
  private client: TelnetClient | undefined;
  private mode: Mode = 'command';
  private held: string[] = [];
  private heldLength = 0;
  private capture: WriteStream | undefined;
  private exitOnHangUp = false;
  private userClosing = false;
  private historyWarned = false;
  private pendingHistory: Promise<unknown> = Promise.resolve();
  private commands: Promise<unknown> = Promise.resolve();
  private finish: (code: number) => void = () => undefined;

  constructor(opts: CallerOptions) {
    this.opts = opts;
    this.prompt = new PromptLine(opts.escapeByte);
    this.charset = new RemoteCharset(opts.charset);
  }

  /** Runs until `quit` (or the board hangs up on a connection opened from the command line). Resolves with the exit code. */
  async run(target?: { host: string; port: number }): Promise<number> {
    const { terminal } = this.opts;
    const done = new Promise<number>((resolve) => (this.finish = resolve));
    const onKeys = (bytes: Buffer) => this.onKeys(bytes);
    terminal.enterRaw();
    terminal.beforeSignalExit = async () => {
      this.mode = 'done';
      if (this.connected) await this.hangUp();
      await this.pendingHistory;
    };
    terminal.input.on('data', onKeys);
    terminal.onResize((cols, rows) => {
      if (this.client && !this.client.closed) this.client.resize(cols, rows);
    });
    try {
      if (target) {
        this.exitOnHangUp = true;
        if (!(await this.open(target.host, target.port))) await this.quit(1);
      } else {
        this.say(`Escape character is '${caret(this.opts.escapeByte)}'. Type help for commands.`);
        this.enterCommandMode();
      }
      const code = await done;
      await this.pendingHistory;
      return code;
    } finally {
      this.mode = 'done';
      terminal.input.off('data', onKeys);
      // The session's log holds everything once the caller returns.
      if (this.capture) await closed(this.capture);
      this.capture = undefined;
      terminal.restore();
    }
  }

  // ---- keys ----------------------------------------------------------------------------

  private onKeys(bytes: Buffer): void {
    if (this.mode === 'session') {
      const at = bytes.indexOf(this.opts.escapeByte);
      if (at < 0) {
        this.sendKeys(bytes);
        return;
      }
      this.sendKeys(bytes.subarray(0, at));
      this.enterCommandMode();
      bytes = bytes.subarray(at + 1);
    }
    if (this.mode === 'command' || this.mode === 'raw-line') {
      for (const ev of this.prompt.push(bytes)) this.onPrompt(ev);
    }
    // 'connecting' and 'done': keys are dropped.
  }

  private sendKeys(bytes: Buffer): void {
    const c = this.client;
    if (bytes.length === 0 || !c || c.closed) return;
    const mode = enterMode({ binary: c.optionEnabled('us', Opt.BINARY), serverEchoes: c.optionEnabled('him', Opt.ECHO) });
    const out = nvtEnter(this.charset.toRemote(bytes), mode);
    try {
      c.write(out);
    } catch {
      return; // hung up between the check and the write: the close handler reports it
    }
    if (!c.optionEnabled('him', Opt.ECHO)) this.show(localEcho(bytes.toString('utf8')));
  }

  private onPrompt(ev: PromptEvent): void {
    switch (ev.kind) {
      case 'echo':
        this.write(ev.text);
        return;
      case 'cancel':
        if (this.mode === 'raw-line') return this.enterCommandMode();
        if (this.connected) return this.resumeSession();
        return this.enterCommandMode();
      case 'eof':
        this.write('\r\n');
        this.queue(() => this.quit(0));
        return;
      case 'line': {
        this.write('\r\n');
        const raw = this.mode === 'raw-line';
        this.queue(() => (raw ? this.sendRaw(ev.line) : this.execute(parseCommand(ev.line))));
        return;
      }
    }
  }

  // ---- commands ------------------------------------------------------------------------

  /** Commands run one after another, in the order typed; one that fails is reported and the next still runs. */
  private queue(fn: () => Promise<void> | void): void {
    this.commands = this.commands.then(fn).catch((err: unknown) => {
      this.say(`carrier telnet: ${(err as Error).message}`);
      this.enterCommandMode();
    });
  }

  private async execute(cmd: Command): Promise<void> {
    switch (cmd.kind) {
      case 'resume':
        return this.connected ? this.resumeSession() : this.enterCommandMode();
      case 'open':
        if (!(await this.open(cmd.host, cmd.port))) this.enterCommandMode();
        return;
      case 'close':
        if (this.connected) await this.hangUp();
        else this.say('not connected');
        return this.enterCommandMode();
      case 'send-raw':
        if (!this.connected) {
          this.say('not connected');
          return this.enterCommandMode();
        }
        if (cmd.text !== undefined) return this.sendRaw(cmd.text);
        this.mode = 'raw-line';
        this.write(RAW_PROMPT);
        return;
      case 'log':
        await this.setCapture(cmd.file);
        return this.enterCommandMode();
      case 'history':
        await this.showHistory(cmd.limit);
        return this.enterCommandMode();
      case 'quit':
        return this.quit(0);
      case 'help':
        for (const line of HELP) this.say(line);
        return this.enterCommandMode();
      case 'error':
        this.say(cmd.message);
        return this.enterCommandMode();
    }
  }

  private async sendRaw(text: string): Promise<void> {
    const c = this.client;
    if (!c || c.closed) {
      this.say('not connected');
      return this.enterCommandMode();
    }
    const bytes = parseRawText(text, (s) => encodeText(s, this.charset.current ?? 'utf8'));
    if (!Buffer.isBuffer(bytes)) {
      this.say(bytes.error);
      return this.enterCommandMode();
    }
    try {
      c.writeRaw(bytes);
    } catch {
      this.say('not connected');
      return this.enterCommandMode();
    }
    this.say(`sent ${bytes.length} byte${bytes.length === 1 ? '' : 's'}`);
    this.resumeSession();
  }

  private async setCapture(file: string | undefined): Promise<void> {
    const was = this.capture;
    this.capture = undefined;
    // Said once the file holds all that was written to it: read at 'log closed', it is whole.
    if (was) await closed(was);
    if (file === undefined) {
      this.say(was ? 'log closed' : 'not logging');
      return;
    }
    const stream = createWriteStream(file, { flags: 'a' });
    stream.on('error', (err) => {
      if (this.capture === stream) this.capture = undefined;
      this.say(`log ${file}: ${err.message}`);
    });
    this.capture = stream;
    this.say(`logging the session to ${file}`);
  }

  private async showHistory(limit: number): Promise<void> {
    const history = this.opts.history;
    if (!history) {
      this.say('history is not recorded here (no store)');
      return;
    }
    try {
      await this.pendingHistory;
      for (const line of formatHistory(await history.recent(limit))) this.say(line);
    } catch (err) {
      this.say(`history unavailable: ${(err as Error).message}`);
    }
  }

  private async quit(code: number): Promise<void> {
    if (this.connected) await this.hangUp();
    this.mode = 'done';
    this.finish(code);
  }

  // ---- the connection ------------------------------------------------------------------

  private get connected(): boolean {
    return this.client !== undefined && !this.client.closed;
  }

  private async open(host: string, port: number): Promise<boolean> {
    if (this.connected) await this.hangUp();
    this.mode = 'connecting';
    this.say(`Trying ${host} ${port}...`);
    const size = this.opts.terminal.size();
    let c: TelnetClient;
    try {
      c = await connect({
        host,
        port,
        terminalType: this.opts.terminalType,
        cols: size.cols,
        rows: size.rows,
        encoding: this.charset.negotiated,
        timeout: this.opts.connectTimeout,
        // The local terminal answers cursor probes itself: it knows where its cursor is.
        answerCursorProbes: false,
        // Output is drawn as it arrives; nothing reads it back.
        maxBuffer: 0,
        ...(this.opts.trace ? { debug: this.opts.trace } : {}),
      });
    } catch (err) {
      this.say(`cannot connect to ${host} ${port}: ${(err as Error).message}`);
      return false;
    }
    this.client = c;
    this.charset = new RemoteCharset(this.opts.charset);
    this.userClosing = false;
    const id = this.record(() => this.opts.history?.start({ host, port }));
    c.on('data', (bytes) => this.show(this.charset.toLocal(bytes), true));
    // The byte counts of an open call are written as it runs, so `history` never shows 0 B for it.
    let written = { bytesIn: 0, bytesOut: 0 };
    const progress = setInterval(() => {
      const counts = { bytesIn: c.bytesIn, bytesOut: c.bytesOut };
      if (counts.bytesIn === written.bytesIn && counts.bytesOut === written.bytesOut) return;
      written = counts;
      void this.record(async () => {
        const n = await id;
        if (n !== undefined) await this.opts.history?.progress?.(n, counts);
      });
    }, this.opts.historyProgressMs ?? HISTORY_PROGRESS_MS);
    progress.unref();
    c.once('close', (reason) => {
      clearInterval(progress);
      this.onHangUp(c, id, reason);
    });
    this.say(`Connected to ${host}. Escape character is '${caret(this.opts.escapeByte)}'.`);
    this.resumeSession();
    return true;
  }

  private async hangUp(): Promise<void> {
    const c = this.client;
    if (!c) return;
    this.userClosing = true;
    await c.close();
  }

  private onHangUp(c: TelnetClient, id: Promise<number | undefined>, reason: string): void {
    void this.record(async () => {
      const n = await id;
      if (n !== undefined) await this.opts.history?.finish(n, { bytesIn: c.bytesIn, bytesOut: c.bytesOut });
    });
    if (c !== this.client || this.mode === 'done') return;
    const byUs = this.userClosing;
    if (this.mode === 'session') this.flushHeld();
    this.say(byUs ? 'Connection closed.' : `Connection closed by foreign host (${reason}).`);
    if (!byUs && this.exitOnHangUp) {
      this.queue(() => this.quit(0));
      return;
    }
    if (!byUs) this.enterCommandMode();
  }

  /** History writes run in order, after each other; a failing store is reported once and never stops the call. */
  private record<T>(fn: () => Promise<T> | undefined): Promise<T | undefined> {
    const p = this.pendingHistory.then(fn).catch((err: unknown) => {
      if (!this.historyWarned) {
        this.historyWarned = true;
        this.say(`(history not recorded: ${(err as Error).message})`);
      }
      return undefined;
    });
    this.pendingHistory = p;
    return p;
  }

  // ---- the screen ----------------------------------------------------------------------

  private enterCommandMode(): void {
    if (this.mode === 'done') return;
    this.mode = 'command';
    this.write(`\r\n${PROMPT}`);
  }

  private resumeSession(): void {
    if (this.mode === 'done') return;
    this.mode = 'session';
    this.flushHeld();
  }

  /** Board output: drawn now in a session, held while the prompt is open. */
  private show(text: string, fromBoard = false): void {
    if (text.length === 0) return;
    if (fromBoard) this.capture?.write(text);
    if (this.mode === 'session' || this.mode === 'connecting') {
      this.write(text);
      return;
    }
    this.held.push(text);
    this.heldLength += text.length;
    while (this.heldLength > MAX_HELD_OUTPUT && this.held.length > 1) this.heldLength -= this.held.shift()!.length;
  }

  private flushHeld(): void {
    const text = this.held.join('');
    this.held = [];
    this.heldLength = 0;
    if (text) this.write(text);
  }

  private say(line: string): void {
    this.write(`${line}\r\n`);
  }

  private write(text: string): void {
    // After quit the terminal is being handed back: a late history warning must not land on the shell's prompt.
    if (this.mode === 'done') return;
    this.opts.terminal.output.write(text);
  }
}

/** How often an open call's byte counts are written to the history. */
export const HISTORY_PROGRESS_MS = 5000;

/** ^] for 0x1d: how every telnet names its escape key. */
export function caret(byte: number): string {
  return byte === 0x7f ? '^?' : `^${String.fromCharCode(byte + 0x40)}`;
}

/** Ends `stream` and resolves once its file is closed (everything written is in it), or it failed. */
function closed(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.closed) return resolve();
    stream.once('close', () => resolve());
    stream.end();
  });
}
