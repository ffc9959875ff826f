// Helpers for the security end-to-end tests: callers from chosen loopback addresses
// (127.0.0.2 and up, so a ban never hits the test runner's 127.0.0.1), and the two ways a
// refused connect looks from outside.
import { createRequire } from 'node:module';
import net from 'node:net';
import { join } from 'node:path';
import { repoRoot } from '../harness.js';
import { eventually as pollUntil } from '@carrier/core/testing';

/** ssh2 is a dependency of the ssh package, not of the repo root: load it from there. */
export const ssh2 = createRequire(join(repoRoot, 'packages', 'ssh', 'package.json'))('ssh2') as typeof import('ssh2');

export interface Probe {
  /** bytes the server sent before closing */
  bytes: Buffer;
  /** true when the server closed within the wait */
  closed: boolean;
}

/** Connect from `localAddress`, send nothing, and see what the server does within `waitMs`. */
export function probe(port: number, localAddress: string, waitMs = 1500): Promise<Probe> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    const done = (closed: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve({ bytes: Buffer.concat(chunks), closed });
    };
    const timer = setTimeout(() => done(false), waitMs);
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', () => undefined);
    s.on('close', () => done(true));
  });
}

/** Closed before any protocol byte: how a banned address is refused. */
export async function refusedSilently(port: number, localAddress: string): Promise<boolean> {
  const p = await probe(port, localAddress);
  return p.closed && p.bytes.length === 0;
}

/** Closed before any protocol byte, having been told `This address is banned.` in one line. */
export async function refusedAsBanned(port: number, localAddress: string, prefix = ''): Promise<boolean> {
  const p = await probe(port, localAddress);
  return p.closed && p.bytes.toString('latin1') === `${prefix}This address is banned.\r\n`;
}

/** The ssh port's refusal: the line, a version line and a DISCONNECT (host not allowed) carrying the line, then closed. */
export async function sshRefusedAsBanned(port: number, localAddress: string): Promise<boolean> {
  const p = await probe(port, localAddress);
  const text = p.bytes.toString('latin1');
  const head = 'This address is banned.\r\nSSH-2.0-carrier\r\n';
  // packet_length, padding_length, SSH_MSG_DISCONNECT (1), reason 1, the description
  return p.closed && text.startsWith(head) && text.slice(head.length + 5).startsWith('\x01\x00\x00\x00\x01\x00\x00\x00\x17This address is banned.');
}

/**
 * Poll until `check` holds (a ban made by the CLI reaches the board within banRefresh).
 * The repo's one poll helper (@carrier/core/testing) under this file's argument order.
 */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000, what = 'the condition'): Promise<void> {
  await pollUntil(check, what, { timeoutMs, intervalMs: 100 });
}

/** Open `n` sockets from `localAddress` that send nothing; each resolves once connected. */
export async function holdOpen(port: number, localAddress: string, n: number): Promise<net.Socket[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect({ port, host: '127.0.0.1', localAddress });
          s.on('error', () => undefined);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        }),
    ),
  );
}

/** Try a password over ssh from `localAddress`; resolves with what happened. */
export function sshPassword(port: number, localAddress: string, username: string, password: string): Promise<'ready' | 'auth-failed' | 'closed'> {
  return new Promise((resolve) => {
    const c = new ssh2.Client();
    let settled = false;
    const settle = (v: 'ready' | 'auth-failed' | 'closed') => {
      if (settled) return;
      settled = true;
      c.end();
      resolve(v);
    };
    c.on('ready', () => settle('ready'));
    c.on('error', (err: Error & { level?: string }) => settle(err.level === 'client-authentication' ? 'auth-failed' : 'closed'));
    c.on('close', () => settle('closed'));
    c.connect({ host: '127.0.0.1', port, localAddress, username, password, tryKeyboard: false, readyTimeout: 10_000 });
  });
}
