import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { dirname, join, resolve } from 'node:path';

/**
 * One board per data dir. Two boards on one dir would share its SQLite file, its control
 * socket (the second ran without one) and its process watch (each would end the other's
 * calls as a dead process's), so a second start is refused before it opens anything.
 *
 * The claim is a Unix socket, `<dataDir>/board.lock`, that the board's first process (a
 * lone board, or a cluster's primary: its workers share the claim) listens on for its
 * whole life. A live claim answers a connect with its process id; a socket file left by a
 * board that died (kill -9, a crash) refuses the connect, and the next start takes it
 * over. A pid file would need the pid checked, and a pid is reused (a container's
 * restarted board is pid 1 again): a listening socket cannot outlive its process.
 */
export const LOCK_NAME = 'board.lock';
/** How long a live claim has to say its pid before the start is refused without it. */
const ANSWER_MS = 2_000;

/** A start refused because another board runs on the data dir: exit 2, this message. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number | undefined,
  ) {
    super(
      `a board is already running on the data dir ${dataDir}${pid === undefined ? '' : ` (process ${pid})`}: ` +
        'stop it first (carrier shutdown), or give this board a data dir of its own (dataDir or CARRIER_DATA_DIR)',
    );
  }
}

export interface DataDirClaim {
  /** The lock's socket path, or undefined when the platform could not make one (see `warning`). */
  readonly path: string | undefined;
  /** Why the dir could not be claimed though no board was found on it (a path too long for a socket). */
  readonly warning: string | undefined;
  /** Let go: the socket closes and its file goes (only if it is still this claim's). */
  release(): void;
}

type Probe = { kind: 'none' } | { kind: 'stale' } | { kind: 'live'; pid: number | undefined };

/** Who holds `path`: nobody, a dead board's socket file, or a live board (its pid, if it says). */
function probe(path: string): Promise<Probe> {
  if (!existsSync(path)) return Promise.resolve({ kind: 'none' });
  return new Promise((done) => {
    const s = connect(path);
    let text = '';
    let connected = false;
    const finish = (p: Probe): void => {
      clearTimeout(timer);
      s.destroy();
      done(p);
    };
    const timer = setTimeout(() => finish({ kind: 'live', pid: undefined }), ANSWER_MS);
    s.setEncoding('utf8');
    s.on('connect', () => (connected = true));
    s.on('data', (d: string) => {
      text += d;
      if (text.length > 200) finish({ kind: 'live', pid: undefined });
    });
    s.on('end', () => {
      const pid = Number(/^\{"pid":(\d{1,10})\}/.exec(text)?.[1]);
      finish({ kind: 'live', pid: Number.isSafeInteger(pid) && pid > 0 ? pid : undefined });
    });
    // Refused (or not a socket at all): nothing listens there any more.
    s.on('error', () => finish(connected ? { kind: 'live', pid: undefined } : { kind: 'stale' }));
  });
}

/**
 * What `dataDir`'s lock says: `live`, a board runs on it (on this host); `stale`, the board
 * that held it died (kill -9, a crash) and nothing runs on it now; `none`, no lock (no board
 * started here since the lock came, or a board on another host of a shared database).
 */
export async function dataDirLockState(dataDir: string): Promise<'live' | 'stale' | 'none'> {
  return (await probe(join(resolve(dataDir), LOCK_NAME))).kind;
}

/**
 * The inode at `path` (the claim's socket), read without leaving a socket's stat in Node's
 * shared stat buffer: Node 20's realpath, which require and import use, reads that buffer
 * for a path component it has cached, and left holding a socket's stat it stops resolving
 * there and hands back a symlinked path. pnpm links every workspace package's dependencies,
 * and a module loaded under its link's path cannot find its own dependencies (a board failed
 * "Cannot find module '@ioredis/commands'" when it first used Redis after its claim). The
 * promise API's stat does not use that buffer; a sync one (the release, run as the process
 * exits) is followed by the directory's.
 */
export function inodeSync(path: string): number {
  try {
    return lstatSync(path).ino;
  } finally {
    lstatSync(dirname(path), { throwIfNoEntry: false });
  }
}

/** A dead board's socket file; gone already if another start took it first. */
function removeStale(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function listen(path: string): Promise<Server> {
  return new Promise((done, fail) => {
    const server = createServer((s) => {
      s.on('error', () => undefined);
      s.end(`${JSON.stringify({ pid: process.pid })}\n`);
    });
    server.once('error', fail);
    server.listen(path, () => {
      server.off('error', fail);
      // The claim never keeps the process alive on its own.
      server.unref();
      done(server);
    });
  });
}

/**
 * Claim `dataDir` (which exists) for this process, or throw DataDirInUseError naming the
 * board that has it. A board from before this claim has no lock, but its control socket
 * answers (`controlSocket`): that counts as a board running, pid unknown.
 */
export async function claimDataDir(dataDir: string, controlSocket?: string): Promise<DataDirClaim> {
  const dir = resolve(dataDir);
  const path = join(dir, LOCK_NAME);
  for (let attempt = 0; ; attempt++) {
    const held = await probe(path);
    if (held.kind === 'live') throw new DataDirInUseError(dir, held.pid);
    if (controlSocket !== undefined && held.kind === 'none' && (await probe(controlSocket)).kind === 'live') throw new DataDirInUseError(dir, undefined);
    if (held.kind === 'stale') removeStale(path);
    try {
      const server = await listen(path);
      const { ino } = await lstat(path);
      let released = false;
      return {
        path,
        warning: undefined,
        release() {
          if (released) return;
          released = true;
          server.close();
          try {
            // Another board may have taken over a path this one left (never while it runs): not its file to remove.
            if (inodeSync(path) === ino) unlinkSync(path);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Another start made its claim between our look and our listen: look again, once.
      if (code === 'EADDRINUSE' && attempt === 0) continue;
      if (code === 'EADDRINUSE') throw new DataDirInUseError(dir, undefined);
      // A socket path has at most 107 bytes: a deeper data dir cannot be claimed this way.
      return { path: undefined, warning: `${path}: ${(err as Error).message}`, release: () => undefined };
    }
  }
}
