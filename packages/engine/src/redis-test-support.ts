// For the Redis bus tests: the shared Redis (a unique key prefix per test, so parallel
// files and other engineers' runs never meet) and a private redis-server a test may kill
// and restart. Not exported from index.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import { serviceMissing } from '@carrier/core/testing';

const DEFAULT_URL = 'redis://127.0.0.1:6379';

/** A prefix no other test run uses. */
export function uniquePrefix(): string {
  return `carrier-test:${randomBytes(6).toString('hex')}:`;
}

async function reachable(url: string): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/**
 * The shared Redis: CARRIER_TEST_REDIS_URL (must work when set) or the local default
 * (tests skip, with the reason, when nothing answers there; under CI=true they fail).
 */
export async function testRedis(): Promise<{ url: string | undefined; skipped: string | undefined }> {
  const env = process.env['CARRIER_TEST_REDIS_URL'];
  if (env) {
    if (!(await reachable(env))) throw new Error(`CARRIER_TEST_REDIS_URL is set but unreachable: ${env}`);
    return { url: env, skipped: undefined };
  }
  if (await reachable(DEFAULT_URL)) return { url: DEFAULT_URL, skipped: undefined };
  return { url: undefined, skipped: serviceMissing(`no Redis at ${DEFAULT_URL}; set CARRIER_TEST_REDIS_URL to run these tests`) };
}

/** Delete every key under a test prefix. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const r = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** kill -9: connections drop at once, nothing is saved */
  kill(): Promise<void>;
  /** start again on the same port, empty */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open and nothing answers, as in a network partition */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A redis-server of the test's own, without persistence: a restart comes back empty. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = p;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
      p.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      p.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}): ${out}`));
      });
    });
  };
  const kill = async (): Promise<void> => {
    const p = child;
    child = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    start,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    stop: async () => {
      child?.kill('SIGCONT');
      await kill();
    },
  };
}
