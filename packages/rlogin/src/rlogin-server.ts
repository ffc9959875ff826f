import type net from 'node:net';
import { BaseServer, client, type AcceptContext, type BaseServerOptions } from '@carrier/core';
import { AddressList } from './address-list.js';
import { RloginHandshakeParser, type RloginHandshake, type RloginHandshakeStep } from './handshake.js';
import { decideRloginLogin, type RloginLoginPolicy } from './login-policy.js';
import { RloginConnection } from './rlogin-connection.js';
import { rloginTerminal } from './terminal.js';

/** The customary unprivileged rlogin port for BBSes (513 needs root). */
export const RLOGIN_DEFAULT_PORT = 5513;
/** netkit and SyncTERM send the handshake in one write; 10 s covers the slowest link. */
export const RLOGIN_DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/**
 * Old SyncTERM omits the final NUL and waits for ours. Once the terminal field has
 * arrived and nothing more comes for this long, the handshake is taken as complete.
 */
const FINAL_NUL_SETTLE_MS = 500;
/** RFC 1282: the server acknowledges the handshake with one zero byte. */
const HANDSHAKE_ACK = Buffer.from([0]);

export interface RloginServerOptions extends Omit<BaseServerOptions, 'protocol' | 'port'> {
  /** default RLOGIN_DEFAULT_PORT */
  port?: number;
  /** default RLOGIN_DEFAULT_HANDSHAKE_TIMEOUT_MS */
  handshakeTimeoutMs?: number;
  /** Exact IPs or CIDRs whose server-user is the handle, no password asked. Default none. */
  trusted?: readonly string[];
  /** Exact IPs or CIDRs whose clients send the password in client-user (SyncTERM). Default none. */
  synctermOrder?: readonly string[];
}

/**
 * rlogin front end (RFC 1282). Off unless the server wiring enables it. Reads the
 * handshake under a deadline, answers one NUL, and hands the engine a Connection whose
 * names are a hint, or an identity for allowlisted hosts.
 */
export class RloginServer extends BaseServer {
  private readonly handshakeTimeoutMs: number;
  private readonly policy: RloginLoginPolicy;

  constructor(opts: RloginServerOptions) {
    super({ ...opts, protocol: 'rlogin', port: opts.port ?? RLOGIN_DEFAULT_PORT });
    this.handshakeTimeoutMs = opts.handshakeTimeoutMs ?? RLOGIN_DEFAULT_HANDSHAKE_TIMEOUT_MS;
    this.policy = {
      trusted: new AddressList(opts.trusted ?? [], 'rlogin.trusted'),
      synctermOrder: new AddressList(opts.synctermOrder ?? [], 'rlogin.synctermOrder'),
    };
  }

  /** rlogind's error form: a first byte of 1 instead of 0, then the text the client prints. */
  protected override refusalText(reason: string): string | undefined {
    const text = super.refusalText(reason);
    return text === undefined ? undefined : `\x01${text}`;
  }

  protected handleSocket(socket: net.Socket, ctx: AcceptContext): void {
    const parser = new RloginHandshakeParser();
    let received = 0;
    let settle: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => {
      this.log.info('rlogin.handshake_timeout', { remote: ctx.remoteAddress, received });
      stop();
      socket.destroy();
    }, this.handshakeTimeoutMs);
    const stop = (): void => {
      clearTimeout(deadline);
      if (settle) clearTimeout(settle);
      socket.off('data', onData);
      socket.off('close', stop);
    };
    const onStep = (step: RloginHandshakeStep): void => {
      if (step.error) {
        this.log.info('rlogin.handshake_invalid', { remote: ctx.remoteAddress, code: step.error, received });
        stop();
        socket.destroy();
        return;
      }
      if (step.done) {
        stop();
        this.accept(socket, ctx, step);
        return;
      }
      if (settle) clearTimeout(settle);
      settle = parser.canFinishWithoutFinalNul
        ? setTimeout(() => onStep(parser.finishWithoutFinalNul()), Math.min(FINAL_NUL_SETTLE_MS, this.handshakeTimeoutMs / 2))
        : undefined;
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      onStep(parser.push(chunk));
    };
    socket.on('data', onData);
    socket.once('close', stop);
  }

  private accept(socket: net.Socket, ctx: AcceptContext, handshake: RloginHandshake): void {
    const login = decideRloginLogin(handshake, ctx.remoteAddress, this.policy);
    const conn = new RloginConnection({
      socket,
      remoteAddress: ctx.remoteAddress,
      terminal: rloginTerminal(handshake),
      login,
    });
    // The client-user field is deliberately absent: under SyncTERM's order it is a password.
    this.log.info('rlogin.handshake', {
      conn: conn.id,
      remote: ctx.remoteAddress,
      user: client(login.identity?.user ?? login.loginHint ?? ''),
      trusted: login.identity !== undefined,
      term: client(handshake.terminalField),
    });
    socket.write(HANDSHAKE_ACK);
    this.resolve(conn, ctx);
    conn.receive(handshake.rest);
  }
}
