import type { Protocol } from './connection.js';
import { subnetOf } from './address.js';
import { CarrierError, ErrorCodes } from './errors.js';

/**
 * Who gets a socket, decided once per process for every front end together: a global
 * cap, a per-address cap, a per-network cap (/24, IPv6 /64), and OpenSSH-style
 * MaxStartups random early drop of connections that have not logged in yet.
 *
 * One refinement over OpenSSH: a caller from a network that has no start-up in progress
 * is never dropped at random (only at `full`). The random drops then fall on networks
 * already holding start-ups, so one network flooding the login screen (up to its
 * per-network cap) does not turn away callers from everywhere else.
 */
export interface StartupLimits {
  /** below this many unauthenticated connections, nobody is dropped */
  start: number;
  /** percent chance of a drop at `start`, rising linearly to 100 at `full` */
  rate: number;
  /** at this many unauthenticated connections every new one is refused */
  full: number;
}

export interface AdmissionLimits {
  /** open sockets across every front end, logged in or not */
  maxConnections: number;
  /** open sockets from one address */
  maxPerIp: number;
  /** open sockets from one /24 (IPv4) or /64 (IPv6) */
  maxPerSubnet: number;
  /** undefined: no start-up limiting */
  startups?: StartupLimits | undefined;
}

/** OpenSSH's default MaxStartups. */
export const DEFAULT_STARTUPS: StartupLimits = { start: 10, rate: 30, full: 100 };

export type RefusalKind = 'full' | 'per-ip' | 'per-subnet' | 'startups';

export const REFUSAL_REASONS: Record<RefusalKind, string> = {
  full: 'server full',
  'per-ip': 'too many connections from your address',
  'per-subnet': 'too many connections from your network',
  startups: 'too many callers logging in right now',
};

export interface AdmissionTicket {
  readonly remoteAddress: string;
  readonly protocol: Protocol;
  readonly admittedAt: number;
  /** true once a caller logged in on this socket */
  readonly authenticated: boolean;
  /** The board logged a caller in: this socket no longer counts as a start-up. */
  markAuthenticated(): void;
  /** The socket closed. Safe to call more than once. */
  release(): void;
}

export type AdmissionResult =
  | { ok: true; ticket: AdmissionTicket }
  | { ok: false; kind: RefusalKind; reason: string };

export interface AdmissionObserver {
  admitted?(ticket: AdmissionTicket): void;
  refused?(remoteAddress: string, protocol: Protocol, kind: RefusalKind): void;
  /** `ticket.authenticated` tells a login apart from a connection that never logged in */
  released?(ticket: AdmissionTicket): void;
}

/**
 * Hands a ticket's socket back to its front end to be closed (a new ban); `say` is a line
 * for the caller first (the accept path's "This address is banned."), none when silent.
 */
export type Disconnect = (reason: string, say?: string) => void;

interface Entry extends AdmissionTicket {
  disconnect: Disconnect | undefined;
}

export class Admission {
  private limits: AdmissionLimits;
  private readonly random: () => number;
  private readonly clock: () => number;
  private readonly open = new Set<Entry>();
  private readonly perIp = new Map<string, number>();
  private readonly perSubnet = new Map<string, number>();
  private readonly startupsPerSubnet = new Map<string, number>();
  private unauthenticated = 0;
  private readonly observers = new Set<AdmissionObserver>();

  constructor(limits: AdmissionLimits, opts: { random?: () => number; clock?: () => number } = {}) {
    this.limits = checkLimits(limits);
    this.random = opts.random ?? Math.random;
    this.clock = opts.clock ?? Date.now;
  }

  setLimits(limits: AdmissionLimits): void {
    this.limits = checkLimits(limits);
  }

  /** Returns the unsubscribe. Observer exceptions are the observer's problem, never admission's. */
  observe(observer: AdmissionObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  admit(remoteAddress: string, protocol: Protocol): AdmissionResult {
    const subnet = subnetOf(remoteAddress);
    const kind = this.refusal(remoteAddress, subnet);
    if (kind) {
      this.notify((o) => o.refused?.(remoteAddress, protocol, kind));
      return { ok: false, kind, reason: REFUSAL_REASONS[kind] };
    }
    this.perIp.set(remoteAddress, (this.perIp.get(remoteAddress) ?? 0) + 1);
    this.perSubnet.set(subnet, (this.perSubnet.get(subnet) ?? 0) + 1);
    this.startupsPerSubnet.set(subnet, (this.startupsPerSubnet.get(subnet) ?? 0) + 1);
    this.unauthenticated++;
    const self = this;
    let authenticated = false;
    let released = false;
    const entry: Entry = {
      remoteAddress,
      protocol,
      admittedAt: this.clock(),
      disconnect: undefined,
      get authenticated() {
        return authenticated;
      },
      markAuthenticated() {
        if (authenticated || released) return;
        authenticated = true;
        self.unauthenticated--;
        decrement(self.startupsPerSubnet, subnet);
      },
      release() {
        if (released) return;
        released = true;
        self.open.delete(entry);
        if (!authenticated) {
          self.unauthenticated--;
          decrement(self.startupsPerSubnet, subnet);
        }
        decrement(self.perIp, remoteAddress);
        decrement(self.perSubnet, subnet);
        self.notify((o) => o.released?.(entry));
      },
    };
    this.open.add(entry);
    this.notify((o) => o.admitted?.(entry));
    return { ok: true, ticket: entry };
  }

  /** Front ends say how to close a ticket's socket, so a ban can reach sockets already open. */
  onDisconnect(ticket: AdmissionTicket, disconnect: Disconnect): void {
    const entry = ticket as Entry;
    if (this.open.has(entry)) entry.disconnect = disconnect;
  }

  /** Close every open socket whose address matches (telling its caller `say`); returns how many. */
  disconnectWhere(match: (remoteAddress: string) => boolean, reason: string, say?: string): number {
    let n = 0;
    for (const entry of [...this.open]) {
      if (!match(entry.remoteAddress) || !entry.disconnect) continue;
      n++;
      try {
        entry.disconnect(reason, say);
      } catch {
        /* the socket is going away anyway; its close releases the ticket */
      }
    }
    return n;
  }

  counts(): { open: number; unauthenticated: number; authenticated: number } {
    return { open: this.open.size, unauthenticated: this.unauthenticated, authenticated: this.open.size - this.unauthenticated };
  }

  openFrom(remoteAddress: string): number {
    return this.perIp.get(remoteAddress) ?? 0;
  }

  openFromSubnet(remoteAddress: string): number {
    return this.perSubnet.get(subnetOf(remoteAddress)) ?? 0;
  }

  private refusal(remoteAddress: string, subnet: string): RefusalKind | undefined {
    const L = this.limits;
    if (this.open.size >= L.maxConnections) return 'full';
    if ((this.perIp.get(remoteAddress) ?? 0) >= L.maxPerIp) return 'per-ip';
    if ((this.perSubnet.get(subnet) ?? 0) >= L.maxPerSubnet) return 'per-subnet';
    const s = L.startups;
    if (s) {
      if (this.unauthenticated >= s.full) return 'startups';
      const quietNetwork = !this.startupsPerSubnet.has(subnet);
      if (!quietNetwork && dropStartup(this.unauthenticated, s, this.random)) return 'startups';
    }
    return undefined;
  }

  private notify(fn: (o: AdmissionObserver) => void): void {
    for (const o of this.observers) {
      try {
        fn(o);
      } catch {
        /* an observer (audit, penalties) must never break accepting sockets */
      }
    }
  }
}

/**
 * OpenSSH sshd.c `drop_connection`: no drop below `start`, always at `full`, in between
 * a chance rising linearly from `rate`% to 100%.
 */
export function dropStartup(unauthenticated: number, s: StartupLimits, random: () => number): boolean {
  if (unauthenticated >= s.full) return true;
  if (unauthenticated < s.start) return false;
  const p = ((100 - s.rate) * (unauthenticated - s.start)) / (s.full - s.start) + s.rate;
  return random() * 100 < p;
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 1) - 1;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}

function checkLimits(l: AdmissionLimits): AdmissionLimits {
  const bad = (what: string) => new CarrierError(ErrorCodes.CONFIG_INVALID, `admission limits: ${what}`);
  for (const k of ['maxConnections', 'maxPerIp', 'maxPerSubnet'] as const) {
    if (!(l[k] >= 1)) throw bad(`${k} must be at least 1 (got ${l[k]})`);
  }
  const s = l.startups;
  if (s) {
    if (!(s.start >= 1 && s.start <= s.full)) throw bad(`startups needs 1 <= start <= full (got ${s.start}:${s.rate}:${s.full})`);
    if (!(s.rate >= 0 && s.rate <= 100)) throw bad(`startups rate is a percentage 0-100 (got ${s.rate})`);
    // start == full means a hard limit with no random band (OpenSSH allows "MaxStartups 10").
  }
  return { ...l, ...(s ? { startups: { ...s } } : {}) };
}
