import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { PresenceEntry, Topic, TopicPayload } from './topics.js';

// PresenceEntry lives with the other bus payloads in topics.ts (a leaf: no import cycle).
export type { PresenceEntry } from './topics.js';

/** Who is online, board-wide. Every change is also published on the presence.* topics. */
export interface Presence {
  /** The lowest node number nobody holds, reserved for this session until `remove`. */
  claimNode(sessionId: string): Promise<number>;
  /** Store the entry; publishes presence.join the first time, presence.update after. */
  update(entry: PresenceEntry): Promise<void>;
  /** Forget the session and free its node; publishes presence.leave. Idempotent. */
  remove(sessionId: string): Promise<void>;
  snapshot(): Promise<PresenceEntry[]>;
}

/**
 * The name of one start of a carrier process: `host:pid:random`. Host and pid alone are
 * not enough: in a container carrier is PID 1 under a hostname that survives a restart,
 * so a restarted process would inherit the dead one's name (and its callers).
 * `nonce` lets the cluster primary name a worker before it forks it.
 */
export function newProcessId(pid: number = process.pid, nonce: string = randomBytes(4).toString('hex')): string {
  return `${hostname()}:${pid}:${nonce}`;
}

/**
 * True when `other` is an earlier start of the process named `self`: same host and pid,
 * another start (or the `host:pid` of a carrier from before unique ids). Two live
 * processes never share a host and a pid, so such an entry was left by a dead one.
 */
export function isEarlierStart(self: string, other: string): boolean {
  if (other === self) return false;
  const slot = self.slice(0, self.lastIndexOf(':'));
  return other === slot || other.startsWith(`${slot}:`);
}

type Publish = <T extends Topic>(topic: T, payload: TopicPayload<T>) => void;

/** Presence for a board served by one process. */
export class InProcessPresence implements Presence {
  private readonly nodeOf = new Map<string, number>();
  private readonly heldNodes = new Set<number>();
  private readonly entries = new Map<string, PresenceEntry>();

  constructor(private readonly publish: Publish) {}

  async claimNode(sessionId: string): Promise<number> {
    const held = this.nodeOf.get(sessionId);
    if (held !== undefined) return held;
    // A linear scan: node counts are in the thousands at most and claims happen once per call.
    let node = 1;
    while (this.heldNodes.has(node)) node++;
    this.heldNodes.add(node);
    this.nodeOf.set(sessionId, node);
    return node;
  }

  async update(entry: PresenceEntry): Promise<void> {
    const known = this.entries.has(entry.sessionId);
    const node = this.nodeOf.get(entry.sessionId);
    // An entry without a claim (or with another node) would let two callers show one node.
    const stored: PresenceEntry = { ...entry, node: node ?? (await this.claimNode(entry.sessionId)) };
    this.entries.set(entry.sessionId, stored);
    this.publish(known ? 'presence.update' : 'presence.join', stored);
  }

  async remove(sessionId: string): Promise<void> {
    const node = this.nodeOf.get(sessionId);
    if (node === undefined) return;
    const entry = this.entries.get(sessionId);
    this.nodeOf.delete(sessionId);
    this.heldNodes.delete(node);
    this.entries.delete(sessionId);
    this.publish('presence.leave', { sessionId, node, handle: entry?.handle ?? null, processId: entry?.processId ?? '' });
  }

  async snapshot(): Promise<PresenceEntry[]> {
    return [...this.entries.values()].map((e) => ({ ...e, terminal: { ...e.terminal } }));
  }
}
