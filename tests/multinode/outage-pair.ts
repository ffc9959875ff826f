// Two carrier processes on one PostgreSQL schema and a test-owned redis-server (never the
// shared one, so a suite can kill and restart it), ann logged in on node A and bob on
// node B: the board the Redis-outage suites break.
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';
import { addUsers, dropSchema, freshSchemaName, startPrivateRedis, uniquePrefix, type PrivateRedis } from './services.js';

export const PAIR_SIZE = { cols: 80, rows: 24 };

export interface OutagePair {
  readonly schema: string;
  readonly redis: PrivateRedis;
  readonly a: Carrier;
  readonly b: Carrier;
  readonly ann: RawTelnet;
  readonly bob: RawTelnet;
  /** Hangs up, stops both boards and the redis-server, drops the schema. */
  close(): Promise<void>;
}

export async function startOutagePair(pg: string): Promise<OutagePair> {
  const schema = freshSchemaName();
  const redis = await startPrivateRedis();
  const boards: Carrier[] = [];
  const callers: RawTelnet[] = [];
  const close = async (): Promise<void> => {
    for (const c of callers) c.close();
    await Promise.all(boards.map((b) => b.stop()));
    await redis.stop();
    await dropSchema(pg, schema);
  };
  try {
    await addUsers(pg, schema, [
      { handle: 'ann', password: 'ann-on-node-a' },
      { handle: 'bob', password: 'bob-on-node-b' },
    ]);
    const yaml = [
      `database: { url: ${JSON.stringify(pg)}, schema: ${schema} }`,
      `bus: { redisUrl: ${JSON.stringify(redis.url)}, keyPrefix: ${JSON.stringify(uniquePrefix())} }`,
    ].join('\n');
    const [a, b] = await Promise.all([startCarrier({ yaml, logLevel: 'info' }), startCarrier({ yaml, logLevel: 'info' })]);
    boards.push(a, b);
    const [ann, bob] = await Promise.all([
      loginRaw(a.ports.telnet!, 'ann', 'ann-on-node-a', { size: PAIR_SIZE }),
      loginRaw(b.ports.telnet!, 'bob', 'bob-on-node-b', { size: PAIR_SIZE }),
    ]);
    callers.push(ann, bob);
    return { schema, redis, a, b, ann, bob, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
