// ssh2's Client for protocol-level abuse of the ssh front end. ssh2 is a dependency of
// packages/ssh, not of the repo root, so it is loaded from there (pnpm keeps each
// package's dependencies to itself).
import { createRequire } from 'node:module';
import net from 'node:net';
import { join } from 'node:path';
import type { ClientChannel, ConnectConfig, PseudoTtyOptions } from 'ssh2';
import { repoRoot } from '../../harness.js';

const requireFromSsh = createRequire(join(repoRoot, 'packages', 'ssh', 'package.json'));
export const ssh2 = requireFromSsh('ssh2') as typeof import('ssh2');
export type SshClient = InstanceType<typeof ssh2.Client>;

export interface SshSession {
  client: SshClient;
  /** resolves when the connection is gone, for whatever reason */
  closed: Promise<void>;
  isClosed(): boolean;
}

/**
 * An ssh2 client whose TCP connection comes from `from`. Resolves once authenticated
 * (`ready`); rejects with ssh2's error (a refused auth, a closed socket) otherwise.
 */
export function sshConnect(port: number, from: string, config: ConnectConfig): Promise<SshSession> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port, localAddress: from });
    sock.on('error', () => undefined);
    const client = new ssh2.Client();
    let gone = false;
    const closed = new Promise<void>((r) =>
      client.once('close', () => {
        gone = true;
        r();
      }),
    );
    client.once('ready', () => {
      client.on('error', () => undefined);
      resolve({ client, closed, isClosed: () => gone });
    });
    client.once('error', (err) => {
      client.on('error', () => undefined);
      reject(err);
    });
    client.connect({ sock, readyTimeout: 10_000, ...config });
  });
}

/** Like sshConnect, but never rejects: for attacks whose point is that auth never completes. */
export function sshAttempt(port: number, from: string, config: ConnectConfig): { client: SshClient; closed: Promise<void> } {
  const sock = net.connect({ host: '127.0.0.1', port, localAddress: from });
  sock.on('error', () => undefined);
  const client = new ssh2.Client();
  client.on('error', () => undefined);
  const closed = new Promise<void>((r) => client.once('close', () => r()));
  client.connect({ sock, readyTimeout: 60_000, ...config });
  return { client, closed };
}

export function openShell(client: SshClient, pty: PseudoTtyOptions | false, env?: Record<string, string>): Promise<ClientChannel> {
  return new Promise((resolve, reject) =>
    client.shell(pty, env ? { env } : {}, (err, ch) => {
      if (err) reject(err);
      else {
        ch.on('error', () => undefined);
        resolve(ch);
      }
    }),
  );
}

/** Collect a channel's output as latin1 text, with a way to wait for a pattern in what comes next. */
export function reader(ch: ClientChannel): { text(): string; waitForNext(pattern: string, timeoutMs?: number): Promise<void> } {
  let text = '';
  const waiters = new Set<() => void>();
  ch.on('data', (d: Buffer) => {
    text += d.toString('latin1');
    for (const w of [...waiters]) w();
  });
  return {
    text: () => text,
    waitForNext(pattern, timeoutMs = 10_000) {
      const from = text.length;
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!text.slice(from).includes(pattern)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`ssh: no ${JSON.stringify(pattern)} within ${timeoutMs} ms; got ${JSON.stringify(text.slice(-300))}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
  };
}
