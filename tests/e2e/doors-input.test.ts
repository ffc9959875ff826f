// What a door reads is what the caller typed inside it, nothing before: the key that
// picked the door from the list, the Enter typed after it out of habit (it arrives while
// the door starts, and a door reading a line took it as an answer: the stray bytesIn 1 of
// a first door run), or the NUL a telnet client sends after CR must not reach its stdin. The door is a shell one-liner
// (Debian's sh, stty, dd, od) that records the first three bytes it reads; real clients:
// inetutils telnet and OpenSSH in tmux.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from './messages-callers.js';

const WAIT_MS = 20_000;
/** Raw mode, then the first three bytes the door reads, in hex, into got-<node>.txt in its cwd. */
const RECORDER = `stty raw -echo; printf 'recorder ready\\r\\n'; dd bs=1 count=3 2>/dev/null | od -An -tx1 > "got-$CARRIER_NODE.txt"; printf 'recorded\\r\\n'`;

describe('a door reads only what the caller types inside it', { skip: existsSync('/usr/bin/tmux') ? false : 'needs tmux' }, () => {
  let board: Carrier;
  const tmp = mkdtempSync(join(tmpdir(), 'carrier-doors-input-'));
  const callers: TmuxCaller[] = [];

  before(async () => {
    const doorsFile = join(tmp, 'doors.yaml');
    writeFileSync(doorsFile, `doors:\n  - { name: recorder, description: Recorder, command: [/bin/sh, -c, ${JSON.stringify(RECORDER)}], cwd: ${JSON.stringify(tmp)}, level: 10 }\n`);
    board = await startCarrier({ ssh: true, yaml: `doors: { file: ${JSON.stringify(doorsFile)}, killGrace: 500ms }` });
    await board.addUser('tina', 'teletype-77');
    await board.addUser('otto', 'openssh-77');
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  /**
   * D, the door's number (and, with `habitEnter`, an Enter once the door has started, as a
   * caller who types "1 Enter" does), then `abc` once it is ready; the bytes it recorded
   * and its exit line.
   */
  async function runRecorder(c: TmuxCaller, handle: string, habitEnter = false): Promise<{ got: string; exit: Record<string, unknown> }> {
    const seen = board.logs.length;
    const after = (event: string) => (l: Record<string, unknown>) => board.logs.indexOf(l) >= seen && l['event'] === event && l['user'] === handle;
    c.send('d');
    await c.waitScreen(/Door \(Enter/);
    c.send('1');
    const start = await board.waitForLog(after('door.start'), WAIT_MS);
    // door.start is logged as the door is bridged: this Enter reaches the door's side.
    if (habitEnter) c.send('\r');
    await c.waitScreen(/recorder ready/);
    c.send('abc');
    const exit = await board.waitForLog(after('door.exit'), WAIT_MS);
    const file = join(tmp, `got-${String(start['node'])}.txt`);
    await eventually(() => existsSync(file), 'the recorded bytes', { timeoutMs: WAIT_MS });
    const got = readFileSync(file, 'utf8').trim();
    rmSync(file);
    // The door's last line ("recorded") is read before the list comes back.
    await c.waitScreen(/recorded[^]*press a key/);
    c.send(' ');
    await c.waitScreen(/Door \(Enter/);
    c.send('\r');
    await c.waitScreen(/Command:/);
    return { got, exit };
  }

  for (const via of ['telnet', 'ssh'] as const) {
    it(`over ${via === 'telnet' ? 'inetutils telnet' : 'OpenSSH'}: the first and the second run each read exactly "abc", and an Enter typed after the door's key does not reach it`, async () => {
      const c =
        via === 'telnet'
          ? await TmuxCaller.telnet(board.ports.telnet!, 'tina', 'teletype-77', tmp)
          : await TmuxCaller.ssh(board.ports.ssh!, 'otto', 'openssh-77', tmp);
      callers.push(c);
      for (const run of ['first', 'second']) {
        const { got, exit } = await runRecorder(c, via === 'telnet' ? 'tina' : 'otto');
        assert.equal(got, '61 62 63', `${run} run: the door read ${got}`);
        assert.equal(exit['bytesIn'], 3, `${run} run: ${JSON.stringify(exit)}`);
      }
      // "1" then Enter, out of habit: the Enter arrives while the door starts and is the pick's, not the door's.
      const { got, exit } = await runRecorder(c, via === 'telnet' ? 'tina' : 'otto', true);
      assert.equal(got, '61 62 63', `after "1 Enter" the door read ${got}`);
      assert.equal(exit['bytesIn'], 3, JSON.stringify(exit));
      assert.equal(exit['pickEnterDropped'], 1, JSON.stringify(exit));
    });
  }
});
