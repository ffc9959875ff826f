import type { Socket } from 'node:net';
import type { ServerChannel } from 'ssh2';
import { BaseConnection, type Identity, type Logger, type TerminalInfo } from '@carrier/core';

/**
 * Output queued for a caller and not yet taken by the network, by default: what waits
 * for the SSH window plus what the socket holds. A screen is a few KiB; past this the
 * caller has stopped reading (PROTOCOL-NOTES hostile input 14) and is closed rather than
 * buffered. The same bound as a telnet socket's or a browser's (TELNET_DEFAULTS and
 * WEB_DEFAULTS maxOutputBuffer): a caller who stops reading holds as much on every
 * front end. OpenSSH opens a 2 MiB channel window, so without this bound a paused ssh
 * client was sent up to 2 MiB into its socket and 4 MiB more were queued.
 */
export const SSH_DEFAULT_MAX_OUTPUT_BUFFER = 1024 * 1024;
/**
 * Output waiting for the SSH window past this asks the writer to wait for 'drain', as a
 * socket's write() does (ssh2's channel would say so only at 2 MiB): far below the bound,
 * so a writer that waits for 'drain' is never taken for a caller who stopped reading.
 */
const CHANNEL_HIGH_WATER = 64 * 1024;
/** After we close the shell channel, time the client has to close its side. */
const END_GRACE_MS = 2000;

export interface SshConnectionOptions {
  channel: ServerChannel;
  remoteAddress: string;
  terminal: Partial<TerminalInfo>;
  identity?: Identity | undefined;
  wantsNewUser: boolean;
  /** the SSH connection's socket: its backlog counts, and its 'drain' ends a wait */
  socket: Pick<Socket, 'writableLength' | 'writableHighWaterMark' | 'on' | 'off'>;
  /** Disconnect the whole SSH connection (one shell per connection). */
  disconnect: () => void;
  /** Drop the socket now, queued output and all (a caller who stopped reading). */
  destroy: () => void;
  /** unsent output past this closes the call; default SSH_DEFAULT_MAX_OUTPUT_BUFFER */
  maxOutputBuffer?: number;
  log: Logger;
}

/** A caller's shell channel, as the engine sees it. */
export class SshConnection extends BaseConnection {
  private readonly channel: ServerChannel;
  private readonly socket: SshConnectionOptions['socket'];
  /** write() said false: 'drain' is owed once the channel and the socket take more */
  private wantDrain = false;
  private readonly disconnect: () => void;
  private readonly destroy: () => void;
  private readonly maxOutputBuffer: number;
  private readonly log: Logger;
  /** the caller stopped reading: the socket is dropped, not drained */
  private overflowed = false;

  constructor(opts: SshConnectionOptions) {
    super({ protocol: 'ssh', remoteAddress: opts.remoteAddress, terminal: opts.terminal });
    this.channel = opts.channel;
    this.identity = opts.identity;
    this.wantsNewUser = opts.wantsNewUser;
    this.socket = opts.socket;
    this.disconnect = opts.disconnect;
    this.destroy = opts.destroy;
    this.maxOutputBuffer = opts.maxOutputBuffer ?? SSH_DEFAULT_MAX_OUTPUT_BUFFER;
    this.log = opts.log;
    this.channel.on('data', (bytes: Buffer) => this.pushInput(bytes));
    // ssh2 gives a channel a 2 MiB writable high-water mark; a writer that waits for
    // 'drain' should wait far sooner (Node has no setter for it after construction).
    const state = (this.channel as unknown as { _writableState?: { highWaterMark: number } })._writableState;
    if (state) state.highWaterMark = CHANNEL_HIGH_WATER;
    const drained = (): void => this.drained();
    this.channel.on('drain', drained);
    this.socket.on('drain', drained);
    this.channel.once('close', () => this.socket.off('drain', drained));
    this.channel.on('close', () => this.transportClosed('client closed'));
    // End of input (`ssh -T </dev/null`, a closed pipe): no key can come any more, so the
    // call ends now, as a telnet caller's does on the socket's end, instead of holding
    // a node until the idle timeout.
    this.channel.on('end', () => this.close('client ended its input'));
    // A write racing the peer's close fails on the channel; 'close' follows and reports it.
    this.channel.on('error', () => {});
  }

  /** The SSH connection under the channel ended (socket closed, disconnect, error). */
  sshClosed(reason: string): void {
    this.transportClosed(reason);
  }

  /** The session's keys wait behind its rate: ssh2 stops widening the channel window. */
  protected override pauseTransport(paused: boolean): void {
    if (paused) this.channel.pause();
    else this.channel.resume();
  }

  /** The socket holds at least its high-water mark: it owes a 'drain' (Node sets needDrain then). */
  private socketFull(): boolean {
    return this.socket.writableLength >= this.socket.writableHighWaterMark;
  }

  /**
   * A 'drain' from the channel or the socket: the writer may go on once neither is full.
   * Whichever is still full owes its own 'drain' (its write() said false), so none is missed.
   */
  private drained(): void {
    if (!this.wantDrain || this.channel.writableLength >= CHANNEL_HIGH_WATER || this.socketFull()) return;
    this.wantDrain = false;
    this.emit('drain');
  }

  protected sendRaw(bytes: Buffer): boolean {
    const buffered = this.channel.writableLength + this.socket.writableLength;
    if (buffered + bytes.length > this.maxOutputBuffer) {
      this.log.warn('ssh.output_overflow', { conn: this.id, remote: this.remoteAddress, buffered, limit: this.maxOutputBuffer });
      this.overflowed = true;
      this.close('caller stopped reading');
      return false;
    }
    if (this.channel.write(bytes) && !this.socketFull()) return true;
    this.wantDrain = true;
    return false;
  }

  protected endTransport(): void {
    if (this.overflowed) {
      // Nothing more reaches a caller who does not read: the queued output goes with the socket.
      this.destroy();
      return;
    }
    // Close the channel first and disconnect once the client confirms: OpenSSH then
    // exits cleanly with our exit status. A client that never confirms (or never read
    // its backlog) is disconnected after a short grace.
    const timer = setTimeout(this.disconnect, END_GRACE_MS);
    timer.unref();
    this.channel.once('close', () => {
      clearTimeout(timer);
      this.disconnect();
    });
    this.channel.exit(0);
    this.channel.end();
  }
}
