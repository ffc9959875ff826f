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
 *
 * The scripts take key names in ARGV where the set of keys depends on what they read
 * (the index); single-instance Redis, as above.
 */
export interface RedisLayout {
  readonly channel: string;
  ping(busId: string): string;
  readonly processes: string;
  readonly alivePrefix: string;
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
    alivePrefix: `${prefix}alive:`,
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
 * Take nodes back after Redis came back (possibly empty) or after others reaped us: each
 * ours if nobody else took it meanwhile. KEYS node keys; ARGV[1] ttl ms, ARGV[2..] the
 * matching owners. Returns the keys someone else holds now.
 */
export const RECLAIM_NODES_LUA = `
local lost = {}
for i, key in ipairs(KEYS) do
  local cur = redis.call('GET', key)
  if cur == false or cur == ARGV[i + 1] then
    redis.call('SET', key, ARGV[i + 1], 'PX', ARGV[1])
  else
    table.insert(lost, key)
  end
end
return lost`;

/** Free several nodes, each only if its owner still holds it. KEYS node keys; ARGV the matching owners. */
export const RELEASE_NODES_LUA = `
local n = 0
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[i] then n = n + redis.call('DEL', key) end
end
return n`;

/**
 * Which other processes are dead (their alive key is gone), and how soon the next one
 * would expire without another heartbeat. ARGV[1] index ZSET, ARGV[2] alive key prefix,
 * ARGV[3] this process (skipped). Appended to HEARTBEAT_LUA, and run alone by SWEEP_LUA.
 */
const SCAN_LUA = `
local dead, soonest = {}, -1
local index = redis.call('ZRANGE', ARGV[1], 0, -1, 'WITHSCORES')
for i = 1, #index, 2 do
  if index[i] ~= ARGV[3] then
    local ttl = redis.call('PTTL', ARGV[2] .. index[i])
    if ttl == -2 then
      table.insert(dead, index[i])
      table.insert(dead, index[i + 1])
    elseif ttl >= 0 and (soonest < 0 or ttl < soonest) then
      soonest = ttl
    end
  end
end`;

/**
 * A process's whole heartbeat in one round trip: its alive key and index score, its
 * sessions hash's garbage-collection TTL, the node keys it still holds, then the scan.
 * ARGV[1..3] as SCAN_LUA, ARGV[4] alive value, ARGV[5] alive/node ttl ms, ARGV[6] now ms,
 * ARGV[7] sessions hash, ARGV[8] its ttl ms, ARGV[9..] node key, owner pairs.
 * Returns { 1 if the index had lost us, node keys extended, dead (id, last seen)..., soonest ttl ms or -1 }.
 */
export const HEARTBEAT_LUA = `
redis.call('SET', ARGV[2] .. ARGV[3], ARGV[4], 'PX', ARGV[5])
local added = redis.call('ZADD', ARGV[1], ARGV[6], ARGV[3])
redis.call('PEXPIRE', ARGV[7], ARGV[8])
local refreshed = 0
for i = 9, #ARGV - 1, 2 do
  if redis.call('GET', ARGV[i]) == ARGV[i + 1] then
    redis.call('PEXPIRE', ARGV[i], ARGV[5])
    refreshed = refreshed + 1
  end
end
${SCAN_LUA}
return { added, refreshed, dead, soonest }`;

/** The scan alone, read-only: when a process is due to expire before our next heartbeat. */
export const SWEEP_LUA = `
${SCAN_LUA}
return { dead, soonest }`;

/**
 * Reap a dead process: whoever removes it from the index wins (ZREM is the lock), takes
 * its entries and deletes them with its alive key. KEYS[1] index, KEYS[2] its sessions
 * hash, KEYS[3] its alive key; ARGV[1] its id. Returns the entries, or nil for the loser.
 */
export const REAP_LUA = `
if redis.call('ZREM', KEYS[1], ARGV[1]) ~= 1 then return false end
local values = redis.call('HVALS', KEYS[2])
redis.call('DEL', KEYS[2], KEYS[3])
return values`;
