// Doors that will not go quietly, as a caller meets them over telnet: a door that ignores
// SIGHUP and SIGTERM is still ended at its time limit (SIGKILL after doors.killGrace), and
// a hang-up in the middle of one ends its whole process group and removes its drop files.
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, scratchDir } from '@carrier/core/testing';
import { connect, type TelnetClient } from '@carrier/client';
import { groupMembers } from '@carrier/doors';
import { startCarrier, type Carrier } from '../harness.js';

const WAIT_MS = 20_000;
const POLL = { timeoutMs: WAIT_MS, intervalMs: 50 };

describe('doors that ignore the signals that end them', () => {
  let board: Carrier;
  const tmp = scratchDir('carrier-doors-ending');

  before(async () => {
    // A shell door that ignores HUP, TERM and INT and loops in a child (sleep) of its group.
    const stubborn = join(tmp, 'stubborn.sh');
    writeFileSync(stubborn, "#!/bin/sh\ntrap '' TERM HUP INT\necho stubborn here\nwhile :; do sleep 1; done\n", { mode: 0o755 });
    const doorsFile = join(tmp, 'doors.yaml');
    writeFileSync(
      doorsFile,
      `doors:\n  - { name: stubborn, description: Stubborn door, command: [${stubborn}], timeLimit: 3s, dropFiles: [door32.sys, door.sys, dorinfo1.def], level: 10 }\n`,
    );
    board = await startCarrier({ yaml: `doors: { file: ${JSON.stringify(doorsFile)}, killGrace: 500ms }` });
    await board.addUser('alice', 'wonderland7');
  });
  after(async () => {
    await board.stop();
  });

  /** alice in the stubborn door: the caller, its node folder and the door's process group. */
  async function inStubbornDoor(): Promise<{ c: TelnetClient; dir: string; pid: number; seen: number }> {
    const c = await connect({ port: board.ports.telnet! });
    await c.readUntil('login:', { timeout: WAIT_MS });
    c.writeLine('alice');
    await c.readUntil('password:');
    c.writeLine('wonderland7');
    await c.readUntil('Command:', { timeout: WAIT_MS });
    c.write('d');
    await c.readUntil('Door (Enter', { timeout: WAIT_MS });
    const seen = board.logs.length;
    c.write('1');
    const start = await board.waitForLog((l) => board.logs.indexOf(l) >= seen && l['event'] === 'door.start', WAIT_MS);
    await c.readUntil('stubborn here', { timeout: WAIT_MS });
    const dir = join(board.dataDir, 'nodes', String(start['node']));
    assert.deepEqual(readdirSync(dir).sort(), ['DOOR.SYS', 'DORINFO1.DEF', 'door32.sys']);
    return { c, dir, pid: Number(start['childPid']), seen };
  }

  it('at its time limit the door is killed though it ignores SIGTERM, and the caller is back at the list', async () => {
    const { c, dir, pid, seen } = await inStubbornDoor();
    try {
      await c.readUntil('Time is up in Stubborn door', { timeout: WAIT_MS });
      await board.waitForLog((l) => board.logs.indexOf(l) >= seen && l['event'] === 'door.time_limit', WAIT_MS);
      await eventually(async () => (await groupMembers(pid)).length === 0, 'empty process group', POLL);
      assert.deepEqual(readdirSync(dir), [], 'the drop files are gone');
      await c.readUntil('press a key', { timeout: WAIT_MS });
      c.write(' ');
      await c.readUntil('Door (Enter', { timeout: WAIT_MS });
    } finally {
      await c.close();
    }
  });

  it('a hang-up in the door ends its whole process group and removes its drop files', async () => {
    const { c, dir, pid, seen } = await inStubbornDoor();
    await c.close();
    await board.waitForLog((l) => board.logs.indexOf(l) >= seen && l['event'] === 'door.hangup', WAIT_MS);
    await eventually(async () => (await groupMembers(pid)).length === 0, 'empty process group', POLL);
    assert.deepEqual(readdirSync(dir), [], 'the drop files are gone');
  });
});
