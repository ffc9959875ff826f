import type net from 'node:net';
import { BaseConnection, type TerminalInfo } from '@carrier/core';
import type { RloginLogin } from './login-policy.js';
import { RloginWindowSizeFilter } from './window-size.js';

/**
 * Output queued for a caller beyond what the kernel took. A BBS screen is a few KiB;
 * a caller who lets a megabyte pile up has stopped reading (PROTOCOL-NOTES hostile
 * input 14) and is closed rather than buffered without bound.
 */
const MAX_UNSENT_OUTPUT = 1024 * 1024;
/**
 * A trailing `FF`, `FF FF` or `FF FF s` is held in case it begins a window-size
 * report split across reads; if nothing follows this soon it was typed data.
 */
const HELD_MARKER_FLUSH_MS = 100;
/** After our FIN, time the peer has to close before the socket is destroyed. */
const END_GRACE_MS = 2000;

/**
 * A caller after the rlogin handshake: raw bytes both ways, with in-band window-size
 * reports stripped from the input and turned into resize events (source 'rlogin').
 */
export class RloginConnection extends BaseConnection {
  private readonly socket: net.Socket;
  private readonly sizeFilter = new RloginWindowSizeFilter();
  private flushTimer: NodeJS.Timeout | undefined;
  /** During a file transfer every byte is data: `FF FF s s` is a binary run, not a window size. */
  private transfer = false;
  readonly #password: string | undefined;

  constructor(opts: { socket: net.Socket; remoteAddress: string; terminal: Partial<TerminalInfo>; login: RloginLogin }) {
    super({ protocol: 'rlogin', remoteAddress: opts.remoteAddress, terminal: opts.terminal });
    this.socket = opts.socket;
    this.identity = opts.login.identity;
    this.loginHint = opts.login.loginHint;
    this.#password = opts.login.loginPassword;
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('drain', () => this.emit('drain'));
    this.socket.once('close', () => {
      this.clearFlushTimer();
      this.transportClosed('client closed');
    });
  }

  /**
   * The password SyncTERM sent in the client-user field, from a host listed in
   * `synctermOrder` and not trusted; undefined otherwise. A getter over a private
   * field so it shows up in no log, inspect or JSON of the connection.
   */
  get loginPassword(): string | undefined {
    return this.#password;
  }

  /** Input from the caller: the bytes that followed the handshake, then every read. */
  receive(bytes: Buffer): void {
    if (this.closed) return;
    this.clearFlushTimer();
    if (this.transfer) {
      this.pushInput(bytes);
      return;
    }
    for (const event of this.sizeFilter.push(bytes)) {
      if (event.type === 'data') this.pushInput(event.bytes);
      else this.setSize(event.cols, event.rows, 'rlogin');
    }
    if (this.sizeFilter.held > 0) {
      this.flushTimer = setTimeout(() => this.pushInput(this.sizeFilter.flush()), HELD_MARKER_FLUSH_MS);
      this.flushTimer.unref();
    }
  }

  /**
   * A file transfer starts or ends. During one, input is passed through whole: ZMODEM's
   * binary data may hold the window-size marker, and stripping it would corrupt the file.
   */
  setTransferMode(on: boolean): void {
    if (on === this.transfer) return;
    if (on) {
      // Whatever the filter was holding came before the transfer: it is the session's.
      this.clearFlushTimer();
      if (this.sizeFilter.held > 0) this.pushInput(this.sizeFilter.flush());
    }
    this.transfer = on;
  }

  /** The session's keys wait behind its rate: the rest stays in the caller's TCP window. */
  protected override pauseTransport(paused: boolean): void {
    if (paused) this.socket.pause();
    else this.socket.resume();
  }

  protected sendRaw(bytes: Buffer): boolean {
    if (this.socket.writableLength > MAX_UNSENT_OUTPUT) {
      this.close('caller stopped reading');
      return false;
    }
    return this.socket.write(bytes);
  }

  protected endTransport(): void {
    this.clearFlushTimer();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), END_GRACE_MS).unref();
  }

  private clearFlushTimer(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }
}
