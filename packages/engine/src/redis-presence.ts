import type { Redis } from 'ioredis';
import { CarrierError, ErrorCodes, type Logger } from '@carrier/core';
import { isEarlierStart, type Presence, type PresenceEntry } from './presence.js';
import { decodePresenceEntry, encodePresenceEntry } from './presence-codec.js';
import {
  CLAIM_NODE_LUA,
  HEARTBEAT_LUA,
  nodeOwner,
  RECLAIM_NODES_LUA,
  RELEASE_NODE_LUA,
  RELEASE_NODES_LUA,
  SWEEP_LUA,
  type RedisLayout,
} from './redis-layout.js';
import { reapProcess, type Publish, type ScriptFn } from './redis-reap.js';

/**
 * A process announces itself, refreshes its node keys and looks for dead processes this
 * often, in one round trip (HEARTBEAT_LUA): one write a second per process.
 */
export const HEARTBEAT_MS = 1_000;
/**
 * A process that stops heartbeating (kill -9, a host gone) drops out of who's online
 * after this, and its node numbers become free: a beat may be up to 1.5 s late on a busy
 * host before it counts as a death. A live process whose heartbeat sees another's alive
 * key due to expire before its own next beat checks again just after that moment
 * (SWEEP_LUA), so the reaper publishes the dead one's presence.leave within about
 * 100 ms of the expiry: 1.5-2.5 s after a kill -9 (measured in docs/benchmarks.md).
 */
export const ALIVE_TTL_MS = 2_500;
/** How long after a due expiry the sweep looks: Redis expires a key it is asked about at once. */
const SWEEP_AFTER_MS = 20;
/**
 * A process's session hash outlives its `alive` key so the process that reaps it can
 * still read which callers to announce as gone; past this Redis drops it by itself, for
 * the case where no process was alive to reap.
 */
export const SESSIONS_GC_MS = 60_000;
/** Far beyond any board; it bounds the claim script's scan. */
export const MAX_NODE = 100_000;

function defineScript(redis: Redis, name: string, lua: string, numberOfKeys?: number): ScriptFn {
  redis.defineCommand(name, numberOfKeys === undefined ? { lua } : { lua, numberOfKeys });
  const commands = redis as unknown as Record<string, ScriptFn>;
  return (...args) => commands[name]!(...args);
}

export interface RedisPresenceOptions {
  /** the command connection (no offline queue: a command fails at once while Redis is away) */
  redis: Redis;
  layout: RedisLayout;
  processId: string;
  log: Logger;
  /** to this process's subscribers and, while the link is up, to every other process */
  publish: Publish;
  /** to the other processes only: a republish must not replay joins to local subscribers */
  publishRemote: Publish;
  /** true while both Redis connections are ready */
  isUp: () => boolean;
  /** this process reaped a dead one (see RedisBusOptions.onProcessGone) */
  onProcessGone?: ((gone: ProcessGone) => void) | undefined;
}

/** A dead process this one cleared off the board, and when its last heartbeat was (0: unknown). */
export interface ProcessGone {
  processId: string;
  lastSeenAt: number;
}

/** A live carrier process on the board, as its heartbeat describes it. */
export interface ProcessInfo {
  processId: string;
  startedAt: number;
  sessions: number;
}

/**
 * Who's online across every process sharing one Redis. Each process keeps its own
 * callers' entries in a hash of its own and heartbeats an `alive` key; a snapshot reads
 * the hashes of live processes. Node numbers are claimed board-wide with SET NX, so two
 * processes never hand out the same one while Redis is reachable.
 *
 * While Redis is away the board degrades to node-local: this process's callers only,
 * and new callers get the lowest node not held here nor seen elsewhere at the last
 * snapshot (unique unless another process does the same meanwhile; such a clash is
 * logged when the link returns and lasts until one of the two callers leaves).
 */
export class RedisPresence implements Presence {
  private readonly redis: Redis;
  private readonly layout: RedisLayout;
  private readonly processId: string;
  private readonly log: Logger;
  private readonly publish: Publish;
  private readonly publishRemote: Publish;
  private readonly isUp: () => boolean;
  private readonly onProcessGone: ((gone: ProcessGone) => void) | undefined;
  private readonly startedAt = Date.now();
  private readonly nodeOf = new Map<string, number>();
  private readonly entries = new Map<string, PresenceEntry>();
  /** node numbers held by other processes at the last good snapshot: avoided while Redis is away */
  private seenElsewhere = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  /** the heartbeat's node key, owner arguments; undefined when a node was claimed or freed since */
  private heartbeatPairs: string[] | undefined;
  private beating = false;
  private announced = false;
  private readonly claimNodeScript: ScriptFn;
  private readonly releaseNodeScript: ScriptFn;
  private readonly reclaimNodesScript: ScriptFn;
  private readonly releaseNodesScript: ScriptFn;
  private readonly heartbeatScript: ScriptFn;
  private readonly sweepScript: ScriptFn;

  constructor(opts: RedisPresenceOptions) {
    this.redis = opts.redis;
    this.layout = opts.layout;
    this.processId = opts.processId;
    this.log = opts.log;
    this.publish = opts.publish;
    this.publishRemote = opts.publishRemote;
    this.isUp = opts.isUp;
    this.onProcessGone = opts.onProcessGone;
    this.claimNodeScript = defineScript(this.redis, 'carrierClaimNode', CLAIM_NODE_LUA, 0);
    this.releaseNodeScript = defineScript(this.redis, 'carrierReleaseNode', RELEASE_NODE_LUA, 1);
    this.reclaimNodesScript = defineScript(this.redis, 'carrierReclaimNodes', RECLAIM_NODES_LUA);
    this.releaseNodesScript = defineScript(this.redis, 'carrierReleaseNodes', RELEASE_NODES_LUA);
    this.heartbeatScript = defineScript(this.redis, 'carrierHeartbeat', HEARTBEAT_LUA, 0);
    this.sweepScript = defineScript(this.redis, 'carrierSweep', SWEEP_LUA, 0);
  }

  /** Clear what an earlier start of this process left, announce this one, and keep announcing it every HEARTBEAT_MS. */
  async start(): Promise<void> {
    await this.clearEarlierStarts();
    await this.heartbeat();
    this.timer = setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  async claimNode(sessionId: string): Promise<number> {
    const held = this.nodeOf.get(sessionId);
    if (held !== undefined) return held;
    let node: number | undefined;
    if (this.isUp()) {
      try {
        const owner = nodeOwner(this.processId, sessionId);
        node = Number(await this.claimNodeScript(this.layout.nodePrefix, owner, ALIVE_TTL_MS, MAX_NODE));
      } catch (err) {
        this.log.debug('presence.claim_offline', { err });
      }
      if (node === 0) throw new CarrierError(ErrorCodes.LIMIT_EXCEEDED, `every node up to ${MAX_NODE} is taken`);
    }
    // A second claim for this session may have finished while we waited on Redis.
    const raced = this.nodeOf.get(sessionId);
    if (raced !== undefined) return raced;
    node ??= this.localNode();
    this.nodeOf.set(sessionId, node);
    this.heartbeatPairs = undefined;
    return node;
  }

  async update(entry: PresenceEntry): Promise<void> {
    const known = this.entries.has(entry.sessionId);
    const node = this.nodeOf.get(entry.sessionId) ?? (await this.claimNode(entry.sessionId));
    // An entry can neither claim a node it does not hold nor speak for another process.
    const stored: PresenceEntry = { ...entry, node, processId: this.processId, terminal: { ...entry.terminal } };
    this.entries.set(entry.sessionId, stored);
    if (this.isUp()) {
      try {
        await this.redis
          .multi()
          .hset(this.layout.sessions(this.processId), entry.sessionId, encodePresenceEntry(stored))
          .pexpire(this.layout.sessions(this.processId), SESSIONS_GC_MS)
          .exec();
      } catch (err) {
        // Republished when the link returns.
        this.log.debug('presence.write_offline', { err });
      }
    }
    this.publish(known ? 'presence.update' : 'presence.join', stored);
  }

  async remove(sessionId: string): Promise<void> {
    const node = this.nodeOf.get(sessionId);
    if (node === undefined) return;
    const entry = this.entries.get(sessionId);
    this.nodeOf.delete(sessionId);
    this.heartbeatPairs = undefined;
    this.entries.delete(sessionId);
    if (this.isUp()) {
      try {
        await Promise.all([
          this.redis.hdel(this.layout.sessions(this.processId), sessionId),
          this.releaseNodeScript(this.layout.node(node), nodeOwner(this.processId, sessionId)),
        ]);
      } catch (err) {
        // The node key expires by itself within ALIVE_TTL_MS; the hash entry goes at the republish.
        this.log.debug('presence.remove_offline', { err });
      }
    }
    this.publish('presence.leave', { sessionId, node, handle: entry?.handle ?? null, processId: this.processId });
  }

  async snapshot(): Promise<PresenceEntry[]> {
    const own = [...this.entries.values()].map(copyEntry);
    if (!this.isUp()) return own;
    try {
      const others = (await this.liveProcesses()).filter((p) => p !== this.processId);
      const pipeline = this.redis.pipeline();
      for (const p of others) pipeline.hvals(this.layout.sessions(p));
      const results = others.length > 0 ? ((await pipeline.exec()) ?? []) : [];
      const remote: PresenceEntry[] = [];
      for (const [err, values] of results) {
        if (err || !Array.isArray(values)) continue;
        for (const raw of values) {
          const e = typeof raw === 'string' ? decodePresenceEntry(raw) : undefined;
          if (e) remote.push(e);
        }
      }
      this.seenElsewhere = new Set(remote.map((e) => e.node));
      return [...own, ...remote];
    } catch (err) {
      this.log.debug('presence.snapshot_offline', { err });
      return own;
    }
  }

  /** Processes whose heartbeat is current, with their caller counts. Empty while Redis is away. */
  async processes(): Promise<ProcessInfo[]> {
    if (!this.isUp()) return [];
    const ids = await this.liveProcesses();
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((p) => this.layout.alive(p)));
    const out: ProcessInfo[] = [];
    values.forEach((raw, i) => {
      if (raw === null) return;
      out.push(parseAlive(raw) ?? { processId: ids[i]!, startedAt: 0, sessions: 0 });
    });
    return out;
  }

  /**
   * After the link returns: Redis may have restarted empty, or other processes may have
   * reaped us. Put back our process, our node claims and our entries, and tell the other
   * processes our callers are (still) here.
   */
  async republish(): Promise<void> {
    if (!this.isUp()) return;
    if (this.nodeOf.size > 0) {
      const { keys, owners, sessionOf } = this.nodeKeys();
      const lost = (await this.reclaimNodesScript(keys.length, ...keys, ALIVE_TTL_MS, ...owners)) as string[];
      for (const key of lost) this.log.warn('presence.node_conflict', { node: Number(key.slice(this.layout.nodePrefix.length)), sessionId: sessionOf.get(key) });
    }
    const hash = this.layout.sessions(this.processId);
    const multi = this.redis.multi().del(hash);
    for (const entry of this.entries.values()) multi.hset(hash, entry.sessionId, encodePresenceEntry(entry));
    await multi.pexpire(hash, SESSIONS_GC_MS).exec();
    this.announced = false;
    await this.heartbeat();
    for (const entry of this.entries.values()) this.publishRemote('presence.join', copyEntry(entry));
    this.log.info('presence.republished', { sessions: this.entries.size });
  }

  /** Stop heartbeating and take this process off the board (its sessions have ended by now). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.timer = undefined;
    this.sweepTimer = undefined;
    if (!this.isUp()) return;
    try {
      await this.redis
        .multi()
        .del(this.layout.alive(this.processId), this.layout.sessions(this.processId))
        .zrem(this.layout.processes, this.processId)
        .exec();
    } catch (err) {
      this.log.debug('presence.close_offline', { err });
    }
  }

  private async heartbeat(): Promise<void> {
    if (this.beating || !this.isUp()) return;
    this.beating = true;
    try {
      const alive: ProcessInfo = { processId: this.processId, startedAt: this.startedAt, sessions: this.entries.size };
      // Built again only when a node was claimed or freed: 500 callers are 1,000 strings a second.
      if (!this.heartbeatPairs) {
        const { keys, owners } = this.nodeKeys();
        this.heartbeatPairs = keys.flatMap((key, i) => [key, owners[i]!]);
      }
      const pairs = this.heartbeatPairs;
      const [added, , dead, soonest] = (await this.heartbeatScript(
        ...this.scanArgs(),
        JSON.stringify(alive),
        ALIVE_TTL_MS,
        Date.now(),
        this.layout.sessions(this.processId),
        SESSIONS_GC_MS,
        ...pairs,
      )) as [number, number, string[], number];
      const wasAnnounced = this.announced;
      this.announced = true;
      if (wasAnnounced && Number(added) === 1) {
        // Someone reaped us (we stalled past ALIVE_TTL_MS): our callers vanished from
        // every other process's who's online. Put them back.
        this.log.warn('presence.reaped_while_alive', { sessions: this.entries.size });
        this.beating = false;
        await this.republish();
        return;
      }
      await this.afterScan(dead, Number(soonest));
    } catch (err) {
      this.log.debug('presence.heartbeat_failed', { err });
    } finally {
      this.beating = false;
    }
  }

  /**
   * Reap the processes the scan found dead; if another one's alive key runs out before
   * our next heartbeat, look again just after it does (a read, only while one is dying).
   */
  private async afterScan(dead: string[], soonest: number): Promise<void> {
    for (let i = 0; i + 1 < dead.length; i += 2) await this.reap(dead[i]!, Number(dead[i + 1]) || 0, 'presence.reaped');
    if (soonest < 0 || soonest >= HEARTBEAT_MS || this.sweepTimer !== undefined || this.timer === undefined) return;
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = undefined;
      void this.sweep();
    }, soonest + SWEEP_AFTER_MS);
    this.sweepTimer.unref();
  }

  private async sweep(): Promise<void> {
    if (!this.isUp() || this.timer === undefined) return;
    try {
      const [dead, soonest] = (await this.sweepScript(...this.scanArgs())) as [string[], number];
      await this.afterScan(dead, Number(soonest));
    } catch (err) {
      this.log.debug('presence.sweep_failed', { err });
    }
  }

  private scanArgs(): string[] {
    return [this.layout.processes, this.layout.alivePrefix, this.processId];
  }

  /** This process's node keys and their owner values, in the same order. */
  private nodeKeys(): { keys: string[]; owners: string[]; sessionOf: Map<string, string> } {
    const keys: string[] = [];
    const owners: string[] = [];
    const sessionOf = new Map<string, string>();
    for (const [sessionId, node] of this.nodeOf) {
      const key = this.layout.node(node);
      keys.push(key);
      owners.push(nodeOwner(this.processId, sessionId));
      sessionOf.set(key, sessionId);
    }
    return { keys, owners, sessionOf };
  }

  /**
   * A container restarts carrier as PID 1 under the same hostname: whatever an earlier
   * start of this host:pid left (its callers, their node numbers) is a dead process's,
   * even while its alive key has seconds to run. Clear it before this start announces itself.
   */
  private async clearEarlierStarts(): Promise<void> {
    if (!this.isUp()) return;
    try {
      for (const p of await this.indexed()) {
        if (isEarlierStart(this.processId, p.processId)) await this.reap(p.processId, p.lastSeenAt, 'presence.earlier_start_cleared');
      }
    } catch (err) {
      this.log.warn('presence.earlier_start_clear_failed', { err });
    }
  }

  /** Reap one dead process; the winner of the reap tells this process's subscribers (process.gone). */
  private async reap(processId: string, lastSeenAt: number, event: string): Promise<void> {
    const gone = await reapProcess(this.redis, this.layout, processId, this.publish, this.releaseNodesScript);
    if (gone === undefined) return;
    this.log.info(event, { processId, sessions: gone, lastSeenAt });
    try {
      this.onProcessGone?.({ processId, lastSeenAt });
    } catch (err) {
      this.log.warn('presence.process_gone_failed', { processId, err });
    }
  }

  /** The index: every process that heartbeated, with the time of its last heartbeat. */
  private async indexed(): Promise<Array<{ processId: string; lastSeenAt: number }>> {
    const flat = await this.redis.zrange(this.layout.processes, 0, -1, 'WITHSCORES');
    const out: Array<{ processId: string; lastSeenAt: number }> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ processId: flat[i]!, lastSeenAt: Number(flat[i + 1]) || 0 });
    return out;
  }

  private async liveProcesses(): Promise<string[]> {
    const ids = await this.redis.zrange(this.layout.processes, 0, -1);
    if (ids.length === 0) return [];
    const alive = await this.redis.mget(ids.map((p) => this.layout.alive(p)));
    return ids.filter((_, i) => alive[i] !== null);
  }

  /** Lowest node not held here nor seen elsewhere: node numbers while Redis is away. */
  private localNode(): number {
    const taken = new Set([...this.nodeOf.values(), ...this.seenElsewhere]);
    let node = 1;
    while (taken.has(node)) node++;
    return node;
  }
}

function copyEntry(e: PresenceEntry): PresenceEntry {
  return { ...e, terminal: { ...e.terminal } };
}

function parseAlive(raw: string): ProcessInfo | undefined {
  try {
    const v = JSON.parse(raw) as Partial<ProcessInfo>;
    if (typeof v.processId !== 'string') return undefined;
    return { processId: v.processId, startedAt: Number(v.startedAt) || 0, sessions: Number(v.sessions) || 0 };
  } catch {
    return undefined;
  }
}
