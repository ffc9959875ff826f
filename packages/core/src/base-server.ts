import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Connection, Protocol } from './connection.js';
import type { BaseConnection } from './connection.js';
import { client, type Logger } from './log.js';
import { Admission, type AdmissionTicket } from './admission.js';
import { RefusalLog } from './refusal-log.js';

export type AcceptDecision =
  | { allow: true }
  | { allow: false; reason: string; /** say nothing to the peer, log at most a summary */ quiet?: boolean };

/** Consulted for every accepted socket before any protocol byte is read or written. */
/** The one line a banned caller is sent before the close (a bot-trap ban sends nothing). */
export const BANNED_TEXT = 'This address is banned.\r\n';

export type AcceptGate = (remoteAddress: string, protocol: Protocol) => AcceptDecision;

export interface ServerLimits {
  /**
   * listen(2) backlog. Linux clamps it to net.core.somaxconn (4096 on current kernels);
   * a burst of 2,000 simultaneous connects needs well over Node's default of 511.
   */
  backlog: number;
  /** open sockets across this front end, negotiating or not (when no shared Admission is given) */
  maxConnections: number;
  /** open sockets from one address (when no shared Admission is given) */
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
  /**
   * The process-wide admission shared by every front end (global, per-address and
   * per-network caps, MaxStartups). Without one, this front end counts on its own with
   * `limits.maxConnections` and `limits.maxPerIp` and no start-up limiting.
   */
  admission?: Admission;
  /** One summary line per refused address per minute; shared like `admission`. */
  refusals?: RefusalLog;
}

export interface AcceptContext {
  /** the address with any IPv4-mapped prefix removed */
  remoteAddress: string;
  remotePort: number;
  /** this socket's place in admission; `resolve(conn, ctx)` ties the Connection to it */
  ticket: AdmissionTicket;
}

export function normalizeAddress(addr: string | undefined): string {
  if (!addr) return 'unknown';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

/**
 * What every front end shares: a net.Server with a real backlog, the ban gate and the
 * admission caps applied at accept, and the list of connections it has handed to the
 * engine. A front end implements `handleSocket` (negotiate, then `resolve` a Connection).
 *
 * Events: 'connection' (conn: Connection) once negotiation has settled.
 */
export abstract class BaseServer extends EventEmitter {
  readonly protocol: Protocol;
  protected readonly log: Logger;
  protected readonly limits: ServerLimits;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** refused sockets still saying why; destroyed by their timer or by close() */
  private readonly refusedSockets = new Set<net.Socket>();
  private readonly perIp = new Map<string, number>();
  private readonly connections = new Map<string, Connection>();
  /** tickets of sockets not yet resolved into a Connection, for front ends that resolve without ctx */
  private readonly unbound = new Map<string, Set<AdmissionTicket>>();
  private readonly connOf = new WeakMap<AdmissionTicket, BaseConnection>();
  private readonly admission: Admission;
  private readonly refusals: RefusalLog;
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
    this.admission =
      opts.admission ??
      new Admission({ maxConnections: opts.limits.maxConnections, maxPerIp: opts.limits.maxPerIp, maxPerSubnet: Number.POSITIVE_INFINITY });
    this.refusals = opts.refusals ?? new RefusalLog(this.log);
    this.host = opts.host;
    this.port = opts.port;
    this.server = net.createServer({ noDelay: true, pauseOnConnect: true }, (s) => this.onSocket(s));
    this.server.on('error', (err) => this.emit('error', err));
  }

  setGate(gate: AcceptGate | undefined): void {
    this.gate = gate;
  }

  /**
   * Front-end specific text (or bytes) for a refused connection (before any protocol
   * byte). The default tells a banned caller why in one line and says nothing for other
   * reasons; ssh sends a DISCONNECT its clients print.
   */
  protected refusalText(reason: string): string | Buffer | undefined {
    return reason === 'banned' ? BANNED_TEXT : undefined;
  }

  protected abstract handleSocket(socket: net.Socket, ctx: AcceptContext): void;

  /**
   * A ban (or another disconnect) reaches a socket whose Connection is not made yet (ssh
   * authenticating, telnet negotiating): by default it is cut. A front end whose protocol
   * can still say `say` at that stage (ssh: a DISCONNECT with it) overrides this, and must
   * destroy the socket soon after, whatever the peer does.
   */
  protected closeBeforeSession(socket: net.Socket, _say: string | undefined): void {
    socket.destroy();
  }

  private onSocket(socket: net.Socket): void {
    const remoteAddress = normalizeAddress(socket.remoteAddress);
    socket.on('error', () => {
      /* ECONNRESET and friends: the close handler below does the bookkeeping */
    });
    if (this.closing) {
      socket.destroy();
      return;
    }
    const gate = this.gate?.(remoteAddress, this.protocol);
    if (gate && !gate.allow) {
      this.refuse(socket, remoteAddress, gate.reason, gate.quiet === true);
      return;
    }
    const admitted = this.admission.admit(remoteAddress, this.protocol);
    if (!admitted.ok) {
      this.refuse(socket, remoteAddress, admitted.reason, false);
      return;
    }
    const ticket = admitted.ticket;
    this.sockets.add(socket);
    this.perIp.set(remoteAddress, (this.perIp.get(remoteAddress) ?? 0) + 1);
    this.bindLater(ticket);
    this.admission.onDisconnect(ticket, (reason, say) => {
      // A ban reaches sockets already open: the session hears why, and a caller whose
      // connection is up is told in the protocol's own way (never raw bytes into ssh).
      const conn = this.connOf.get(ticket);
      if (!conn) {
        this.closeBeforeSession(socket, say);
        return;
      }
      if (say !== undefined && !conn.closed) conn.write(say);
      conn.close(reason);
      socket.destroy();
    });
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.unbindTicket(ticket);
      ticket.release();
      const n = (this.perIp.get(remoteAddress) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(remoteAddress);
      else this.perIp.set(remoteAddress, n);
    });
    socket.setKeepAlive(true, 60_000);
    this.log.info('connect', { remote: remoteAddress, port: socket.remotePort });
    try {
      this.handleSocket(socket, { remoteAddress, remotePort: socket.remotePort ?? 0, ticket });
      socket.resume();
    } catch (err) {
      this.log.error('frontend.crash', { remote: remoteAddress, err });
      socket.destroy();
    }
  }

  /**
   * Closed before any protocol byte. A quiet refusal (a bot-trap ban) says nothing to the peer; the
   * others get the front end's one line. Either way the log gets one line per address per
   * minute, so a flood of refused connects is not a flood of log lines.
   */
  private refuse(socket: net.Socket, remoteAddress: string, reason: string, quiet: boolean): void {
    this.refusals.note(remoteAddress, this.protocol, reason);
    const text = quiet ? undefined : this.refusalText(reason);
    if (!text) {
      socket.destroy();
      return;
    }
    this.refusedSockets.add(socket);
    socket.once('close', () => this.refusedSockets.delete(socket));
    socket.end(text);
    // Read (and drop) whatever the peer sends, so its FIN is seen and the socket closes.
    socket.on('data', () => undefined);
    socket.resume();
    setTimeout(() => socket.destroy(), 2000).unref();
  }

  private bindLater(ticket: AdmissionTicket): void {
    let set = this.unbound.get(ticket.remoteAddress);
    if (!set) this.unbound.set(ticket.remoteAddress, (set = new Set()));
    set.add(ticket);
  }

  private unbindTicket(ticket: AdmissionTicket): void {
    const set = this.unbound.get(ticket.remoteAddress);
    if (!set) return;
    set.delete(ticket);
    if (set.size === 0) this.unbound.delete(ticket.remoteAddress);
  }

  /**
   * A front end hands over a negotiated Connection; the engine hears 'connection'. With
   * the socket's `ctx`, a login on the Connection frees exactly that socket's start-up
   * slot; without it, the oldest unresolved socket from the same address stands in
   * (same address, so every count stays right).
   */
  protected resolve(conn: BaseConnection, ctx?: AcceptContext): void {
    if (conn.closed) return;
    const ticket = ctx?.ticket ?? this.unbound.get(conn.remoteAddress)?.values().next().value;
    if (ticket) {
      this.unbindTicket(ticket);
      this.connOf.set(ticket, conn);
      if (conn.authenticated) ticket.markAuthenticated();
      else conn.once('authenticated', () => ticket.markAuthenticated());
    }
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
    for (const s of this.refusedSockets) s.destroy();
    await closed;
  }
}
