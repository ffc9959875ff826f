// What the multi-node tests share: the machine's PostgreSQL (a fresh schema per test, so
// parallel files never meet), Redis (the shared one with a unique key prefix, or a private
// redis-server a test may kill), a TCP hop a test can cut, and real callers.
// tests/ has no node_modules of its own: the store is reached through its public index,
// the shared Redis through redis-cli, which comes with the redis-server these tests need
// anyway; the private redis-server and the TCP hop are the package tests' helpers.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@carrier/core';
import { eventually, serviceMissing } from '@carrier/core/testing';
import { openStore, type Store } from '@carrier/store';

// ---- PostgreSQL --------------------------------------------------------------------

/** Cheap hashes for test accounts: the board verifies with the parameters stored in each hash. */
const TEST_SCRYPT = { N: 1024, r: 8, p: 1, keylen: 32 };

/** The board's own store on a test schema (created and migrated if missing). */
async function withSchema<T>(url: string, schema: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carrier-mn-store-'));
  try {
    const store = await openStore({ dataDir, databaseUrl: url, searchPath: schema, log: silentLogger, passwordParams: TEST_SCRYPT, pool: { min: 0, max: 2 } });
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function pgReachable(url: string): Promise<boolean> {
  const schema = freshSchemaName();
  try {
    await withSchema(url, schema, async (store) => store.knex.raw('drop schema ?? cascade', [schema]));
    return true;
  } catch {
    return false;
  }
}

/** CARRIER_TEST_PG_URL, else the local `test` database as postgres or as this OS user (trust auth). */
export async function findPostgres(): Promise<string | undefined> {
  const explicit = process.env['CARRIER_TEST_PG_URL'];
  const candidates = explicit ? [explicit] : ['postgres://postgres@127.0.0.1:5432/test', `postgres://${userInfo().username}@127.0.0.1:5432/test`];
  for (const url of candidates) if (await pgReachable(url)) return url;
  if (explicit) throw new Error(`CARRIER_TEST_PG_URL is set but unreachable: ${explicit}`);
  serviceMissing('no PostgreSQL at 127.0.0.1:5432/test'); // throws under CI=true
  return undefined;
}

export function freshSchemaName(): string {
  return `carrier_mn_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  await withSchema(url, schema, async (store) => store.knex.raw('drop schema if exists ?? cascade', [schema]));
}

/** Run `fn` on the board's database (the schema the test's carriers use). */
export function inSchema<T>(url: string, schema: string, fn: (store: Store) => Promise<T>): Promise<T> {
  return withSchema(url, schema, fn);
}

/** Create accounts straight in the board's database (faster than a CLI run per user). */
export async function addUsers(url: string, schema: string, users: Array<{ handle: string; password: string }>): Promise<void> {
  await withSchema(url, schema, async (store) => {
    for (const u of users) await store.users.create({ ...u, level: 10 });
  });
}

// ---- Redis -------------------------------------------------------------------------

function redisCli(url: string, args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    // stdin closed from the start: redis-cli may exit before reading it (EPIPE otherwise).
    const p = spawn('redis-cli', ['-u', url, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.on('error', () => resolve({ code: null, stdout }));
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

export async function findRedis(): Promise<string | undefined> {
  const explicit = process.env['CARRIER_TEST_REDIS_URL'];
  const url = explicit || 'redis://127.0.0.1:6379';
  const r = await redisCli(url, ['ping']).catch(() => ({ code: 1, stdout: '' }));
  if (r.code === 0 && r.stdout.trim() === 'PONG') return url;
  if (explicit) throw new Error(`CARRIER_TEST_REDIS_URL is set but unreachable: ${url}`);
  serviceMissing(`no Redis at ${url}`); // throws under CI=true
  return undefined;
}

export function uniquePrefix(): string {
  return `carrier-mn:${randomBytes(6).toString('hex')}:`;
}

/** Delete every key under a test prefix. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const keys = (await redisCli(url, ['--scan', '--pattern', `${prefix}*`])).stdout.split('\n').filter((k) => k !== '');
  for (let i = 0; i < keys.length; i += 200) await redisCli(url, ['del', ...keys.slice(i, i + 200)]);
}

// A private redis-server and a TCP hop: the package tests' own helpers.
export { startPrivateRedis, type PrivateRedis } from '@carrier/engine/testing';
export { tcpHop, type TcpHop } from '@carrier/store/testing';

// ---- a real OpenSSH caller ---------------------------------------------------------

/** OpenSSH's ssh under sshpass, with a forced pty (-tt) and pipes we can drive. */
export class SshCaller {
  private out = '';
  private readonly child: ChildProcess;
  private readonly home: string;
  closed = false;

  constructor(port: number, user: string, password: string) {
    this.home = mkdtempSync(join(tmpdir(), 'carrier-mn-ssh-'));
    this.child = spawn(
      'sshpass',
      [
        '-p', password,
        'ssh', '-tt', '-F', '/dev/null',
        '-o', 'StrictHostKeyChecking=no',
        '-o', `UserKnownHostsFile=${join(this.home, 'known_hosts')}`,
        '-o', 'PubkeyAuthentication=no',
        '-o', 'NumberOfPasswordPrompts=1',
        '-o', 'LogLevel=ERROR',
        '-p', String(port),
        `${user}@127.0.0.1`,
      ],
      { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: this.home, TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.child.stdin!.on('error', () => undefined); // typing at a caller that hung up
    this.child.stdout!.on('data', (d: Buffer) => (this.out += d.toString('utf8')));
    this.child.stderr!.on('data', (d: Buffer) => (this.out += d.toString('utf8')));
    this.child.on('exit', () => (this.closed = true));
  }

  text(): string {
    return this.out;
  }

  send(text: string): void {
    this.child.stdin!.write(text);
  }

  async waitFor(pattern: string | RegExp, timeoutMs = 15_000, from = 0): Promise<string> {
    const { t } = await eventually(
      () => {
        const seen = this.out.slice(from);
        if (typeof pattern === 'string' ? seen.includes(pattern) : pattern.test(seen)) return { t: seen };
        if (this.closed) throw new Error(`ssh closed before ${String(pattern)}; got ${JSON.stringify(seen.slice(-400))}`);
        return undefined;
      },
      () => `${String(pattern)}; got ${JSON.stringify(this.out.slice(from).slice(-400))}`,
      { timeoutMs, intervalMs: 25 },
    );
    return t;
  }

  waitForNext(pattern: string | RegExp, timeoutMs?: number): Promise<string> {
    return this.waitFor(pattern, timeoutMs, this.out.length);
  }

  close(): void {
    this.child.kill('SIGKILL');
    rmSync(this.home, { recursive: true, force: true });
  }
}
