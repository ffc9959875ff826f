// Doors end to end: a real carrier, real clients (the telnet client library; OpenSSH under
// sshpass in tmux), the test door in tests/fixtures/doors, and robots from Debian's
// bsdgames. Every door's process group is checked empty after it ends.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, scratchDir } from '@carrier/core/testing';
import { connect, type ConnectOptions, type TelnetClient } from '@carrier/client';
import { groupMembers, TERMINAL_RESET } from '@carrier/doors';
import { repoRoot, startCarrier, type Carrier } from '../harness.js';

const FIRST_SCREEN_MS = 20_000;
const WAIT_MS = 20_000;
const door = join(repoRoot, 'tests/fixtures/doors/echo-door.mjs');
const node = process.execPath;
const ROBOTS = '/usr/games/robots';

/** Door keys in the list follow the file order: 1 echo, 2 sleeper, 3 crash, 4 modes, 5 missing, 6 single, 7 flood, 8 robots. */
const DOORS_YAML = `
doors:
  - { name: echo, description: Echo door, command: [${node}, ${door}], encoding: utf8, level: 10 }
  - { name: sleeper, description: Sleeper, command: [${node}, ${door}, --sleep], timeLimit: 3s, level: 10 }
  - { name: crash, description: Crasher, command: [${node}, ${door}, --crash], level: 10 }
  - { name: modes, description: Mode changer, command: [${node}, ${door}, --modes], level: 10 }
  - { name: missing, description: Missing game, command: [/usr/games/not-installed-here], level: 10 }
  - { name: single, description: Single user, command: [${node}, ${door}], maxCallers: 1, level: 10 }
  - { name: flood, description: Flood, command: [${node}, ${door}, --flood, "20000000"], level: 10 }
  - { name: robots, description: Robots, command: [${ROBOTS}], encoding: utf8, level: 10 }
`;

/** How eventually() polls here: a door's screen or process group, every 50 ms. */
const POLL = { timeoutMs: WAIT_MS, intervalMs: 50 };

describe('doors', () => {
  let board: Carrier;
  const tmp = scratchDir('carrier-doors-e2e');

  before(async () => {
    const doorsFile = join(tmp, 'doors.yaml');
    writeFileSync(doorsFile, DOORS_YAML);
    board = await startCarrier({ ssh: true, yaml: `doors: { file: ${JSON.stringify(doorsFile)}, killGrace: 500ms }` });
    for (const [h, p] of [['alice', 'wonderland7'], ['bob', 'builder-42'], ['carol', 'carolyn-9x']] as const) await board.addUser(h, p);
  });
  after(async () => {
    await board.stop();
  });

  async function login(handle: string, password: string, opts: ConnectOptions = {}): Promise<TelnetClient> {
    const c = await connect({ port: board.ports.telnet!, ...opts });
    await c.readUntil('login:', { timeout: FIRST_SCREEN_MS });
    c.writeLine(handle);
    await c.readUntil('password:');
    c.writeLine(password);
    await c.readUntil('Command:', { timeout: WAIT_MS });
    return c;
  }

  /** From the main menu: D, then the door's key; resolves with the door.start log line. */
  async function enter(c: TelnetClient, key: string, handle: string): Promise<Record<string, unknown>> {
    const seen = board.logs.length;
    c.write('d');
    await c.readUntil('Door (Enter', { timeout: WAIT_MS });
    c.write(key);
    return board.waitForLog((l) => board.logs.indexOf(l) >= seen && l['event'] === 'door.start' && l['user'] === handle, WAIT_MS);
  }

  const logAfter = (seen: number, event: string, handle: string) =>
    board.waitForLog((l) => board.logs.indexOf(l) >= seen && l['event'] === event && l['user'] === handle, WAIT_MS);

  it('over telnet: greets the caller by handle from door32.sys, echoes keys, follows a resize, and returns to the menu', async () => {
    const c = await login('alice', 'wonderland7', { cols: 100, rows: 30 });
    try {
      const start = await enter(c, '1', 'alice');
      await c.readUntil('Hello, alice!', { timeout: WAIT_MS });
      await c.readUntil('size 100x30');
      c.write('z');
      await c.readUntil('key:7a');
      c.resize(120, 40);
      await c.readUntil('size 120x40');
      const drop = readFileSync(join(board.dataDir, 'nodes', String(start['node']), 'door32.sys'), 'latin1').split('\r\n');
      assert.equal(drop[6], 'alice');
      assert.equal(drop[10], String(start['node']));
      // Local (stdio) door: every drop file says so, or a door would try to open COM1.
      assert.equal(drop[0], '0', 'DOOR32.SYS comm type 0 (local)');
      const nodeDir = join(board.dataDir, 'nodes', String(start['node']));
      assert.deepEqual(readdirSync(nodeDir).sort(), ['door32.sys']);
      // The log line's pid is the board's, as on every other line; the door's is childPid.
      assert.equal(start['pid'], board.logs[0]!['pid']);
      assert.notEqual(start['childPid'], start['pid']);
      c.write('q');
      await c.readUntil('bye');
      // The door's last line is read before the list clears the screen.
      await c.readUntil('press a key', { timeout: WAIT_MS });
      c.write(' ');
      await c.readUntil('Door (Enter', { timeout: WAIT_MS });
      // The drop files (handle, level) do not outlive the door.
      assert.deepEqual(readdirSync(nodeDir), []);
      c.write('\r');
      await c.readUntil('Command:', { timeout: WAIT_MS });
      await eventually(async () => (await groupMembers(Number(start['childPid']))).length === 0, 'empty process group', POLL);
    } finally {
      await c.close();
    }
  });

  it('over ssh (OpenSSH in tmux): the handle shows, keys come back, and a window change reaches the door', async (t) => {
    if (!existsSync('/usr/bin/tmux') || !existsSync('/usr/bin/sshpass')) return t.skip('needs tmux and sshpass (tools/ci-packages.txt)');
    const session = `carrier-doors-${process.pid}`;
    const knownHosts = join(tmp, 'known_hosts');
    const ssh = `sshpass -p builder-42 ssh -tt -o StrictHostKeyChecking=no -o UserKnownHostsFile=${knownHosts} -o PubkeyAuthentication=no -p ${board.ports.ssh} bob@127.0.0.1`;
    const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
    const screen = () => tmux('capture-pane', '-p', '-t', session);
    tmux('new-session', '-d', '-s', session, '-x', '90', '-y', '28', ssh);
    try {
      await eventually(() => screen().includes('Command:'), 'the main menu over ssh', { ...POLL, timeoutMs: 30_000 });
      tmux('send-keys', '-t', session, 'd');
      await eventually(() => screen().includes('Door (Enter'), 'the door list', POLL);
      tmux('send-keys', '-t', session, '1');
      await eventually(() => screen().includes('Hello, bob!'), 'the greeting', POLL);
      await eventually(() => screen().includes('size 90x28'), 'the first size', POLL);
      tmux('send-keys', '-t', session, 'w');
      await eventually(() => screen().includes('key:77'), 'the echo', POLL);
      tmux('resize-window', '-t', session, '-x', '110', '-y', '35');
      await eventually(() => screen().includes('size 110x35'), 'the new size', POLL);
      tmux('send-keys', '-t', session, 'q');
      // The door's last lines stay until a key; then the list clears the screen: they are gone, the list is there.
      await eventually(() => /bye\s+\[press a key\]\s*$/.test(screen()), "the door's last line and the pause under it", POLL);
      tmux('send-keys', '-t', session, ' ');
      await eventually(() => screen().includes('Door (Enter') && !screen().includes('size 110x35'), 'back at the door list', POLL);
      await board.waitForLog((l) => l['event'] === 'door.exit' && l['user'] === 'bob' && l['exitCode'] === 0, WAIT_MS);
    } finally {
      try {
        tmux('kill-session', '-t', session);
      } catch {
        // already gone
      }
    }
  });

  it('runs robots from bsdgames: it draws, takes q and y, and the caller is back at the door list', async (t) => {
    if (!existsSync(ROBOTS)) return t.skip('needs bsdgames (tools/ci-packages.txt)');
    const c = await login('carol', 'carolyn-9x', { cols: 80, rows: 24 });
    try {
      const start = await enter(c, '8', 'carol');
      await c.readUntil('Directions:', { timeout: WAIT_MS });
      // robots throws away keys typed while it sets up the board, so q is pressed until it asks.
      const end = Date.now() + WAIT_MS;
      for (let back = false; !back; ) {
        if (Date.now() > end) throw new Error('robots never asked "Really quit?"');
        c.write('q');
        const asked = await c.readUntil('Really quit?', { timeout: 1_500 }).then(() => true, () => false);
        if (!asked) continue;
        c.write('y');
        back = await c.readUntil('press a key', { timeout: 5_000 }).then(() => true, () => false);
      }
      c.write(' ');
      await c.readUntil('Door (Enter', { timeout: WAIT_MS });
      const exit = await board.waitForLog((l) => l['event'] === 'door.exit' && l['childPid'] === start['childPid'], WAIT_MS);
      assert.equal(exit['exitCode'], 0);
      await eventually(async () => (await groupMembers(Number(start['childPid']))).length === 0, 'empty process group', POLL);
    } finally {
      await c.close();
    }
  });

  it('a hang-up in the middle of a door leaves nothing of its process group', async () => {
    const c = await login('bob', 'builder-42');
    const seen = board.logs.length;
    const start = await enter(c, '2', 'bob');
    await c.readUntil('sleeping forever', { timeout: WAIT_MS });
    const pid = Number(start['childPid']);
    assert.ok((await groupMembers(pid)).length > 0, 'the door is running');
    await c.close();
    await logAfter(seen, 'door.hangup', 'bob');
    await eventually(async () => (await groupMembers(pid)).length === 0, 'empty process group', POLL);
  });

  it('a door that never exits is ended at its time limit and the caller is back at the door list', async () => {
    const c = await login('alice', 'wonderland7');
    try {
      const seen = board.logs.length;
      const start = await enter(c, '2', 'alice');
      await c.readUntil('Time is up in Sleeper', { timeout: WAIT_MS });
      await c.readUntil('press a key', { timeout: WAIT_MS });
      c.write(' ');
      await c.readUntil('Door (Enter', { timeout: WAIT_MS });
      await logAfter(seen, 'door.time_limit', 'alice');
      await eventually(async () => (await groupMembers(Number(start['childPid']))).length === 0, 'empty process group', POLL);
    } finally {
      await c.close();
    }
  });

  it('a door that crashes at once, and one whose program is missing, each get one clear line', async () => {
    const c = await login('alice', 'wonderland7');
    try {
      const seen = board.logs.length;
      c.write('d');
      await c.readUntil('Door (Enter', { timeout: WAIT_MS });
      c.write('3');
      await c.readUntil('Crasher ended at once (exit status 3)', { timeout: WAIT_MS });
      await logAfter(seen, 'door.crashed', 'alice');
      c.write(' ');
      await c.readUntil('Door (Enter', { timeout: WAIT_MS });
      c.write('5');
      await c.readUntil('Missing game is not installed on this board', { timeout: WAIT_MS });
      const missing = await logAfter(seen, 'door.missing', 'alice');
      assert.equal(missing['file'], '/usr/games/not-installed-here');
      c.write(' ');
      await c.readUntil('Door (Enter', { timeout: WAIT_MS });
    } finally {
      await c.close();
    }
  });

  it('a door that leaves the terminal in a mess is followed by the reset', async () => {
    const c = await login('carol', 'carolyn-9x');
    try {
      await enter(c, '4', 'carol');
      const text = await c.readUntil('press a key', { timeout: WAIT_MS });
      const mess = text.indexOf('messy door');
      assert.ok(mess >= 0, 'the door ran');
      assert.ok(text.indexOf(TERMINAL_RESET, mess) > mess, 'the reset follows the door');
    } finally {
      await c.close();
    }
  });

  it('a one-caller door tells a second caller it is busy', async () => {
    const a = await login('alice', 'wonderland7');
    const b = await login('bob', 'builder-42');
    try {
      await enter(a, '6', 'alice');
      await a.readUntil('Hello, alice!', { timeout: WAIT_MS });
      b.write('d');
      await b.readUntil('Door (Enter', { timeout: WAIT_MS });
      b.write('6');
      await b.readUntil('Single user is busy', { timeout: WAIT_MS });
      a.write('q');
      await a.readUntil('press a key', { timeout: WAIT_MS });
      a.write(' ');
      await a.readUntil('Door (Enter', { timeout: WAIT_MS });
      b.write(' ');
      await b.readUntil('Door (Enter', { timeout: WAIT_MS });
      b.write('6');
      await b.readUntil('Hello, bob!', { timeout: WAIT_MS });
      b.write('q');
      await b.readUntil('press a key', { timeout: WAIT_MS });
      b.write(' ');
      await b.readUntil('Door (Enter', { timeout: WAIT_MS });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a door writing 20 MB reaches the caller whole and ends normally', async () => {
    const c = await login('carol', 'carolyn-9x');
    try {
      const seen = board.logs.length;
      await enter(c, '7', 'carol');
      await c.readUntil('flood done', { timeout: 120_000 });
      c.write('q');
      await c.readUntil('press a key', { timeout: WAIT_MS });
      c.write(' ');
      await c.readUntil('Door (Enter', { timeout: WAIT_MS });
      const exit = await logAfter(seen, 'door.exit', 'carol');
      assert.ok(Number(exit['bytesOut']) >= 20_000_000, `bytesOut ${String(exit['bytesOut'])}`);
    } finally {
      await c.close();
    }
  });

  it('a caller below every door\'s level is told so, not that the board has no doors', async () => {
    await board.addUser('dora', 'dora-doors-5');
    const set = await board.cli(['user', 'set-level', 'dora', '5']);
    assert.equal(set.code, 0, set.stderr);
    const c = await login('dora', 'dora-doors-5');
    try {
      c.write('d');
      const said = await c.readUntil('press a key');
      assert.match(said, /None of the board's doors is open to your level yet\./);
      assert.doesNotMatch(said, /No doors are open on this board/);
    } finally {
      await c.close();
    }
  });
});
