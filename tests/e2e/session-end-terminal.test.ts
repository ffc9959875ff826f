// A call that ends while a full-screen view is open (a sysop's kick, a shutdown) gives the
// caller's terminal back as it found it: the board's last words are a reset (normal screen,
// cursor shown, keypad off, mouse and bracketed paste off, scrolling region and colours reset)
// and the goodbye line, so both the line and the caller's own shell prompt after the client
// exits are on the normal screen. Real clients in tmux (OpenSSH, inetutils telnet), run from a
// shell that prints a prompt of its own once the client has exited; tmux's pane flags say
// which modes the terminal was left in.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { launchBrowser, waitScreen, webLogin } from '../web-browser.js';
import { writePost } from './messages-callers.js';
import { within } from './social-callers.js';

const PW = 'correct horse battery';
const SHELL_PROMPT = 'SHELL-PROMPT-AFTER>';

/** A client run by `sh` in a tmux pane of its own, 80x25, TERM=xterm-256color; the shell prompts once it exits. */
class TmuxClient {
  private readonly socket: string;
  constructor(tmp: string, command: string[]) {
    this.socket = join(tmp, `tmux-${randomBytes(4).toString('hex')}`);
    const quoted = command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const script = `${quoted}; printf '\\n${SHELL_PROMPT} '; exec sleep 600`;
    this.tmux('new-session', '-d', '-s', 'c', '-x', '80', '-y', '25', '-e', 'TERM=xterm-256color', 'sh', '-c', script);
  }
  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }
  send(keys: string): void {
    this.tmux('send-keys', '-t', 'c', '-H', ...[...Buffer.from(keys, 'utf8')].map((b) => b.toString(16).padStart(2, '0')));
  }
  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', 'c');
  }
  /** The pane's modes, e.g. alternate_on, cursor_flag, keypad_cursor_flag. */
  modes(flags: readonly string[]): Record<string, string> {
    const out = this.tmux('display-message', '-p', '-t', 'c', flags.map((f) => `#{${f}}`).join(' ')).trim().split(' ');
    return Object.fromEntries(flags.map((f, i) => [f, out[i] ?? '']));
  }
  async waitScreen(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    await within(() => pattern.test(this.screen()), timeoutMs, `never showed ${pattern}; screen:\n${this.screen()}`);
    return this.screen();
  }
  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      /* already gone */
    }
  }
}

/** What every mode flag should say on a terminal given back (tmux 3.3: 1 = on). */
const GIVEN_BACK = {
  alternate_on: '0',
  cursor_flag: '1',
  keypad_cursor_flag: '0',
  keypad_flag: '0',
  mouse_any_flag: '0',
  mouse_standard_flag: '0',
  scroll_region_upper: '0',
  scroll_region_lower: '24',
};

describe('a call ended under a full-screen view gives the terminal back', () => {
  let board: Carrier;
  let tmp: string;
  const clients: TmuxClient[] = [];

  before(async () => {
    board = await startCarrier({ ssh: true, logLevel: 'info' });
    tmp = mkdtempSync(join(tmpdir(), 'carrier-session-end-'));
    for (const h of ['amy', 'ben', 'cat', 'dan']) await board.addUser(h, PW);
  });
  after(async () => {
    for (const c of clients) c.close();
    await board.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function openSsh(handle: string): Promise<TmuxClient> {
    const c = new TmuxClient(tmp, [
      'sshpass', '-p', PW, 'ssh', '-tt', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${join(tmp, 'known_hosts')}`,
      '-o', 'PubkeyAuthentication=no', '-p', String(board.ports.ssh), `${handle}@127.0.0.1`,
    ]);
    clients.push(c);
    await c.waitScreen(/Command:/);
    return c;
  }

  async function openTelnet(handle: string): Promise<TmuxClient> {
    const c = new TmuxClient(tmp, ['telnet', '127.0.0.1', String(board.ports.telnet)]);
    clients.push(c);
    await c.waitScreen(/login:/);
    c.send(`${handle}\r`);
    await c.waitScreen(/password:/);
    c.send(`${PW}\r`);
    await c.waitScreen(/Command:/);
    return c;
  }

  async function openWho(c: TmuxClient, handle: string): Promise<void> {
    c.send('w');
    await c.waitScreen(new RegExp(`\\b${handle}\\b.*who's online`));
    await within(() => c.modes(['alternate_on']).alternate_on === '1', 10_000, 'who\'s online in the alternate screen');
  }

  async function assertGivenBack(c: TmuxClient, line: RegExp): Promise<void> {
    // The shell's prompt shows once the client has exited; the screen it shows on is the normal one.
    const screen = await c.waitScreen(new RegExp(SHELL_PROMPT));
    assert.deepEqual(c.modes(Object.keys(GIVEN_BACK)), GIVEN_BACK, `modes left on; screen:\n${screen}`);
    assert.match(screen, line, 'the goodbye line is on the normal screen');
  }

  async function kick(handle: string, reason: string): Promise<void> {
    const r = await board.cli(['kick', handle, reason]);
    assert.equal(r.code, 0, r.stderr);
  }

  it('OpenSSH kicked in who\'s online', async () => {
    const c = await openSsh('amy');
    await openWho(c, 'amy');
    await kick('amy', 'closing time');
    await assertGivenBack(c, /Disconnected: closing time/);
  });

  it('OpenSSH kicked in the message editor', async () => {
    const c = await openSsh('ben');
    await writePost(c, 'hello');
    await kick('ben', 'editor kick');
    await assertGivenBack(c, /Disconnected: editor kick/);
  });

  it('inetutils telnet kicked in who\'s online and in the editor', async () => {
    const c = await openTelnet('cat');
    await openWho(c, 'cat');
    await kick('cat', 'telnet kick');
    await assertGivenBack(c, /Disconnected: telnet kick/);

    const d = await openTelnet('dan');
    await writePost(d, 'hello');
    await kick('dan', 'telnet editor kick');
    await assertGivenBack(d, /Disconnected: telnet editor kick/);
  });

  it('the web page kicked in who\'s online shows the reason on the normal screen, under the menu it left', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await webLogin(page, board.ports.web!, 'dan', PW);
      await page.keyboard.type('w');
      await waitScreen(page, /Who's online - \d+ callers?\b/);
      await kick('dan', 'web kick');
      // The alternate screen would still show the list; the normal one shows the menu the view was opened from.
      const screen = await waitScreen(page, /Disconnected: web kick/);
      assert.match(screen, /Command:/);
      assert.doesNotMatch(screen, /Who's online - \d+ callers?\b/);
    } finally {
      await browser.close();
    }
  });

  it('a shutdown during chat (OpenSSH and telnet)', async () => {
    const s = await openSsh('amy');
    const t = await openTelnet('ben');
    for (const c of [s, t]) {
      c.send('c');
      await c.waitScreen(/#lobby \| \d+ here/);
    }
    const r = await board.cli(['shutdown', '--in', '0']);
    assert.equal(r.code, 0, r.stderr);
    for (const c of [s, t]) await assertGivenBack(c, /going down|shutdown|Call again/i);
  });
});
