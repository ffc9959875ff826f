/**
 * Everything a carrier board keeps in Redis, in one place: key names and the Lua that
 * changes them atomically. Every name starts with the board's prefix, so several boards
 * (or test runs) share one Redis without meeting. Single-instance Redis: the scripts
 * build key names from the prefix, which Redis Cluster would not allow.
 *
 *   <p>bus                 pub/sub channel: every topic, as envelopes
 *   <p>ping:<bus id>       pub/sub channel a bus pings itself on, to measure lag
 *   <p>processes           ZSET processId -> last heartbeat (an index; liveness is `alive`)
 *   <p>alive:<processId>   STRING, short TTL: the process is alive while this exists
 *   <p>sessions:<processId> HASH sessionId -> presence entry JSON (long TTL, garbage collection)
 *   <p>node:<n>            STRING "<processId> <sessionId>", short TTL: node n is taken
 */
export interface RedisLayout {
  readonly channel: string;
  ping(busId: string): string;
  readonly processes: string;
  alive(processId: string): string;
  sessions(processId: string): string;
  readonly nodePrefix: string;
  node(n: number): string;
}

export function redisLayout(prefix: string): RedisLayout {
  return {
    channel: `${prefix}bus`,
    ping: (busId) => `${prefix}ping:${busId}`,
    processes: `${prefix}processes`,
    alive: (processId) => `${prefix}alive:${processId}`,
    sessions: (processId) => `${prefix}sessions:${processId}`,
    nodePrefix: `${prefix}node:`,
    node: (n) => `${prefix}node:${n}`,
  };
}

/** What a node key holds: who took it, so only its holder frees or refreshes it. */
export function nodeOwner(processId: string, sessionId: string): string {
  return `${processId} ${sessionId}`;
}

/**
 * Board-wide node numbers are a whole board's business, so the lowest free number is
 * taken in one atomic step: SET NX on node:1, node:2, … until one is free.
 * ARGV: node key prefix, owner, ttl ms, highest node. Returns the node, or 0 when full.
 */
export const CLAIM_NODE_LUA = `
local max = tonumber(ARGV[4])
for n = 1, max do
  if redis.call('SET', ARGV[1] .. n, ARGV[2], 'NX', 'PX', ARGV[3]) then return n end
end
return 0`;

/** Free a node only if we still hold it. KEYS[1] node key; ARGV[1] owner. */
export const RELEASE_NODE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Take a node back after Redis came back (possibly empty) or after others reaped us:
 * ours if nobody else took it meanwhile. KEYS[1] node key; ARGV owner, ttl ms.
 */
export const RECLAIM_NODE_LUA = `
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

/**
 * Heartbeat for node keys: extend each one we still hold. KEYS node keys; ARGV[1] ttl ms,
 * ARGV[2..] the matching owners. Returns how many were extended.
 */
export const REFRESH_NODES_LUA = `
local n = 0
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[i + 1] then
    redis.call('PEXPIRE', key, ARGV[1])
    n = n + 1
  end
end
return n`;
