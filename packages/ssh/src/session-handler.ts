import type { Connection as SshClient, ServerChannel, Session, SFTPWrapper } from 'ssh2';
import { client, TokenBucket, type ClientText, type Logger } from '@carrier/core';
import { parseScpCommand, type ScpRequest } from './scp-server.js';
import { decideEnv, decidePty, EXEC_REFUSAL, type PtyRequest } from './session-requests.js';

/**
 * Session channels one connection may hold open at once. One becomes the shell; the
 * rest can only be refused execs and the like (OpenSSH MaxSessions is 10).
 */
const MAX_OPEN_SESSIONS = 4;
/**
 * Requests of every kind per connection: a burst of 200, then 100 a second. Far above
 * a person resizing a window, far below a window-change or env flood.
 */
const REQUEST_BURST = 200;
const REQUESTS_PER_SECOND = 100;

/** A session's requests before its shell started. */
export interface PendingSession {
  pty: PtyRequest | undefined;
  env: Record<string, string>;
}

export interface SshSessionHandlerOptions {
  sshClient: SshClient;
  remoteAddress: string;
  log: Logger;
  /** The caller's one shell: build the Connection. Returns the resize sink for window-change. */
  onShell: (channel: ServerChannel, session: PendingSession) => { resize(cols: number, rows: number): void };
  /** The caller flooded requests or channels; the server disconnects it. */
  onFlood: () => void;
  /** The `sftp` subsystem on the board's login: false (or absent) refuses it. */
  onSftp?: ((sftp: SFTPWrapper) => boolean) | undefined;
  /** Legacy scp (`scp -t`/`scp -f` execs) on the board's login: false (or absent) refuses it. */
  onScp?: ((channel: ServerChannel, req: ScpRequest) => boolean) | undefined;
}

/**
 * Everything an authenticated SSH connection may ask for after login, each answered
 * explicitly: sessions with pty/env/window-change/shell are served; exec gets a
 * one-line refusal and exit status 1; sftp and other subsystems, X11, agent and port
 * forwarding (tcpip, streamlocal) are refused. One shell per connection.
 */
export class SshSessionHandler {
  private readonly budget = new TokenBucket(REQUEST_BURST, REQUESTS_PER_SECOND);
  private openSessions = 0;
  private shellStarted = false;
  private flooded = false;

  constructor(private readonly opts: SshSessionHandlerOptions) {}

  /** Start answering the connection's channel opens and global requests. */
  listen(): this {
    const c = this.opts.sshClient;
    c.on('session', (accept, reject) => {
      if (!this.spend()) return reject();
      if (this.openSessions >= MAX_OPEN_SESSIONS) {
        this.refused('session', 'too many open sessions');
        return reject();
      }
      this.openSessions++;
      const session = accept();
      session.once('close', () => this.openSessions--);
      this.serve(session);
    });
    c.on('tcpip', (_accept, reject, info) => {
      if (!this.spend()) return reject();
      this.refused('direct-tcpip', client(`${info.destIP}:${info.destPort}`));
      reject();
    });
    c.on('openssh.streamlocal', (_accept, reject) => {
      if (!this.spend()) return reject();
      this.refused('direct-streamlocal');
      reject();
    });
    c.on('request', (_accept: unknown, reject: (() => void) | undefined, name: string) => {
      if (!this.spend()) return reject?.();
      this.refused('global-request', client(name));
      reject?.();
    });
    return this;
  }

  private serve(session: Session): void {
    const pending: PendingSession = { pty: undefined, env: {} };
    let resize: ((cols: number, rows: number) => void) | undefined;

    session.on('pty', (accept, reject, info) => {
      if (!this.spend()) return reject?.();
      pending.pty = decidePty(info);
      accept?.();
    });
    session.on('window-change', (accept, reject, info) => {
      if (!this.spend()) return reject?.();
      if (resize) resize(info.cols, info.rows);
      else if (pending.pty) pending.pty = { ...pending.pty, cols: info.cols, rows: info.rows };
      else pending.pty = { term: '', cols: info.cols, rows: info.rows };
      accept?.();
    });
    session.on('env', (accept, reject, info) => {
      if (!this.spend()) return reject?.();
      const decision = decideEnv(pending.env, info.key, info.val);
      if (!decision.accept) return reject?.();
      pending.env[decision.key] = decision.value;
      accept?.();
    });
    session.on('shell', (accept, reject) => {
      if (!this.spend()) return reject?.();
      if (this.shellStarted) {
        this.refused('shell', 'one shell per connection');
        return reject?.();
      }
      this.shellStarted = true;
      const channel = accept();
      if (channel) resize = this.opts.onShell(channel, pending).resize;
    });
    session.on('exec', (accept, reject, info) => {
      if (!this.spend()) return reject?.();
      // The one command served: legacy scp, parsed (never run) and served with the board's rules.
      const scp = this.opts.onScp ? parseScpCommand(info.command) : undefined;
      let refusal = EXEC_REFUSAL;
      if (typeof scp === 'object') {
        const channel = accept();
        if (!channel) return;
        if (this.opts.onScp?.(channel, scp)) return;
        this.refused('exec', client(info.command));
        this.endExec(channel, 'carrier: scp is not available on this login');
        return;
      }
      if (typeof scp === 'string') refusal = `carrier: ${scp}`;
      this.refused('exec', client(info.command));
      const channel = accept();
      if (channel) this.endExec(channel, refusal);
    });
    session.on('sftp', (accept, reject) => {
      if (!this.spend()) return reject?.();
      if (!this.opts.onSftp) {
        this.refused('subsystem', 'sftp');
        return reject?.();
      }
      const sftp = accept();
      if (!this.opts.onSftp(sftp)) sftp.end();
    });
    session.on('subsystem', (_accept, reject, info) => {
      if (!this.spend()) return reject?.();
      this.refused('subsystem', client(info.name));
      reject?.();
    });
    for (const kind of ['x11', 'auth-agent', 'signal'] as const) {
      session.on(kind, (_accept: unknown, reject: (() => void) | undefined) => {
        if (!this.spend()) return reject?.();
        this.refused(kind);
        reject?.();
      });
    }
  }

  /** A refused exec: one line on stderr, exit status 1. */
  private endExec(channel: ServerChannel, line: string): void {
    channel.on('error', () => {});
    channel.stderr.write(`${line}\r\n`);
    channel.exit(1);
    channel.end();
  }

  /** One token per request; an empty bucket is a flood and ends the connection, once. */
  private spend(): boolean {
    if (this.flooded) return false;
    if (this.budget.take()) return true;
    this.flooded = true;
    this.opts.log.warn('ssh.flood', { remote: this.opts.remoteAddress });
    this.opts.onFlood();
    return false;
  }

  private refused(request: string, detail?: string | ClientText): void {
    this.opts.log.info('ssh.request_refused', { remote: this.opts.remoteAddress, request, detail });
  }
}
