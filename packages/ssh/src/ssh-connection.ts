import type { ServerChannel } from 'ssh2';
import { BaseConnection, type Identity, type TerminalInfo } from '@carrier/core';

/**
 * Output queued for a caller and not yet taken by the network: what waits for the
 * SSH window plus what the socket holds. A screen is a few KiB and a client's window
 * is about 2 MiB; past this the caller has stopped reading (PROTOCOL-NOTES hostile
 * input 14) and is closed rather than buffered without bound.
 */
const MAX_UNSENT_OUTPUT = 4 * 1024 * 1024;
/** After we close the shell channel, time the client has to close its side. */
const END_GRACE_MS = 2000;

export interface SshConnectionOptions {
  channel: ServerChannel;
  remoteAddress: string;
  terminal: Partial<TerminalInfo>;
  identity?: Identity | undefined;
  wantsNewUser: boolean;
  /** bytes the SSH socket has not yet handed to the kernel */
  socketBacklog: () => number;
  /** Disconnect the whole SSH connection (one shell per connection). */
  disconnect: () => void;
}

/** A caller's shell channel, as the engine sees it. */
export class SshConnection extends BaseConnection {
  private readonly channel: ServerChannel;
  private readonly socketBacklog: () => number;
  private readonly disconnect: () => void;

  constructor(opts: SshConnectionOptions) {
    super({ protocol: 'ssh', remoteAddress: opts.remoteAddress, terminal: opts.terminal });
    this.channel = opts.channel;
    this.identity = opts.identity;
    this.wantsNewUser = opts.wantsNewUser;
    this.socketBacklog = opts.socketBacklog;
    this.disconnect = opts.disconnect;
    this.channel.on('data', (bytes: Buffer) => this.pushInput(bytes));
    this.channel.on('drain', () => this.emit('drain'));
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

  protected sendRaw(bytes: Buffer): boolean {
    if (this.channel.writableLength + this.socketBacklog() > MAX_UNSENT_OUTPUT) {
      this.close('caller stopped reading');
      return false;
    }
    return this.channel.write(bytes);
  }

  protected endTransport(): void {
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
