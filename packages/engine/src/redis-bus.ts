import { randomBytes } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import { CarrierError, ErrorCodes, type Logger } from '@carrier/core';
import { PublishBatcher } from './bus-batcher.js';
import { decodeMessage, encodeEnvelope, MAX_ENVELOPE_LENGTH } from './bus-envelope.js';
import { InProcessBus, type Bus, type TopicHandler, type Unsubscribe } from './bus.js';
import { redisLayout, type RedisLayout } from './redis-layout.js';
import { RedisPresence, type ProcessGone, type ProcessInfo } from './redis-presence.js';
import { reapProcess } from './redis-reap.js';
import { newProcessId, type PresenceEntry } from './presence.js';
import type { Topic, TopicPayload } from './topics.js';

/**
 * ioredis is loaded on first use: a single-process board never pays its ~20 MiB of RSS
 * (measured with process.memoryUsage() around the import).
 */
type RedisConstructor = new (url: string, options: RedisOptions) => Redis;
let redisConstructor: RedisConstructor | undefined;
async function loadRedis(): Promise<RedisConstructor> {
  redisConstructor ??= (await import('ioredis')).Redis as unknown as RedisConstructor;
  return redisConstructor;
}

/** How a bus is doing, for `carrier status` and /metrics. */
export interface BusStatus {
  kind: 'in-process' | 'redis';
  /** false while a Redis bus cannot reach Redis: chat and who's online are node-local */
  connected: boolean;
  /** round trip of the last ping through the bus in ms (0 in process); null before the first */
  lagMs: number | null;
  /** messages sent to, received from, and not sent to other processes (the link was down) */
  published: number;
  received: number;
  dropped: number;
}

export interface RedisBusOptions {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** every key and channel starts with it; boards sharing a Redis need their own */
  keyPrefix: string;
  log: Logger;
  /** how presence names this process; the board's processId (default host:pid) */
  processId?: string;
  /**
   * This process cleared a dead one off the board (its heartbeat stopped, or it was an
   * earlier start of this one); exactly one process hears of each. The server ends the
   * calls it left open. Called from the first heartbeat on, during connect() too.
   */
  onProcessGone?: (gone: ProcessGone) => void;
  /** start-up fails when Redis cannot be reached within this long */
  connectTimeoutMs?: number;
}

/** A first start against an unreachable Redis fails within this, instead of hanging. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/**
 * Reconnect quickly at first, then every 2 s: a restarted Redis is back within a
 * heartbeat or two, and a long outage costs one connection attempt per 2 s, not a storm.
 */
const retryStrategy = (attempt: number): number => Math.min(attempt * 200, 2_000);
/** A bus pings itself through Redis this often, for its lag figure and to notice a dead link. */
const PING_MS = 2_000;
/**
 * A ping unanswered this long means the link is dead even if the socket looks open (a
 * network partition sends no RST): drop both connections so ioredis reconnects, and
 * callers hear the board is node-local meanwhile.
 */
const LINK_STALL_MS = 3 * PING_MS;
/** TCP keepalive on the Redis sockets, so the kernel also notices a silent peer. */
const KEEPALIVE_MS = 10_000;
/** The link's state is per process; telling other processes about ours would be wrong. */
const LOCAL_ONLY: ReadonlySet<Topic> = new Set<Topic>(['bus.link']);

/**
 * The Bus over Redis pub/sub, so several carrier processes (one host or many) serve one
 * board. Local subscribers are served synchronously by an in-process bus, exactly as in a
 * single process; every publish also goes to the board's Redis channel, and messages from
 * other processes are delivered to local subscribers as they arrive.
 *
 * When Redis goes away nothing throws and no session ends: publishes reach this
 * process's subscribers only (node-local chat), presence answers for this process, and
 * a `bus.link` message tells local subscribers (the board shows callers a notice). When
 * Redis returns, ioredis reconnects and resubscribes, and presence is republished.
 */
export class RedisBus implements Bus {
  readonly presence: RedisPresence;
  readonly processId: string;
  private readonly id = `b-${randomBytes(6).toString('hex')}`;
  private readonly local: InProcessBus;
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private readonly layout: RedisLayout;
  private readonly log: Logger;
  private readonly url: string;
  private up = false;
  /** link events before open() finished are open()'s business */
  private opened = false;
  private closing = false;
  private pingTimer: NodeJS.Timeout | undefined;
  private pingSentAt: number | undefined;
  private lastLagMs: number | null = null;
  private counts = { published: 0, received: 0, dropped: 0 };
  private readonly batcher = new PublishBatcher((message, count) => this.send(message, count));

  /** Connect, subscribe and announce this process; throws BUS_UNAVAILABLE with the reason. */
  static async connect(opts: RedisBusOptions): Promise<RedisBus> {
    const bus = new RedisBus(opts, await loadRedis());
    try {
      await bus.open(opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    } catch (err) {
      await bus.close();
      throw new CarrierError(
        ErrorCodes.BUS_UNAVAILABLE,
        `cannot reach Redis at ${redactUrl(opts.url)}: ${err instanceof Error ? err.message : String(err)}`,
        { url: redactUrl(opts.url) },
        { cause: err },
      );
    }
    return bus;
  }

  private constructor(opts: RedisBusOptions, Redis: RedisConstructor) {
    this.log = opts.log.child({ component: 'bus' });
    this.processId = opts.processId ?? newProcessId();
    this.url = opts.url;
    this.layout = redisLayout(opts.keyPrefix);
    this.local = new InProcessBus(opts.log);
    const common: RedisOptions = {
      lazyConnect: true,
      retryStrategy,
      connectionName: `carrier ${this.processId}`.replace(/[^\w.:-]/g, '_'),
      // A command while Redis is away fails at once instead of queuing without bound;
      // every caller of Redis here has a node-local answer for that case.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      keepAlive: KEEPALIVE_MS,
    };
    this.cmd = new Redis(opts.url, common);
    // The subscriber queues (SUBSCRIBE during a reconnect is replayed by ioredis).
    this.sub = new Redis(opts.url, { ...common, enableOfflineQueue: true, autoResubscribe: true });
    for (const conn of [this.cmd, this.sub]) {
      // Without a listener ioredis would throw connection errors at the process.
      conn.on('error', (err: Error) => this.log.debug('bus.redis_error', { err }));
      conn.on('ready', () => this.linkChanged());
      conn.on('close', () => this.linkChanged());
      conn.on('end', () => this.linkChanged());
    }
    this.sub.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    this.presence = new RedisPresence({
      redis: this.cmd,
      layout: this.layout,
      processId: this.processId,
      log: this.log,
      publish: (topic, payload) => this.publish(topic, payload),
      publishRemote: (topic, payload) => this.publishRemote(topic, payload),
      isUp: () => this.up,
      onProcessGone: opts.onProcessGone,
    });
  }

  private async open(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([Promise.all([this.cmd.connect(), this.sub.connect()]), deadline]);
      await Promise.race([this.sub.subscribe(this.layout.channel, this.layout.ping(this.id)), deadline]);
    } finally {
      clearTimeout(timer);
    }
    this.up = this.cmd.status === 'ready' && this.sub.status === 'ready';
    this.opened = true;
    await this.presence.start();
    this.pingTimer = setInterval(() => this.ping(), PING_MS);
    this.pingTimer.unref();
    this.ping();
    this.log.info('bus.connected', { url: redactUrl(this.url), processId: this.processId });
  }

  publish<T extends Topic>(topic: T, payload: TopicPayload<T>): void {
    // Remote first: the other processes start their own fan-out while this one draws.
    if (!LOCAL_ONLY.has(topic)) this.publishRemote(topic, payload);
    this.local.publish(topic, payload);
  }

  subscribe<T extends Topic>(topic: T, handler: TopicHandler<T>): Unsubscribe {
    return this.local.subscribe(topic, handler);
  }

  /** Link state, lag and message counts. */
  status(): BusStatus {
    const pending = this.pingSentAt === undefined ? 0 : Math.round((performance.now() - this.pingSentAt) * 1000) / 1000;
    // A ping that has not come back is lag too: a stuck bus must not report its last good figure.
    const lagMs = this.lastLagMs === null && pending === 0 ? null : Math.max(this.lastLagMs ?? 0, pending);
    return { kind: 'redis', connected: this.up, lagMs, ...this.counts };
  }

  /** Live carrier processes on the board (empty while Redis is away). */
  processes(): Promise<ProcessInfo[]> {
    return this.presence.processes();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.pingTimer) clearInterval(this.pingTimer);
    await this.presence.close();
    // What this process said last (its callers' leaves) goes out before the connection closes.
    this.batcher.close();
    await this.local.close();
    this.up = false;
    for (const conn of [this.sub, this.cmd]) {
      if (conn.status === 'ready') await conn.quit().catch(() => conn.disconnect());
      else conn.disconnect();
    }
  }

  private publishRemote<T extends Topic>(topic: T, payload: TopicPayload<T>): void {
    if (!this.up) {
      this.counts.dropped++;
      return;
    }
    // Encoded now: a publisher may reuse its payload object once publish returns.
    const encoded = encodeEnvelope({ origin: this.id, topic, payload, sentAt: Date.now() });
    if (encoded.length > MAX_ENVELOPE_LENGTH) {
      // Every receiver would drop it: say so here, once, rather than on every process.
      this.counts.dropped++;
      this.log.warn('bus.message_too_long', { topic, length: encoded.length });
      return;
    }
    this.counts.published++;
    this.batcher.add(encoded);
  }

  /** One Redis message of `count` envelopes (PublishBatcher's output). */
  private send(message: string, count: number): void {
    if (!this.up) {
      this.counts.dropped += count;
      return;
    }
    this.cmd.publish(this.layout.channel, message).catch((err: unknown) => {
      this.counts.dropped += count;
      this.log.debug('bus.publish_failed', { count, err });
    });
  }

  private onMessage(channel: string, message: string): void {
    if (channel === this.layout.ping(this.id)) {
      // Microseconds are the most a sub-millisecond round trip can honestly claim.
      if (this.pingSentAt !== undefined) this.lastLagMs = Math.round((performance.now() - this.pingSentAt) * 1000) / 1000;
      this.pingSentAt = undefined;
      return;
    }
    if (channel !== this.layout.channel) return;
    // A batch is taken whole or dropped whole, with one log line.
    const decoded = decodeMessage(message);
    if (!decoded.ok) {
      this.log.warn('bus.message_dropped', { reason: decoded.reason, length: message.length });
      return;
    }
    for (const { origin, topic, payload } of decoded.envelopes) {
      if (origin === this.id || LOCAL_ONLY.has(topic)) continue;
      this.counts.received++;
      this.local.publish(topic, payload as TopicPayload<typeof topic>);
    }
  }

  private ping(): void {
    if (this.up && this.pingSentAt !== undefined && performance.now() - this.pingSentAt > LINK_STALL_MS) {
      this.log.warn('bus.link_stalled', { waitedMs: Math.round(performance.now() - this.pingSentAt) });
      this.pingSentAt = undefined;
      this.cmd.disconnect(true);
      this.sub.disconnect(true);
      return;
    }
    if (!this.up || this.pingSentAt !== undefined) return;
    this.pingSentAt = performance.now();
    this.cmd.publish(this.layout.ping(this.id), '1').catch(() => {
      this.pingSentAt = undefined;
    });
  }

  private linkChanged(): void {
    if (this.closing || !this.opened) return;
    const up = this.cmd.status === 'ready' && this.sub.status === 'ready';
    if (up === this.up) return;
    this.up = up;
    this.pingSentAt = undefined;
    if (!up) {
      this.log.warn('bus.link_down', { processId: this.processId });
      this.local.publish('bus.link', { up: false, at: Date.now() });
      return;
    }
    this.log.info('bus.link_up', { processId: this.processId });
    this.local.publish('bus.link', { up: true, at: Date.now() });
    this.presence.republish().catch((err: unknown) => this.log.warn('presence.republish_failed', { err }));
  }
}

/**
 * The cluster primary's clean-up after a worker dies: clear its callers from who's
 * online at once, rather than when its heartbeat expires. Opens and closes its own
 * connection; never throws (the TTL clears the worker anyway).
 */
export async function clearProcessPresence(opts: { url: string; keyPrefix: string; processId: string; log: Logger }): Promise<number> {
  const layout = redisLayout(opts.keyPrefix);
  const Redis = await loadRedis();
  const redis = new Redis(opts.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  const origin = `reaper-${randomBytes(6).toString('hex')}`;
  const published: Promise<unknown>[] = [];
  let failed: unknown;
  const batcher = new PublishBatcher((message) => {
    published.push(redis.publish(layout.channel, message).catch((err: unknown) => (failed ??= err)));
  });
  try {
    await redis.connect();
    const cleared = await reapProcess(redis, layout, opts.processId, (topic, payload) => {
      batcher.add(encodeEnvelope({ origin, topic, payload, sentAt: Date.now() }));
    });
    batcher.close();
    await Promise.all(published);
    if (failed !== undefined) throw failed;
    return cleared ?? 0;
  } catch (err) {
    opts.log.warn('presence.clear_failed', { processId: opts.processId, err });
    return 0;
  } finally {
    batcher.close();
    redis.disconnect();
  }
}

/**
 * Who is on the board and which processes serve it, read straight from Redis without
 * joining the board (no heartbeat, no subscription): for `carrier status`.
 * Throws BUS_UNAVAILABLE when Redis cannot be reached.
 */
export async function inspectBoard(opts: { url: string; keyPrefix: string; log: Logger }): Promise<{ processes: ProcessInfo[]; entries: PresenceEntry[] }> {
  const Redis = await loadRedis();
  const redis = new Redis(opts.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new CarrierError(ErrorCodes.BUS_UNAVAILABLE, `cannot reach Redis at ${redactUrl(opts.url)}: ${err instanceof Error ? err.message : String(err)}`, {}, { cause: err });
  }
  try {
    const presence = new RedisPresence({
      redis,
      layout: redisLayout(opts.keyPrefix),
      processId: `inspector-${randomBytes(6).toString('hex')}`,
      log: opts.log,
      publish: () => undefined,
      publishRemote: () => undefined,
      isUp: () => redis.status === 'ready',
    });
    return { processes: await presence.processes(), entries: await presence.snapshot() };
  } finally {
    redis.disconnect();
  }
}

/** Never log a Redis password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
