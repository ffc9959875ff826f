// Callers for the social end-to-end tests: a raw telnet caller, an ssh2 caller with a
// pty, and OpenSSH under tmux. Each keeps what it received and what a terminal would
// show: output is fed to a headless xterm.js, so tests read rows of the screen rather
// than guess at cursor-addressed bytes (full-screen views draw that way).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '../harness.js';
import { RawTelnet } from '../raw-telnet.js';
import { eventually } from '@carrier/core/testing';

// tests/ has no dependencies of its own: borrow the packages' copies.
const ssh2 = createRequire(join(repoRoot, 'packages', 'ssh', 'package.json'))('ssh2') as typeof import('ssh2');
const { Terminal } = createRequire(join(repoRoot, 'packages', 'client', 'package.json'))('@xterm/headless') as typeof import('@xterm/headless');

const CSI = /\x1b\[[0-9;?]*[ -\/]*[@-~]/g;
/** Text without SGR colours and cursor moves. */
export function plain(text: string): string {
  return text.replace(CSI, '');
}

export const KEY = { up: '\x1b[A', down: '\x1b[B', enter: '\r', escape: '\x1b', ctrlY: '\x19', pageUp: '\x1b[5~' } as const;

export interface Caller {
  readonly name: string;
  send(keys: string): void;
  /** everything received so far as text (protocol bytes removed) */
  raw(): string;
  /** the terminal's rows now, joined with newlines */
  screen(): Promise<string>;
  /** waits until the screen matches; returns it */
  waitScreen(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** waits until the text received after `from` (SGR and cursor sequences removed) matches */
  waitRaw(pattern: string | RegExp, timeoutMs?: number, from?: number): Promise<string>;
  /** hang up cleanly (FIN) */
  hangup(): void;
  readonly closed: boolean;
}

/** The repo's one poll helper (@carrier/core/testing), for values that may be falsy but defined. */
async function poll<T>(what: () => Promise<T | undefined>, timeoutMs: number, describe: () => Promise<string>): Promise<T> {
  const found = await eventually(async () => {
    const got = await what();
    return got === undefined ? undefined : { got };
  }, describe, { timeoutMs, intervalMs: 25 });
  return found.got;
}

/** A headless xterm fed with bytes as they arrive. */
class Screen {
  private readonly term: InstanceType<typeof Terminal>;
  private pending: Promise<void> = Promise.resolve();

  constructor(cols: number, rows: number) {
    this.term = new Terminal({ cols, rows, scrollback: 0, allowProposedApi: true });
  }

  feed(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pending = new Promise<void>((resolve) => this.term.write(bytes, resolve));
  }

  async text(): Promise<string> {
    await this.pending;
    const buf = this.term.buffer.active;
    const rows: string[] = [];
    for (let y = 0; y < this.term.rows; y++) rows.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    return rows.join('\n');
  }
}

abstract class BaseCaller implements Caller {
  protected readonly view: Screen;
  abstract readonly closed: boolean;
  constructor(readonly name: string, cols: number, rows: number) {
    this.view = new Screen(cols, rows);
  }
  abstract send(keys: string): void;
  abstract raw(): string;
  abstract hangup(): void;
  protected abstract catchUp(): void;

  async screen(): Promise<string> {
    this.catchUp();
    return this.view.text();
  }

  waitScreen(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    return poll(
      async () => {
        const s = await this.screen();
        return pattern.test(s) ? s : undefined;
      },
      timeoutMs,
      async () => `${this.name} never showed ${pattern}; screen:\n${await this.screen()}`,
    );
  }

  waitRaw(pattern: string | RegExp, timeoutMs = 10_000, from = 0): Promise<string> {
    return poll(
      async () => {
        const t = plain(this.raw().slice(from));
        return (typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t)) ? t : undefined;
      },
      timeoutMs,
      async () => `${this.name} never received ${String(pattern)}; got ${JSON.stringify(this.raw().slice(-600))}`,
    );
  }
}

/** A telnet caller that says xterm-256color (so UTF-8) and 80x25, logged in at the main menu. */
export class TelnetCaller extends BaseCaller {
  private fed = 0;
  private constructor(name: string, private readonly c: RawTelnet) {
    super(name, 80, 25);
  }

  static async login(port: number, handle: string, password: string, localAddress?: string): Promise<TelnetCaller> {
    const c = await RawTelnet.connect({ port, terminalType: 'xterm-256color', size: { cols: 80, rows: 25 }, ...(localAddress ? { localAddress } : {}) });
    const caller = new TelnetCaller(handle, c);
    await caller.waitRaw('login:', 15_000);
    c.send(`${handle}\r`);
    await caller.waitRaw('password:');
    c.send(`${password}\r`);
    await caller.waitRaw('Command:');
    return caller;
  }

  get closed(): boolean {
    return this.c.closed;
  }
  send(keys: string): void {
    this.c.send(Buffer.from(keys, 'utf8').toString('latin1'));
  }
  /** Bytes as they are, in one write (a piece of a paste, cut where the terminal's read ended). */
  sendBytes(bytes: Buffer): void {
    this.c.send(bytes.toString('latin1'));
  }
  raw(): string {
    return Buffer.from(this.c.text(), 'latin1').toString('utf8');
  }
  protected catchUp(): void {
    const bytes = Buffer.from(this.c.text(), 'latin1');
    this.view.feed(bytes.subarray(this.fed));
    this.fed = bytes.length;
  }
  hangup(): void {
    this.c.close();
  }
  /** The connection vanishes without a FIN: a TCP reset. */
  reset(): void {
    (this.c as unknown as { socket: import('node:net').Socket }).socket.resetAndDestroy();
  }
}

/** An ssh2 client with a pty (xterm-256color, 80x25): the board starts it at the main menu. */
export class SshCaller extends BaseCaller {
  private text = '';
  private ended = false;
  private constructor(
    name: string,
    private readonly client: import('ssh2').Client,
    private readonly stream: import('ssh2').ClientChannel,
  ) {
    super(name, 80, 25);
    stream.on('data', (d: Buffer) => {
      this.text += d.toString('utf8');
      this.view.feed(d);
    });
    stream.on('close', () => (this.ended = true));
    client.on('close', () => (this.ended = true));
  }

  static login(port: number, handle: string, password: string): Promise<SshCaller> {
    return new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      client.on('error', reject);
      client.on('ready', () => {
        client.shell({ term: 'xterm-256color', cols: 80, rows: 25 }, (err, stream) => {
          if (err) return reject(err);
          const caller = new SshCaller(handle, client, stream);
          caller.waitRaw('Command:', 15_000).then(() => resolve(caller), reject);
        });
      });
      client.connect({ host: '127.0.0.1', port, username: handle, password, readyTimeout: 15_000 });
    });
  }

  get closed(): boolean {
    return this.ended;
  }
  send(keys: string): void {
    this.stream.write(keys);
  }
  raw(): string {
    return this.text;
  }
  protected catchUp(): void {}
  hangup(): void {
    this.client.end();
  }
}

/**
 * OpenSSH (sshpass + ssh -tt) in a tmux pane of its own: a real client on a real
 * terminal emulator. Keys go in with send-keys, the screen comes out of capture-pane.
 */
export class OpenSshCaller implements Caller {
  private readonly socket: string;
  private readonly session = 'caller';
  private ended = false;
  private constructor(readonly name: string, tmpDir: string) {
    this.socket = join(tmpDir, `tmux-${randomBytes(4).toString('hex')}`);
  }

  static async login(port: number, handle: string, password: string, tmpDir: string): Promise<OpenSshCaller> {
    const caller = new OpenSshCaller(handle, tmpDir);
    const knownHosts = join(tmpDir, 'known_hosts');
    const ssh = [
      'sshpass', '-p', password, 'ssh', '-tt', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${knownHosts}`,
      '-o', 'PubkeyAuthentication=no', '-p', String(port), `${handle}@127.0.0.1`,
    ];
    execFileSync('tmux', ['-S', caller.socket, '-f', '/dev/null', 'new-session', '-d', '-s', caller.session, '-x', '80', '-y', '25', '-e', 'TERM=xterm-256color', ...ssh]);
    await caller.waitScreen(/Command:/, 20_000);
    return caller;
  }

  get closed(): boolean {
    return this.ended;
  }
  send(keys: string): void {
    // As bytes (-H, hex): control keys and escape sequences go through exactly as typed.
    const hex = [...Buffer.from(keys, 'utf8')].map((b) => b.toString(16).padStart(2, '0'));
    execFileSync('tmux', ['-S', this.socket, 'send-keys', '-t', this.session, '-H', ...hex]);
  }
  raw(): string {
    throw new Error('OpenSSH under tmux: read the screen instead');
  }
  /** Terminal modes as tmux's pane has them, e.g. `keypad_cursor_flag` (application cursor keys, DECCKM). */
  mode(flag: string): string {
    return execFileSync('tmux', ['-S', this.socket, 'display-message', '-p', '-t', this.session, `#{${flag}}`], { encoding: 'utf8' }).trim();
  }
  async screen(): Promise<string> {
    try {
      return execFileSync('tmux', ['-S', this.socket, 'capture-pane', '-p', '-t', this.session], { encoding: 'utf8' });
    } catch {
      this.ended = true;
      return '';
    }
  }
  waitScreen(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    return poll(
      async () => {
        const s = await this.screen();
        return pattern.test(s) ? s : undefined;
      },
      timeoutMs,
      async () => `${this.name} (OpenSSH) never showed ${pattern}; screen:\n${await this.screen()}`,
    );
  }
  waitRaw(): Promise<string> {
    throw new Error('OpenSSH under tmux: wait on the screen instead');
  }
  hangup(): void {
    try {
      execFileSync('tmux', ['-S', this.socket, 'kill-server']);
    } catch {
      /* already gone */
    }
    this.ended = true;
  }
}

/** Resolves once `check` passes, polling; returns how long that took. */
export async function within(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<number> {
  const t0 = performance.now();
  await poll(async () => ((await check()) ? true : undefined), timeoutMs, async () => what);
  return performance.now() - t0;
}

/**
 * Enter chat from the main menu and wait for the room's screen: its title row names the
 * room. (The "You are in" line can scroll out of sight under the room's history on an
 * 80x25 screen, where the art header leaves the room 13 rows.)
 */
export async function enterChat(c: Caller, room = 'lobby'): Promise<void> {
  c.send('c');
  await c.waitScreen(new RegExp(`#${room} \\| \\d+ here`));
}

/** Type a line and Enter. */
export function say(c: Caller, text: string): void {
  c.send(`${text}\r`);
}
