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
