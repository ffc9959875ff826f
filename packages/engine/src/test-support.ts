// Shared by this package's tests: a Connection whose wire is an array, and a board in a
// temp dir with its own scripts. Not exported from index.ts.
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseConnection, createMemoryLogger, decodeBytes, type Identity, type TerminalInfo } from '@carrier/core';
import { openStore, type Store } from '@carrier/store';
import { createBoard, type Board, type BoardConfig } from './board.js';
import { InProcessBus } from './bus.js';
import type { SpyOutput } from './draw-again.js';
import type { MenuParser } from './menu/types.js';

export class FakeConnection extends BaseConnection {
  readonly sent: Buffer[] = [];
  endedWith: string | undefined;
  private watchers: Array<() => void> = [];

  constructor(
    opts: { terminal?: Partial<TerminalInfo>; identity?: Identity; wantsNewUser?: boolean; remoteAddress?: string } = {},
  ) {
    super({
      protocol: 'telnet',
      remoteAddress: opts.remoteAddress ?? '192.0.2.7',
      terminal: {
        type: 'xterm',
        types: ['xterm'],
        encoding: 'utf8',
        sizeSource: 'naws',
        encodingSource: 'ttype',
        ...opts.terminal,
      },
    });
    this.identity = opts.identity;
    this.wantsNewUser = opts.wantsNewUser ?? false;
  }

  protected sendRaw(bytes: Buffer): boolean {
    this.sent.push(Buffer.from(bytes));
    for (const w of [...this.watchers]) w();
    return true;
  }

  protected endTransport(reason: string): void {
    this.endedWith = reason;
  }

  /** The caller types (bytes as they would arrive after the protocol layer). */
  type(input: string | Buffer): void {
    this.pushInput(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  }

  /** The peer vanished (TCP reset): no close() from our side. */
  reset(): void {
    this.transportClosed('ECONNRESET');
  }

  /** Everything sent so far, decoded in the terminal's encoding. */
  get screen(): string {
    return decodeBytes(Buffer.concat(this.sent), this.terminal.encoding);
  }

  /** Resolves once the output contains `needle` (after `from` chars); rejects after `timeoutMs`. */
  waitFor(needle: string | RegExp, timeoutMs = 3000, from = 0): Promise<string> {
    const found = (): boolean => {
      const text = this.screen.slice(from);
      return typeof needle === 'string' ? text.includes(needle) : needle.test(text);
    };
    if (found()) return Promise.resolve(this.screen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.watchers = this.watchers.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${String(needle)}; screen so far: ${JSON.stringify(this.screen.slice(-400))}`));
      }, timeoutMs);
      const check = (): void => {
        if (!found()) return;
        clearTimeout(timer);
        this.watchers = this.watchers.filter((w) => w !== check);
        resolve(this.screen);
      };
      this.watchers.push(check);
    });
  }
}

/** Fast password hashing for tests; production uses the store's defaults. */
export const TEST_SCRYPT = { N: 1024, r: 8, p: 1, keylen: 32 } as const;

export interface TestBoard {
  board: Board;
  bus: InProcessBus;
  store: Store;
  log: ReturnType<typeof createMemoryLogger>;
  dir: string;
  scriptsDir: string;
  artDir: string;
  /** menus are read from here when createTestBoard was given a menu parser */
  menusDir: string;
  /** Write (or rewrite) scripts/<name>.ts; the mtime is moved forward so a reload is seen at once. */
  writeScript(name: string, source: string): Promise<void>;
  connect(conn?: FakeConnection): { conn: FakeConnection; session: ReturnType<Board['attach']> };
  close(): Promise<void>;
}

let mtimeTick = 0;

export async function createTestBoard(
  scripts: Record<string, string>,
  config: Partial<BoardConfig> = {},
  menuParser?: MenuParser,
): Promise<TestBoard> {
  const dir = await mkdtemp(join(tmpdir(), 'carrier-engine-'));
  const scriptsDir = join(dir, 'scripts');
  const artDir = join(dir, 'art');
  const menusDir = join(dir, 'menus');
  await mkdir(scriptsDir, { recursive: true });
  await mkdir(artDir, { recursive: true });
  await mkdir(menusDir, { recursive: true });
  const log = createMemoryLogger();
  const store = await openStore({ dataDir: join(dir, 'data'), log, passwordParams: TEST_SCRYPT });
  const bus = new InProcessBus(log);
  const board = createBoard({
    name: 'Test Board',
    store,
    bus,
    log,
    scriptsDir,
    artDir,
    cacheDir: join(dir, 'cache'),
    config: { probeTimeoutMs: 100, ...config },
    ...(menuParser ? { menus: { dir: menusDir, parse: menuParser } } : {}),
  });
  const writeScript = async (name: string, source: string): Promise<void> => {
    const file = join(scriptsDir, `${name}.ts`);
    await writeFile(file, source);
    // Filesystems with coarse mtimes (and two writes in one millisecond) must still look edited.
    const t = new Date(Date.now() + ++mtimeTick * 1000);
    await utimes(file, t, t);
  };
  for (const [name, source] of Object.entries(scripts)) await writeScript(name, source);
  return {
    board,
    bus,
    store,
    log,
    dir,
    scriptsDir,
    artDir,
    menusDir,
    writeScript,
    connect(conn = new FakeConnection()) {
      return { conn, session: board.attach(conn) };
    },
    async close() {
      await board.shutdown('test over');
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Log lines with this event name. */
export function events(log: { lines: Record<string, unknown>[] }, event: string): Record<string, unknown>[] {
  return log.lines.filter((l) => l['event'] === event);
}

/** The repo's one real-time wait, re-exported for the engine's tests that import it from here. */
export { delay } from '@carrier/core/testing';

/** A sysop spy's copy for LiveSession.repaint: what was drawn for it alone, as text (UTF-8 callers). */
export function spyCopy(): SpyOutput & { text(): string } {
  const chunks: Buffer[] = [];
  return {
    write: (text) => chunks.push(Buffer.from(text, 'utf8')),
    writeBytes: (bytes) => chunks.push(Buffer.from(bytes)),
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}
