// A sysop's change to an account reaches the caller who is on: `carrier user set-level`
// (through the running board's control channel, `user.changed` on the bus) is read again
// by the caller's session at once, told as a notice at the prompt, and the doors list
// drawn next shows the doors of the new level. inetutils telnet in tmux: what the caller's
// screen shows. With no board running, the CLI's change on the store directly is in the
// audit trail as the control channel's would be.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from '../e2e/messages-callers.js';

const PW = 'live-level-42';
const DOORS_YAML = [
  'doors:',
  '  - { name: lobby, description: Lobby door, command: [/bin/true], level: 10 }',
  '  - { name: vip, description: Validated door, command: [/bin/true], level: 30 }',
  '',
].join('\n');

/** The audit trail's lines as objects. */
function auditLines(dataDir: string): Record<string, unknown>[] {
  const file = join(dataDir, 'logs', 'audit.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("a sysop's change to an account reaches the caller who is on", { skip: existsSync('/usr/bin/tmux') ? false : 'needs tmux' }, () => {
  let board: Carrier;
  const tmp = mkdtempSync(join(tmpdir(), 'carrier-user-live-'));
  const callers: TmuxCaller[] = [];

  before(async () => {
    const doorsFile = join(tmp, 'doors.yaml');
    writeFileSync(doorsFile, DOORS_YAML);
    board = await startCarrier({ logLevel: 'info', yaml: `doors: { file: ${JSON.stringify(doorsFile)}, killGrace: 500ms }` });
    await board.addUser('vera', PW);
    await board.addUser('Lestrade', PW, true);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('set-level: the caller in the doors list is told the new level, and the list drawn next follows it, up and down', { timeout: 120_000 }, async () => {
    const c = await TmuxCaller.telnet(board.ports.telnet!, 'vera', PW, tmp);
    callers.push(c);
    c.send('d');
    const first = await c.waitScreen(/Door \(Enter to go back\):\s*$/);
    assert.match(first, /Lobby door/);
    assert.doesNotMatch(first, /Validated door/, 'level 20 does not open a level-30 door');

    const up = await board.cli(['user', 'set-level', 'vera', '30']);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(up.stdout.trim(), 'vera is now level 30');
    // Fails without: the session kept the level it logged in with, and nobody told the caller.
    await c.waitScreen(/The sysop changed your access level to 30\./);
    c.send('x');
    await c.waitScreen(/Validated door[\s\S]*Door \(Enter to go back\):\s*$/);

    const down = await board.cli(['user', 'set-level', 'vera', 'new']);
    assert.equal(down.code, 0, down.stderr);
    await c.waitScreen(/The sysop changed your access level to 10\./);
    c.send('x');
    const lowered = await c.waitScreen(/Lobby door[\s\S]*Door \(Enter to go back\):\s*$/);
    assert.doesNotMatch(lowered, /Validated door/, 'a lowered level closes the door at the next screen');
    c.send('\r');
    await c.waitScreen(/Command:/);

    // Through the control channel, so the board's trail has it (the board's write reaches the file on its own time).
    const setLevels = (): Record<string, unknown>[] => auditLines(board.dataDir).filter((l) => l['event'] === 'control.verb' && l['verb'] === 'user.set-level');
    const verbs = await eventually(() => (setLevels().length >= 2 ? setLevels() : undefined), 'both set-level lines in the audit trail', { timeoutMs: 15_000 });
    assert.deepEqual(
      verbs.map((l) => [l['handle'], l['_level'], l['ok']]),
      [
        ['vera', 30, true],
        ['vera', 10, true],
      ],
    );
  });

  it('with no board running, set-level, passwd, lock and delete on the store are audited as the control channel audits them', { timeout: 90_000 }, async () => {
    // The board's process ends; its data dir stays (board.stop() would remove it).
    const exited = new Promise((resolve) => board.process.once('exit', resolve));
    board.process.kill('SIGTERM');
    await exited;
    const before = auditLines(board.dataDir).length;
    assert.equal((await board.cli(['user', 'set-level', 'vera', '20'])).code, 0);
    assert.equal((await board.cli(['user', 'passwd', 'vera'], 'a-new-password-9\n')).code, 0);
    assert.equal((await board.cli(['user', 'lock', 'vera'])).code, 0);
    const refused = await board.cli(['user', 'set-level', 'Lestrade', '20']);
    assert.equal(refused.code, 1, 'the last sysop is not demoted');
    assert.equal((await board.cli(['user', 'delete', 'vera'])).code, 0);
    // Fails without: the CLI wrote the store and the trail said nothing.
    const lines = auditLines(board.dataDir).slice(before);
    // (A set-level line's own `level` is the line's; the verb's argument is `_level`.)
    assert.deepEqual(
      lines.map((l) => [l['event'], l['peer'], l['verb'], l['handle'], l['verb'] === 'user.set-level' ? l['_level'] : '-', l['ok'], l['error']]),
      [
        ['control.verb', 'cli', 'user.set-level', 'vera', 20, true, undefined],
        ['control.verb', 'cli', 'user.reset-password', 'vera', '-', true, undefined],
        ['control.verb', 'cli', 'user.lock', 'vera', '-', true, undefined],
        ['control.verb', 'cli', 'user.set-level', 'Lestrade', 20, false, 'failed'],
        ['control.verb', 'cli', 'user.delete', 'vera', '-', true, undefined],
      ],
    );
    assert.ok(!lines.some((l) => JSON.stringify(l).includes('a-new-password-9')), 'the trail never keeps a password');
  });
});
