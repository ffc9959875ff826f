// Real clients for the message-base tests: inetutils telnet, OpenSSH or netkit rlogin in a
// tmux pane of its own (keys in with send-keys, the screen out of capture-pane), like
// OpenSshCaller does for OpenSSH in social-callers.ts.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { silentLogger } from '@carrier/core';
import { eventually } from '@carrier/core/testing';
import { openStore } from '@carrier/store';

export interface ScreenCaller {
  readonly name: string;
  send(keys: string): void;
  screen(): Promise<string>;
  waitScreen(pattern: RegExp, timeoutMs?: number): Promise<string>;
  hangup(): void;
}

/** The body of the message a screen's `Message #N posted` names, read from the board's store. */
export async function postedBody(dataDir: string, screen: string): Promise<string> {
  const id = Number(/Message #(\d+) posted/.exec(screen)![1]);
  const store = await openStore({ dataDir, log: silentLogger });
  try {
    return (await store.messages.get(id))!.body;
  } finally {
    await store.close();
  }
}

/** From the main menu to the editor of a new post to All in General (`opened`: the editor shows, full screen by default). */
export async function writePost(c: Pick<ScreenCaller, 'send' | 'waitScreen'>, subject: string, opened = /Ctrl-Z save/): Promise<void> {
  await toSubject(c);
  c.send(`${subject}\r`);
  await c.waitScreen(opened);
}

/** From the main menu to the Subject: prompt of a new post to All in General. */
export async function toSubject(c: Pick<ScreenCaller, 'send' | 'waitScreen'>): Promise<void> {
  c.send('m');
  await c.waitScreen(/Area: General/);
  c.send('p');
  await c.waitScreen(/To:/);
  c.send('\r');
  await c.waitScreen(/Subject:/);
}

/** A real client on an xterm (tmux, 80x25 unless told): inetutils telnet, OpenSSH or netkit rlogin. */
export class TmuxCaller implements ScreenCaller {
  private readonly socket: string;
  private readonly session = 'caller';
  private constructor(readonly name: string, tmpDir: string) {
    this.socket = join(tmpDir, `tmux-${randomBytes(4).toString('hex')}`);
  }

  private static open(name: string, tmpDir: string, command: string[], cols = 80): TmuxCaller {
    const caller = new TmuxCaller(name, tmpDir);
    execFileSync('tmux', ['-S', caller.socket, '-f', '/dev/null', 'new-session', '-d', '-s', caller.session, '-x', String(cols), '-y', '25', '-e', 'TERM=xterm-256color', ...command]);
    return caller;
  }

  /**
   * GNU inetutils telnet, logged in; resolves once `until` (default the main menu's prompt)
   * shows. `term` is the type telnet reports (its TERM: tmux sets its own for the pane);
   * `cols` the window's width from the start (telnet's first NAWS).
   */
  static async telnet(port: number, handle: string, password: string, tmpDir: string, until = /Command:/, term?: string, cols = 80): Promise<TmuxCaller> {
    const caller = await TmuxCaller.telnetAtLogin(port, handle, tmpDir, cols, term);
    caller.send(`${handle}\r`);
    await caller.waitScreen(/password:/);
    caller.send(`${password}\r`);
    await caller.waitScreen(until, 20_000);
    return caller;
  }

  /** GNU inetutils telnet at the board's `login:` prompt, not logged in (`name` names the caller in failures). */
  static async telnetAtLogin(port: number, name: string, tmpDir: string, cols = 80, term?: string): Promise<TmuxCaller> {
    const caller = TmuxCaller.open(name, tmpDir, [...(term ? ['env', `TERM=${term}`] : []), 'telnet', '127.0.0.1', String(port)], cols);
    await caller.waitScreen(/login:/, 20_000);
    return caller;
  }

  /** OpenSSH through sshpass, logged in; resolves once `until` shows. */
  static async ssh(port: number, handle: string, password: string, tmpDir: string, until = /Command:/): Promise<TmuxCaller> {
    const knownHosts = join(tmpDir, 'known_hosts');
    const caller = TmuxCaller.open(handle, tmpDir, [
      'sshpass', '-p', password, 'ssh', '-tt', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${knownHosts}`,
      '-o', 'PubkeyAuthentication=no', '-p', String(port), `${handle}@127.0.0.1`,
    ]);
    await caller.waitScreen(until, 20_000);
    return caller;
  }

  /**
   * netkit rlogin (`-l handle`; it binds a port below 1024, so root only), logged in with a
   * password; resolves once `until` shows. It keeps Ctrl-S/Ctrl-Q as its own flow control.
   */
  static async rlogin(port: number, handle: string, password: string, tmpDir: string, until = /Command:/): Promise<TmuxCaller> {
    const caller = TmuxCaller.open(handle, tmpDir, ['rlogin', '-p', String(port), '-l', handle, '127.0.0.1']);
    await caller.waitScreen(/password:/, 20_000);
    caller.send(`${password}\r`);
    await caller.waitScreen(until, 20_000);
    return caller;
  }

  send(keys: string): void {
    const hex = [...Buffer.from(keys, 'utf8')].map((b) => b.toString(16).padStart(2, '0'));
    execFileSync('tmux', ['-S', this.socket, 'send-keys', '-t', this.session, '-H', ...hex]);
  }

  /**
   * `text` typed as a caller types it by hand: one key at a time, each sent once the one before
   * shows (`echoed`, given what is typed so far), so each reaches the board in a read of its own.
   * (send() writes its keys at once: the board gets them together, as it gets a paste.)
   */
  async typeByHand(text: string, echoed: (typed: string) => RegExp): Promise<void> {
    const keys = [...text];
    for (let i = 1; i <= keys.length; i++) {
      this.send(keys[i - 1]!);
      await this.waitScreen(echoed(keys.slice(0, i).join('')));
    }
  }

  /**
   * From now on, everything the client writes to its window is appended to `file` (tmux
   * pipe-pane): the bytes the caller's terminal is sent, to check what reached them.
   */
  logOutput(file: string): void {
    execFileSync('tmux', ['-S', this.socket, 'pipe-pane', '-O', '-t', this.session, `cat >> '${file}'`]);
  }

  /** The window stays, its last screen readable, once the client exits (the board hung up: the goodbye). */
  keepAfterExit(): void {
    execFileSync('tmux', ['-S', this.socket, 'set-option', '-t', this.session, 'remain-on-exit', 'on']);
  }

  /** The terminal window becomes `cols` x `rows` (the client tells the board: NAWS, window-change). */
  resize(cols: number, rows: number): void {
    execFileSync('tmux', ['-S', this.socket, 'resize-window', '-t', this.session, '-x', String(cols), '-y', String(rows)]);
  }

  /** Text through tmux's paste buffer, as a terminal pastes it (one write, LF sent as CR). */
  paste(text: string): void {
    execFileSync('tmux', ['-S', this.socket, 'load-buffer', '-'], { input: text });
    execFileSync('tmux', ['-S', this.socket, 'paste-buffer', '-t', this.session]);
  }

  async screen(): Promise<string> {
    try {
      return execFileSync('tmux', ['-S', this.socket, 'capture-pane', '-p', '-t', this.session], { encoding: 'utf8' });
    } catch {
      return '';
    }
  }

  /** Where the terminal's cursor is (0-based). */
  cursor(): { row: number; col: number } {
    const [col, row] = execFileSync('tmux', ['-S', this.socket, 'display-message', '-p', '-t', this.session, '#{cursor_x} #{cursor_y}'], { encoding: 'utf8' }).trim().split(' ').map(Number);
    return { row: row!, col: col! };
  }

  waitScreen(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    return eventually(
      async () => {
        const s = await this.screen();
        return pattern.test(s) && s;
      },
      async () => `${this.name} to show ${pattern}; screen:\n${await this.screen()}`,
      { timeoutMs, intervalMs: 50 },
    );
  }

  hangup(): void {
    try {
      execFileSync('tmux', ['-S', this.socket, 'kill-server']);
    } catch {
      /* already gone */
    }
  }
}
