// `carrier sysop` in a tmux window of its own, against a running board: the sysop's real
// seat for end-to-end tests (keys in with send-keys, the screen out of capture-pane).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { eventually } from '@carrier/core/testing';
import { carrierArgv, repoRoot, type Carrier } from '../harness.js';

export class TmuxConsole {
  private readonly socket: string;
  private readonly session = 'sysop';
  constructor(tmp: string, board: Carrier) {
    this.socket = join(tmp, `tmux-${randomBytes(4).toString('hex')}`);
    const cmd = [process.execPath, ...carrierArgv, 'sysop'];
    execFileSync('tmux', [
      '-S', this.socket, '-f', '/dev/null', 'new-session', '-d', '-s', this.session, '-x', '160', '-y', '50',
      '-e', 'TERM=xterm-256color', '-e', `CARRIER_CONFIG=${board.env['CARRIER_CONFIG']}`, '-e', `CARRIER_DATA_DIR=${board.dataDir}`,
      '-c', repoRoot, cmd.map((a) => `'${a}'`).join(' '),
    ]);
  }
  screen(): string {
    try {
      return execFileSync('tmux', ['-S', this.socket, 'capture-pane', '-p', '-t', this.session], { encoding: 'utf8' });
    } catch {
      return '';
    }
  }
  async wait(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    return eventually(
      () => {
        const s = this.screen();
        return pattern.test(s) && s;
      },
      () => `the console to show ${pattern}; screen:\n${this.screen()}`,
      { timeoutMs, intervalMs: 50 },
    );
  }
  /** The sysop's window becomes `cols` x `rows`. */
  resize(cols: number, rows: number): void {
    execFileSync('tmux', ['-S', this.socket, 'resize-window', '-t', this.session, '-x', String(cols), '-y', String(rows)]);
  }
  keys(...keys: string[]): void {
    execFileSync('tmux', ['-S', this.socket, 'send-keys', '-t', this.session, ...keys]);
  }
  type(text: string): void {
    execFileSync('tmux', ['-S', this.socket, 'send-keys', '-t', this.session, '-l', text]);
  }
  /**
   * The window becomes 80x25 and spies on `handle`'s node (the list is by node: the selection
   * moves down to their row); resolves once `started` shows (default: the key bar is gone,
   * the caller's 80x25 bare over the whole window).
   */
  async spyAt80x25(handle: string, started = /^(?![\s\S]*S spy +C chat)/): Promise<void> {
    const row = new RegExp(` ${handle} +telnet`);
    await this.wait(row);
    this.resize(80, 25);
    await this.wait(/^ S spy +C chat/m);
    const rows = this.screen().split('\n');
    const at = rows.findIndex((r) => row.test(r));
    const firstAt = rows.findIndex((r) => /^. \d+ {2,}\S/.test(r));
    for (let i = firstAt; i < at; i++) this.keys('Down');
    this.keys('s');
    await this.wait(started);
  }
  /** The user editor (U), its list searched for `handle` and that account's details shown. */
  async userEditorAt(handle: string): Promise<void> {
    this.keys('u');
    await this.wait(/all users/);
    this.keys('/');
    await this.wait(/search handles:/);
    this.type(handle);
    this.keys('Enter');
    await this.wait(new RegExp(`matching "${handle}"[\\s\\S]*handle +${handle}`));
  }
  kill(): void {
    try {
      execFileSync('tmux', ['-S', this.socket, 'kill-server']);
    } catch {
      /* already gone */
    }
  }
}
