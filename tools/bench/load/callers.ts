// Callers for load tests, on @carrier/client: each connects from its own loopback address
// (127.0.0.1-127.0.0.254 in turn, so no one address carries thousands of sockets), answers
// negotiation like a real terminal, and logs in the way a person would.
import { connect, type ConnectOptions, type TelnetClient } from '@carrier/client';
import { BENCH_PASSWORD } from './bench-board.js';

/** Loopback addresses used as sources: the whole of 127.0.0.0/24 but .0 and .255. */
export function sourceAddress(i: number): string {
  return `127.0.0.${1 + (i % 254)}`;
}

/** A first screen under load can wait behind thousands of others' (and behind scrypt). */
export const SLOW_SCREEN_MS = 120_000;

export function caller(port: number, i: number, opts: ConnectOptions = {}): Promise<TelnetClient> {
  return connect({
    port,
    localAddress: sourceAddress(i),
    terminalType: 'xterm-256color',
    cols: 80,
    rows: 25,
    timeout: SLOW_SCREEN_MS,
    // Parked callers read nothing for minutes; what they are sent meanwhile need not be kept.
    maxBuffer: 64 * 1024,
    ...opts,
  });
}

export interface Timed<T> {
  value: T;
  ms: number;
}

export async function timed<T>(fn: () => Promise<T>): Promise<Timed<T>> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

/** From connect to the main menu's prompt. Returns the client parked at `Command:`. */
export async function loginCaller(port: number, i: number, users: number, opts: ConnectOptions = {}): Promise<TelnetClient> {
  const c = await caller(port, i, opts);
  try {
    await c.readUntil('login:');
    c.writeLine(`load${1 + (i % users)}`);
    await c.readUntil('password:');
    c.writeLine(BENCH_PASSWORD);
    await c.readUntil('Command:');
    return c;
  } catch (err) {
    void c.close();
    throw err;
  }
}

/**
 * Runs `task(i)` for i in 0..n-1 with at most `concurrency` running at once (all at once
 * for a burst), collecting results and errors in index order.
 */
export async function pool<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<Array<{ ok: true; value: T } | { ok: false; error: unknown }>> {
  const results = new Array<{ ok: true; value: T } | { ok: false; error: unknown }>(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      try {
        results[i] = { ok: true, value: await task(i) };
      } catch (error) {
        results[i] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, worker));
  return results;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Closes every client, at most `concurrency` FINs in flight, and waits for them. */
export async function closeAll(clients: readonly TelnetClient[], concurrency = 500): Promise<void> {
  await pool(clients.length, concurrency, (i) => clients[i]!.close());
}
