import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Connection, Protocol } from './connection.js';
import type { BaseConnection } from './connection.js';
import { client, type Logger } from './log.js';

export type AcceptDecision =
  | { allow: true }
  | { allow: false; reason: string; /** say nothing to the peer, log at most a summary */ quiet?: boolean };

/** Consulted for every accepted socket before any protocol byte is read or written. */
export type AcceptGate = (remoteAddress: string, protocol: Protocol) => AcceptDecision;

export interface ServerLimits {
  /**
   * listen(2) backlog. Linux clamps it to net.core.somaxconn (4096 on current kernels);
   * a burst of 2,000 simultaneous connects needs well over Node's default of 511.
   */
  backlog: number;
  /** open sockets across this front end, negotiating or not */
  maxConnections: number;
  /** open sockets from one address */
  maxPerIp: number;
}

export const DEFAULT_LIMITS: ServerLimits = { backlog: 4096, maxConnections: 1000, maxPerIp: 8 };

export interface BaseServerOptions {
  protocol: Protocol;
  host: string;
  port: number;
  limits: ServerLimits;
  log: Logger;
  gate?: AcceptGate;
}

export interface AcceptContext {
  /** the address with any IPv4-mapped prefix removed */
  remoteAddress: string;
  remotePort: number;
}

export function normalizeAddress(addr: string | undefined): string {
  if (!addr) return 'unknown';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

/**
 * What every front end shares: a net.Server with a real backlog, the caps and the ban
 * gate applied at accept, and the list of connections it has handed to the engine.
 * A front end implements `handleSocket` (negotiate, then `resolve` a Connection).
 *
 * Events: 'connection' (conn: Connection) once negotiation has settled.
 */
export abstract class BaseServer extends EventEmitter {
  readonly protocol: Protocol;
  protected readonly log: Logger;
  protected readonly limits: ServerLimits;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly perIp = new Map<string, number>();
  private readonly connections = new Map<string, Connection>();
  private gate: AcceptGate | undefined;
  private host: string;
  private port: number;
  private closing = false;

  constructor(opts: BaseServerOptions) {
    super();
    this.protocol = opts.protocol;
    this.log = opts.log.child({ frontEnd: opts.protocol });
    this.limits = opts.limits;
    this.gate = opts.gate;
    this.host = opts.host;
    this.port = opts.port;
    this.server = net.createServer({ noDelay: true, pauseOnConnect: true }, (s) => this.onSocket(s));
    this.server.on('error', (err) => this.emit('error', err));
  }

  setGate(gate: AcceptGate | undefined): void {
    this.gate = gate;
  }

  /** Front-end specific text for a refused connection (before any protocol byte). */
  protected refusalText(_reason: string): string | undefined {
    return undefined;
  }

  protected abstract handleSocket(socket: net.Socket, ctx: AcceptContext): void;

  private onSocket(socket: net.Socket): void {
    const remoteAddress = normalizeAddress(socket.remoteAddress);
    socket.on('error', () => {
      /* ECONNRESET and friends: the close handler below does the bookkeeping */
    });
    if (this.closing) {
      socket.destroy();
      return;
    }
    const decision = this.admit(remoteAddress);
    if (!decision.allow) {
      if (!decision.quiet) {
        this.log.info('connect.refused', { remote: remoteAddress, reason: decision.reason });
        const text = this.refusalText(decision.reason);
        if (text) {
          socket.end(text);
          setTimeout(() => socket.destroy(), 2000).unref();
          return;
        }
      }
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    this.perIp.set(remoteAddress, (this.perIp.get(remoteAddress) ?? 0) + 1);
    socket.once('close', () => {
      this.sockets.delete(socket);
      const n = (this.perIp.get(remoteAddress) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(remoteAddress);
      else this.perIp.set(remoteAddress, n);
    });
    socket.setKeepAlive(true, 60_000);
    this.log.info('connect', { remote: remoteAddress, port: socket.remotePort });
    try {
      this.handleSocket(socket, { remoteAddress, remotePort: socket.remotePort ?? 0 });
      socket.resume();
    } catch (err) {
      this.log.error('frontend.crash', { remote: remoteAddress, err });
      socket.destroy();
    }
  }

  private admit(remoteAddress: string): AcceptDecision {
    const gate = this.gate?.(remoteAddress, this.protocol);
    if (gate && !gate.allow) return gate;
    if (this.sockets.size >= this.limits.maxConnections) return { allow: false, reason: 'server full' };
    if ((this.perIp.get(remoteAddress) ?? 0) >= this.limits.maxPerIp) {
      return { allow: false, reason: 'too many connections from your address' };
    }
    return { allow: true };
  }

  /** A front end hands over a negotiated Connection; the engine hears 'connection'. */
  protected resolve(conn: BaseConnection): void {
    if (conn.closed) return;
    this.connections.set(conn.id, conn);
    conn.once('close', (reason: string) => {
      this.connections.delete(conn.id);
      this.log.info('disconnect', { conn: conn.id, remote: conn.remoteAddress, reason: client(reason) });
    });
    this.emit('connection', conn);
  }

  /** Sockets open right now, negotiating or not. */
  clientCount(): number {
    return this.sockets.size;
  }

  /** Connections handed to the engine and still open. */
  clientList(): Connection[] {
    return [...this.connections.values()];
  }

  connectionsFrom(remoteAddress: string): number {
    return this.perIp.get(remoteAddress) ?? 0;
  }

  async listen(): Promise<{ host: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host: this.host, port: this.port, backlog: this.limits.backlog }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const addr = this.server.address() as net.AddressInfo;
    this.port = addr.port;
    this.log.info('listen', { host: addr.address, port: addr.port, backlog: this.limits.backlog });
    return { host: addr.address, port: addr.port };
  }

  address(): { host: string; port: number } {
    return { host: this.host, port: this.port };
  }

  /** Stop listening, tell every connected caller `farewell`, and close them. */
  async close(farewell = 'The board is going down. Call again soon.'): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const conn of this.connections.values()) {
      try {
        conn.write(`\r\n${farewell}\r\n`);
      } catch {
        /* the peer may be gone already */
      }
      conn.close('server shutdown');
    }
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}
