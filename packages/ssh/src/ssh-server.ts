import type net from 'node:net';
import type { Connection as SshClient, ServerChannel } from 'ssh2';
import { BANNED_TEXT, BaseServer, CarrierError, client, ErrorCodes, type AcceptContext, type BaseServerOptions } from '@carrier/core';
import { sshAlgorithms, type SshAlgorithms } from './algorithms.js';
import { SshAuthHandler } from './auth-handler.js';
import type { SshAuthenticator } from './authenticator.js';
import type { HostKeys } from './host-keys.js';
import { DISCONNECT_REASON, refusalBytes, refusalText } from './refusal.js';
import { SshConnection } from './ssh-connection.js';
import { SshSessionHandler, type PendingSession } from './session-handler.js';
import { sshTerminal } from './session-requests.js';
import { serveSftp, type SftpBackend } from './sftp-server.js';
import { serveScp } from './scp-server.js';
import * as ssh2 from './ssh2-lib.js';

/** OpenSSH's LoginGraceTime is 120 s; a BBS caller who needs more than 30 s is a bot. */
export const SSH_DEFAULT_GRACE_TIME_MS = 30_000;
/** OpenSSH's MaxAuthTries. */
export const SSH_DEFAULT_MAX_AUTH_ATTEMPTS = 6;
/**
 * ssh2 has no per-server "off" for keepalive: an interval <= 0 falls back to its
 * 15 s default. The longest timer Node allows (24.8 days) is off in practice.
 */
const KEEPALIVE_OFF_MS = 2 ** 31 - 1;
const KEEPALIVE_MAX_MISSED = 3;
/** After we disconnect a client, time it has to close its side before the socket is destroyed. */
const DISCONNECT_GRACE_MS = 2000;

export interface SshServerOptions extends Omit<BaseServerOptions, 'protocol'> {
  /** Private host keys (OpenSSH or PEM); `ensureHostKeys` makes both. At least one. */
  hostKeys: Partial<HostKeys>;
  authenticator: SshAuthenticator;
  /** Time to authenticate and open a shell; default SSH_DEFAULT_GRACE_TIME_MS. */
  graceTimeMs?: number;
  /** 0 (default) is off: keepalive pings break SyncTERM, EtherTerm and NetRunner. */
  keepaliveIntervalMs?: number;
  /** Auth banner; empty (default) sends none, as a banner breaks EtherTerm. */
  banner?: string;
  /** Per-category replacements for DEFAULT_SSH_ALGORITHMS. */
  algorithms?: Partial<SshAlgorithms>;
  /** Failed attempts per connection before it is closed; default SSH_DEFAULT_MAX_AUTH_ATTEMPTS. */
  maxAuthAttempts?: number;
  /**
   * Wrong passwords per connection, password and keyboard-interactive together, before it
   * is closed: the board's login tries (session.maxLoginTries), as on every front end.
   * Default SSH_DEFAULT_MAX_PASSWORD_TRIES.
   */
  maxPasswordTries?: number;
  /** Offer keyboard-interactive alongside password and publickey (default true). */
  keyboardInteractive?: boolean;
  /** unsent output to a shell past this closes the call: the caller stopped reading (default SSH_DEFAULT_MAX_OUTPUT_BUFFER, 1 MiB, as telnet and the web) */
  maxOutputBuffer?: number;
  /** SFTP on the same login: the board's rules for this user (by handle); undefined refuses. */
  sftp?: ((user: string) => SftpBackend | undefined) | undefined;
}

/** The board's "3 failures disconnect", for ssh: OpenSSH would otherwise get 3 kbd-int plus 3 password. */
export const SSH_DEFAULT_MAX_PASSWORD_TRIES = 3;

type Stage = 'version' | 'auth' | 'shell' | 'connected';

/** One accepted socket until its shell starts (or it goes away). */
interface Caller {
  socket: net.Socket;
  ctx: AcceptContext;
  stage: Stage;
  grace: NodeJS.Timeout;
  graceExpired: boolean;
  conn?: SshConnection;
  /** the client's version line read: ssh2 speaks SSH with it, and can still say why it ends */
  sshClient?: SshClient;
  /** end the connection (DISCONNECT, socket destroyed shortly after) */
  end?: () => void;
}

/**
 * SSH front end on ssh2. Sockets are accepted by BaseServer (caps, bans) and handed to
 * ssh2 with `injectSocket`, under a grace timer that ssh2 lacks: a caller has
 * `graceTimeMs` from TCP connect to an open shell, whatever it sends or doesn't.
 */
export class SshServer extends BaseServer {
  private readonly ssh: ssh2.Server;
  private readonly authenticator: SshAuthenticator;
  private readonly graceTimeMs: number;
  private readonly maxAuthAttempts: number;
  private readonly maxPasswordTries: number;
  private readonly keyboardInteractive: boolean;
  private readonly maxOutputBuffer: number | undefined;
  private readonly sftp: SshServerOptions['sftp'];
  /** keyed by the socket's own remote address and port, which is what ssh2 reports back */
  private readonly callers = new Map<string, Caller>();

  constructor(opts: SshServerOptions) {
    super({ ...opts, protocol: 'ssh' });
    this.authenticator = opts.authenticator;
    this.graceTimeMs = opts.graceTimeMs ?? SSH_DEFAULT_GRACE_TIME_MS;
    this.maxAuthAttempts = opts.maxAuthAttempts ?? SSH_DEFAULT_MAX_AUTH_ATTEMPTS;
    this.maxPasswordTries = opts.maxPasswordTries ?? SSH_DEFAULT_MAX_PASSWORD_TRIES;
    this.keyboardInteractive = opts.keyboardInteractive ?? true;
    this.maxOutputBuffer = opts.maxOutputBuffer;
    this.sftp = opts.sftp;
    const hostKeys = [opts.hostKeys.ed25519, opts.hostKeys.rsa].filter((k): k is Buffer => k !== undefined);
    if (hostKeys.length === 0) throw new CarrierError(ErrorCodes.CONFIG_INVALID, 'ssh: no host key given');
    const keepalive = opts.keepaliveIntervalMs ?? 0;
    try {
      this.ssh = new ssh2.Server({
        hostKeys,
        algorithms: sshAlgorithms(opts.algorithms),
        ...(opts.banner ? { banner: opts.banner } : {}),
        keepaliveInterval: keepalive > 0 ? keepalive : KEEPALIVE_OFF_MS,
        keepaliveCountMax: KEEPALIVE_MAX_MISSED,
      });
    } catch (err) {
      throw new CarrierError(ErrorCodes.CONFIG_INVALID, `ssh: ${(err as Error).message}`, undefined, { cause: err });
    }
    this.ssh.on('connection', (sshClient: SshClient, info: { ip: string; port: number }) => this.onVersion(sshClient, info));
  }

  /**
   * A caller refused at connect (banned, the board full, too many connections) reads why
   * in their ssh client: a DISCONNECT carrying the reason, sent before any key exchange.
   */
  protected override refusalText(reason: string): Buffer {
    return reason === 'banned'
      ? refusalBytes(DISCONNECT_REASON.hostNotAllowed, BANNED_TEXT.trim())
      : refusalBytes(DISCONNECT_REASON.tooManyConnections, `carrier: ${reason}. Please call again later.`);
  }

  /**
   * A ban made while the caller authenticates (a penalty for wrong passwords): the reason
   * in a DISCONNECT, as at connect, not a cut TCP connection. Before the version line
   * (nothing to say it in) and for a silent ban, the socket is cut.
   */
  protected override closeBeforeSession(socket: net.Socket, say: string | undefined): void {
    const caller = this.callers.get(callerKey(socket.remoteAddress, socket.remotePort));
    if (!caller?.sshClient || !caller.end || say === undefined) {
      socket.destroy();
      return;
    }
    ssh2.sendDisconnect(caller.sshClient, DISCONNECT_REASON.hostNotAllowed, refusalText(say));
    caller.end();
  }

  protected handleSocket(socket: net.Socket, ctx: AcceptContext): void {
    const key = callerKey(socket.remoteAddress, socket.remotePort);
    const caller: Caller = {
      socket,
      ctx,
      stage: 'version',
      graceExpired: false,
      grace: setTimeout(() => {
        caller.graceExpired = true;
        this.log.info('ssh.grace_expired', { remote: ctx.remoteAddress, stage: caller.stage, graceMs: this.graceTimeMs });
        socket.destroy();
      }, this.graceTimeMs),
    };
    this.callers.set(key, caller);
    socket.once('close', () => {
      clearTimeout(caller.grace);
      this.callers.delete(key);
      if (caller.conn) caller.conn.sshClosed('client closed');
      else if (!caller.graceExpired) this.log.info('ssh.closed_before_shell', { remote: ctx.remoteAddress, stage: caller.stage });
    });
    // BaseServer resumes the socket right after this returns. ssh2 pauses it until its
    // crypto is ready and only then listens for data; injecting after that resume
    // (a microtask later, before any I/O) keeps the client's first bytes from flowing
    // to nobody.
    queueMicrotask(() => {
      if (!socket.destroyed) this.ssh.injectSocket(socket);
    });
  }

  /** ssh2 read the client's version line. From here the client talks SSH. */
  private onVersion(sshClient: SshClient, info: { ip: string; port: number }): void {
    const caller = this.callers.get(callerKey(info.ip, info.port));
    if (!caller) {
      sshClient.end();
      return;
    }
    caller.stage = 'auth';
    const remote = caller.ctx.remoteAddress;
    // ssh2's end() sends DISCONNECT and a FIN; a peer that never closes its side is
    // destroyed shortly after, so a hostile client cannot hold the socket open.
    const end = (): void => {
      sshClient.end();
      setTimeout(() => caller.socket.destroy(), DISCONNECT_GRACE_MS).unref();
    };
    caller.sshClient = sshClient;
    caller.end = end;
    sshClient.on('error', (err: Error) => this.log.debug('ssh.client_error', { remote, err }));
    const auth = new SshAuthHandler({
      authenticator: this.authenticator,
      remoteAddress: remote,
      maxAttempts: this.maxAuthAttempts,
      maxPasswordTries: this.maxPasswordTries,
      offerKeyboardInteractive: this.keyboardInteractive,
      log: this.log,
      hangUp: (reason, text) => {
        if (!ssh2.sendDisconnect(sshClient, reason, text)) this.log.warn('ssh.disconnect_text_unavailable', { remote });
        end();
      },
    });
    sshClient.on('authentication', (ctx) => auth.handle(ctx));
    sshClient.once('close', () => auth.close());
    sshClient.once('ready', () => {
      caller.stage = 'shell';
      new SshSessionHandler({
        sshClient,
        remoteAddress: remote,
        log: this.log,
        onFlood: end,
        onShell: (channel, session) => this.startShell(caller, channel, session, auth.outcome ?? { wantsNewUser: false }, end),
        onSftp: this.sftp
          ? (sftp) => {
              const user = auth.outcome?.identity?.user;
              const backend = user && !auth.outcome?.wantsNewUser ? this.sftp?.(user) : undefined;
              if (!backend || !user) return false;
              // A file session is a session: the start-up grace no longer applies.
              clearTimeout(caller.grace);
              caller.stage = 'connected';
              this.log.info('sftp.start', { remote, user: client(user) });
              serveSftp(sftp, backend, this.log.child({ remote, user: client(user) }), end);
              return true;
            }
          : undefined,
        onScp: this.sftp
          ? (channel, req) => {
              const user = auth.outcome?.identity?.user;
              const backend = user && !auth.outcome?.wantsNewUser ? this.sftp?.(user) : undefined;
              if (!backend || !user) return false;
              clearTimeout(caller.grace);
              caller.stage = 'connected';
              this.log.info('scp.start', { remote, user: client(user), mode: req.mode });
              void serveScp(channel, req, backend, this.log.child({ remote, user: client(user) }));
              return true;
            }
          : undefined,
      }).listen();
    });
  }

  private startShell(
    caller: Caller,
    channel: ServerChannel,
    session: PendingSession,
    outcome: { identity?: SshConnection['identity']; wantsNewUser: boolean },
    disconnect: () => void,
  ): { resize(cols: number, rows: number): void } {
    clearTimeout(caller.grace);
    caller.stage = 'connected';
    const conn = new SshConnection({
      channel,
      remoteAddress: caller.ctx.remoteAddress,
      terminal: sshTerminal(session.pty, session.env),
      identity: outcome.identity,
      wantsNewUser: outcome.wantsNewUser,
      socket: caller.socket,
      disconnect,
      destroy: () => caller.socket.destroy(),
      maxOutputBuffer: this.maxOutputBuffer,
      log: this.log,
    });
    caller.conn = conn;
    this.resolve(conn, caller.ctx);
    return { resize: (cols, rows) => conn.setSize(cols, rows, 'pty') };
  }
}

function callerKey(address: string | undefined, port: number | undefined): string {
  return `${address ?? ''}|${port ?? 0}`;
}
