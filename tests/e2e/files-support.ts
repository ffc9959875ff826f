// File-area test helpers: a files.yaml in a temp folder, lrzsz bridged to a telnet caller
// of the client library (the caller's terminal runs rz/sz, like SyncTERM would).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect, type ConnectOptions, type TelnetClient } from '@carrier/client';

export const sha256 = async (path: string): Promise<string> => createHash('sha256').update(await readFile(path)).digest('hex');

export interface Bridged {
  exit: Promise<number | null>;
  stderr(): string;
}

/**
 * Run `cmd` (rz or sz) with its stdio joined to the caller's connection: what the board
 * sends goes to its stdin, what it writes goes to the board (IAC doubled by the client).
 */
export function bridgeLrzsz(c: TelnetClient, cmd: 'rz' | 'sz', args: string[], cwd: string): Bridged {
  const child = spawn(cmd, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err = (err + b.toString('latin1')).slice(-4000)));
  child.stdin.on('error', () => undefined);
  const toChild = (b: Buffer): void => {
    if (!child.stdin.destroyed) child.stdin.write(b);
  };
  c.on('data', toChild);
  child.stdout.on('data', (b: Buffer) => {
    if (!c.closed) c.write(b);
  });
  const exit = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      c.off('data', toChild);
      resolve(code);
    }),
  );
  return { exit, stderr: () => err };
}

/**
 * A telnet caller logged in as `handle` and at the file areas' prompt; `head` is what the
 * board drew up to that prompt (the area's header).
 */
export async function telnetToFiles(opts: ConnectOptions & { handle: string; password: string }): Promise<{ c: TelnetClient; head: string }> {
  const { handle, password, ...connectOpts } = opts;
  const c = await connect(connectOpts);
  await c.readUntil('login:');
  c.writeLine(handle);
  await c.readUntil('password:');
  c.writeLine(password);
  await c.readUntil('Command:');
  c.write('f');
  const head = await c.readUntil('uit: ');
  return { c, head };
}
