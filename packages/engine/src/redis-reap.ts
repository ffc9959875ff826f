import type { Redis } from 'ioredis';
import type { PresenceEntry } from './presence.js';
import { decodePresenceEntry } from './presence-codec.js';
import { nodeOwner, REAP_LUA, RELEASE_NODES_LUA, type RedisLayout } from './redis-layout.js';
import type { Topic, TopicPayload } from './topics.js';

export type Publish = <T extends Topic>(topic: T, payload: TopicPayload<T>) => void;
/** A Lua script defined on a connection (ioredis defineCommand). */
export type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

/**
 * Clear a dead process off the board: whoever removes it from the index first (ZREM is
 * atomic, so exactly one process does) takes its callers, frees their nodes and announces
 * each as gone: three round trips whatever the number of callers (REAP_LUA, one release
 * of every node, and the leaves, which the bus sends as one batch). Returns how many
 * callers it cleared, or undefined when someone else won.
 * Also used by the cluster primary the moment a worker dies.
 */
export async function reapProcess(
  redis: Redis,
  layout: RedisLayout,
  processId: string,
  publish: Publish,
  releaseNodes?: ScriptFn,
): Promise<number | undefined> {
  const values = (await redis.eval(REAP_LUA, 3, layout.processes, layout.sessions(processId), layout.alive(processId), processId)) as string[] | null;
  if (values === null) return undefined;
  const gone = values.map(decodePresenceEntry).filter((e): e is PresenceEntry => e !== undefined);
  if (gone.length > 0) {
    const keys = gone.map((e) => layout.node(e.node));
    const owners = gone.map((e) => nodeOwner(processId, e.sessionId));
    if (releaseNodes) await releaseNodes(keys.length, ...keys, ...owners);
    else await redis.eval(RELEASE_NODES_LUA, keys.length, ...keys, ...owners);
  }
  for (const e of gone) publish('presence.leave', { sessionId: e.sessionId, node: e.node, handle: e.handle, processId });
  return gone.length;
}
