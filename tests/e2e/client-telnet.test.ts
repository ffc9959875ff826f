// `carrier telnet`, the interactive caller, end to end in a real terminal (tmux): it shows
// the board's CP437 welcome art as UTF-8, opens command mode on Ctrl-], lists history,
// and hands the terminal back in cooked mode on quit, on the board's hang-up, on a signal
// and on a crash.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { carrierShellCommand, repoRoot, startCarrier, type Carrier } from '../harness.js';

const cli = carrierShellCommand;

describe('carrier telnet in a terminal', () => {
  let board: Carrier;
  const socket = `carrier-e2e-${process.pid}`;
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], {
      env: { ...board.env, TERM: 'xterm-256color', LANG: 'C.UTF-8' },
      encoding: 'utf8',
    });
  const screen = () => tmux('capture-pane', '-p', '-J');
  const type = (...keys: string[]) => tmux('send-keys', ...keys);

  async function waitForScreen(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    let s = '';
    await eventually(() => pattern.test((s = screen())), () => `the terminal to show ${pattern}; it shows:\n${s}`, { timeoutMs, intervalMs: 100 });
    return s;
  }

  /**
   * The state the shell got its terminal back in, as one line: the line discipline flags
   * ("icanon echo" is a terminal a shell can use; Node restores these itself on exit),
   * whether the cursor is visible and lines wrap, and whether text comes out in the
   * default colours (a board leaves white or worse set; only the caller resets that).
   */
  async function terminalState(marker: string): Promise<string> {
    // The client has exited and the shell has its prompt back (bash --norc: `bash-5.2# `),
    // so nothing the client writes on its way out can land after the `clear`.
    await eventually(() => /[#$] ?$/.test(screen().trimEnd()), 'the shell prompt back', { timeoutMs: 20_000, intervalMs: 100 });
    type('clear', 'Enter');
    type(`modes ${marker}`, 'Enter');
    await waitForScreen(new RegExp(`-?icanon -?echo ${marker}`));
    // With -e, tmux marks where attributes change; after `clear` on a terminal in default
    // colours there is no such mark anywhere.
    const captured = tmux('capture-pane', '-p', '-e', '-J');
    const line = captured.split('\n').find((l) => l.includes(`echo ${marker}`) && !l.includes('modes'))!;
    const flags = tmux('display-message', '-p', 'cursor #{cursor_flag} wrap #{wrap_flag}').trim();
    return `${line.replace(/\x1b\[[0-9;]*m/g, '')} | ${flags} | ${captured.includes('\x1b[') ? 'coloured' : 'plain'}`;
  }

  before(async () => {
    board = await startCarrier();
    await board.addUser('alice', 'wonderland7');
    tmux('-u', 'new-session', '-d', '-x', '100', '-y', '30', 'bash --norc --noprofile');
    type(`modes() { stty -a | tr ' ' '\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' '; echo "$1"; }`, 'Enter');
  });
  after(async () => {
    try {
      tmux('kill-server');
    } finally {
      await board.stop();
    }
  });

  it('shows the CP437 welcome art in UTF-8, lists history in command mode, and restores the terminal on quit', async () => {
    type(`${cli} telnet --cp437 127.0.0.1 ${board.ports.telnet}`, 'Enter');
    const art = await waitForScreen(/login:/);
    assert.match(art, /╔══ welcome ═+╗/);
    assert.match(art, /░░░▒▒▒▓▓▓  a bulletin board/);
    const negotiated = await board.waitForLog((l) => l['event'] === 'telnet.negotiated');
    assert.equal(negotiated['encoding'], 'cp437', 'the board sent CP437 bytes');
    assert.equal(negotiated['cols'], 100);
    assert.equal(negotiated['rows'], 30);

    type('C-]');
    await waitForScreen(/carrier> $/m);
    type('history', 'Enter');
    await waitForScreen(new RegExp(`127\\.0\\.0\\.1:${board.ports.telnet}\\s+\\d+s \\(open\\)`));
    type('quit', 'Enter');
    await waitForScreen(/Connection closed\./);
    assert.equal(await terminalState('AFTER-QUIT'), 'icanon echo AFTER-QUIT | cursor 1 wrap 1 | plain');
  });

  it('logs in, and when the board hangs up after goodbye the shell gets a sane terminal back', async () => {
    type('clear', 'Enter');
    type(`${cli} telnet 127.0.0.1 ${board.ports.telnet}`, 'Enter');
    await waitForScreen(/login:/);
    type('alice', 'Enter');
    await waitForScreen(/password:/);
    type('wonderland7', 'Enter');
    await waitForScreen(/Command:/);
    type('g');
    await waitForScreen(/Connection closed by foreign host/);
    assert.equal(await terminalState('AFTER-HANGUP'), 'icanon echo AFTER-HANGUP | cursor 1 wrap 1 | plain');
  });

  it('lists both calls, ended, with carrier telnet --history', async () => {
    type('clear', 'Enter');
    type(`${cli} telnet --history; echo HISTORY-DONE`, 'Enter');
    const s = await waitForScreen(/^HISTORY-DONE/m);
    const rows = s.split('\n').filter((l) => l.includes(`127.0.0.1:${board.ports.telnet}`));
    assert.equal(rows.length, 2, s);
    for (const row of rows) assert.doesNotMatch(row, /\(open\)/);
  });

  it('restores the terminal when killed by a signal', async () => {
    type('clear', 'Enter');
    type(`${cli} telnet 127.0.0.1 ${board.ports.telnet}`, 'Enter');
    await waitForScreen(/login:/);
    const shell = tmux('display-message', '-p', '#{pane_pid}').trim();
    const caller = execFileSync('pgrep', ['-P', shell], { encoding: 'utf8' }).trim().split('\n')[0]!;
    process.kill(Number(caller), 'SIGTERM');
    // Wait for it to be gone: keys typed before that would reach the caller, not the shell.
    await eventually(
      () => {
        try {
          process.kill(Number(caller), 0);
          return false;
        } catch {
          return true;
        }
      },
      'the killed caller to exit',
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    assert.equal(await terminalState('AFTER-SIGTERM'), 'icanon echo AFTER-SIGTERM | cursor 1 wrap 1 | plain');
    // The killed call's history row was ended on the way out, not left open forever.
    type('clear', 'Enter');
    type(`${cli} telnet --history; echo HISTORY-AFTER-KILL`, 'Enter');
    const s = await waitForScreen(/^HISTORY-AFTER-KILL/m);
    const rows = s.split('\n').filter((l) => l.includes(`127.0.0.1:${board.ports.telnet}`));
    assert.ok(rows.length >= 1, s);
    for (const row of rows) assert.doesNotMatch(row, /\(open\)/, row);
  });

  it('restores the terminal after a crash', async () => {
    type('clear', 'Enter');
    type(`node --conditions=carrier-src --import tsx ${join(repoRoot, 'tests/e2e/client-telnet-crash.fixture.ts')}`, 'Enter');
    await waitForScreen(/deliberate crash/);
    assert.equal(await terminalState('AFTER-CRASH'), 'icanon echo AFTER-CRASH | cursor 1 wrap 1 | plain');
  });
});
