// File-area test helpers: a files.yaml in a temp folder, lrzsz bridged to a telnet caller
// of the client library (the caller's terminal runs rz/sz, like SyncTERM would).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConnectOptions, type TelnetClient } from '@carrier/client';
import { startCarrier, type Carrier } from '../harness.js';

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

/**
 * A board with ssh on and three file areas in a fresh temp folder `dir`: general (level
 * 10: big.bin, 1.5 MB of random bytes, and `generalFiles`), uploads (level 10, into
 * quarantine up to `maxFileMiB` a file) and secret (sysop only: plans.txt). Resolves once
 * general is indexed; `close` stops the board and removes the folder. Each caller may upload
 * `dailyQuotaMiB` (default 50) a day.
 */
export async function startSshFilesBoard(opts: {
  prefix: string;
  maxFileMiB: number;
  dailyQuotaMiB?: number;
  generalFiles?: Record<string, string>;
}): Promise<{ board: Carrier; dir: string; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), opts.prefix));
  let board: Carrier | undefined;
  const close = async (): Promise<void> => {
    await board?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await mkdir(join(dir, 'general'));
    await mkdir(join(dir, 'secret'));
    await writeFile(join(dir, 'general', 'big.bin'), randomBytes(1_500_000));
    for (const [name, text] of Object.entries(opts.generalFiles ?? {})) await writeFile(join(dir, 'general', name), text);
    await writeFile(join(dir, 'secret', 'plans.txt'), 'sysop only');
    await writeFile(
      join(dir, 'files.yaml'),
      [
        `quarantine: ${JSON.stringify(join(dir, 'quarantine'))}`,
        `uploads: { level: 10, maxFileMiB: ${opts.maxFileMiB}, dailyQuotaMiB: ${opts.dailyQuotaMiB ?? 50} }`,
        'areas:',
        `  - { tag: general, name: General, folder: ${JSON.stringify(join(dir, 'general'))}, list: 10 }`,
        `  - { tag: uploads, name: Uploads, folder: ${JSON.stringify(join(dir, 'uploads'))}, list: 10 }`,
        `  - { tag: secret, name: Secret, folder: ${JSON.stringify(join(dir, 'secret'))}, list: sysop }`,
      ].join('\n'),
    );
    board = await startCarrier({ ssh: true, yaml: `files: { file: ${JSON.stringify(join(dir, 'files.yaml'))} }`, logLevel: 'info' });
    await board.waitForLog((l) => l['event'] === 'files.scanned' && l['area'] === 'general', 30_000);
    return { board, dir, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
