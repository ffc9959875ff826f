// A sysop's change to an account reaches the caller who is on: `carrier user set-level`
// (through the running board's control channel, `user.changed` on the bus) is read again
// by the caller's session at once, told as a notice at the prompt, and the doors list
// drawn next shows the doors of the new level. inetutils telnet in tmux: what the caller's
// screen shows; so does a new location. `user add` and `user key add|remove` go through the
// board too. With no board running, the CLI's change on the store directly is in the
// audit trail as the control channel's would be.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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
    // The list drawn again after the key (the screen cleared: the notice gone), not the one
    // the notice was printed under, which ends with the same prompt.
    const lowered = await c.waitScreen(/^(?![\s\S]*changed your access level)[\s\S]*Lobby door[\s\S]*Door \(Enter to go back\):\s*$/);
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

  it('set-location: the caller is told the new location once per change, and that it was cleared', { timeout: 120_000 }, async () => {
    const c = await TmuxCaller.telnet(board.ports.telnet!, 'vera', PW, tmp);
    callers.push(c);
    const out = join(tmp, 'vera-location.out');
    c.logOutput(out);
    const set = await board.cli(['user', 'set-location', 'vera', 'Oslo,', 'Norway']);
    assert.equal(set.code, 0, set.stderr);
    // Fails without: the session read the account again and said nothing.
    await c.waitScreen(/The sysop changed your location to Oslo, Norway\./);
    // The same location again is no change: nothing to tell.
    assert.equal((await board.cli(['user', 'set-location', 'vera', 'Oslo,', 'Norway'])).code, 0);
    assert.equal((await board.cli(['user', 'set-location', 'vera', '-'])).code, 0);
    await c.waitScreen(/The sysop cleared your location\./);
    const told = readFileSync(out, 'latin1').match(/changed your location to Oslo/g) ?? [];
    assert.equal(told.length, 1, 'told once, not again for the same location');
    c.hangup();
  });

  it('user add and user key add/remove go through the running board: its audit trail names the account and the key', { timeout: 90_000 }, async () => {
    const key = join(tmp, 'moriarty_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'moriarty@test', '-f', key]);
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${key}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
    const before = auditLines(board.dataDir).length;
    const added = await board.cli(['user', 'add', 'Moriarty', '--password-stdin'], 'napoleon-of-crime-1\n');
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout.trim(), 'added Moriarty (level 20)');
    const taken = await board.cli(['user', 'add', 'moriarty', '--password-stdin'], 'napoleon-of-crime-1\n');
    assert.equal(taken.code, 1);
    assert.equal(taken.stderr.trim(), 'carrier: user add: That handle is taken.');
    const keyAdded = await board.cli(['user', 'key', 'add', 'Moriarty', `${key}.pub`]);
    assert.equal(keyAdded.code, 0, keyAdded.stderr);
    assert.equal(keyAdded.stdout.trim(), `added ssh-ed25519 ${fingerprint} for Moriarty`);
    const listed = await board.cli(['user', 'key', 'list', 'Moriarty']);
    const keyId = Number(listed.stdout.split('\t')[0]);
    const removed = await board.cli(['user', 'key', 'remove', 'Moriarty', String(keyId)]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout.trim(), `removed ${fingerprint} from Moriarty`);
    const missing = await board.cli(['user', 'key', 'remove', 'Moriarty', fingerprint]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim(), `carrier: user key remove: Moriarty has no key ${fingerprint}`);

    // Fails without: the CLI wrote the store itself and no trail had a line of it. Through
    // the board's control channel, the peer is the control client's number.
    const want = 5;
    const lines = await eventually(
      () => {
        const l = auditLines(board.dataDir).slice(before).filter((x) => x['event'] === 'control.verb' && String(x['verb']).startsWith('user.'));
        return l.length >= want ? l : undefined;
      },
      'the five account verbs in the audit trail',
      { timeoutMs: 15_000 },
    );
    assert.ok(lines.every((l) => typeof l['peer'] === 'number'), JSON.stringify(lines));
    assert.deepEqual(
      lines.map((l) => [l['verb'], l['handle'], l['ok'], l['error'], l['fingerprint'], l['key'] === undefined ? '-' : l['key']]),
      [
        ['user.add', 'Moriarty', true, undefined, undefined, '-'],
        ['user.add', 'moriarty', false, 'bad_args', undefined, '-'],
        ['user.key-add', 'Moriarty', true, undefined, fingerprint, '-'],
        ['user.key-remove', 'Moriarty', true, undefined, fingerprint, String(keyId)],
        ['user.key-remove', 'Moriarty', false, 'not_found', undefined, fingerprint],
      ],
    );
    assert.equal(typeof lines[0]!['userId'], 'number');
    assert.equal(lines[2]!['keyId'], keyId);
    const trail = JSON.stringify(lines);
    assert.ok(!trail.includes('napoleon-of-crime-1'), 'the trail never keeps a password');
    assert.ok(!trail.includes('moriarty@test'), "the trail keeps the key's fingerprint, not its text");
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
    const key = join(tmp, 'irene_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'irene@test', '-f', key]);
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${key}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
    assert.equal((await board.cli(['user', 'add', 'Irene', '--password-stdin', '--sysop'], 'the-woman-1891\n')).code, 0);
    assert.equal((await board.cli(['user', 'key', 'add', 'Irene', '-'], readFileSync(`${key}.pub`, 'utf8'))).code, 0);
    assert.equal((await board.cli(['user', 'key', 'remove', 'Irene', fingerprint])).code, 0);
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
        ['control.verb', 'cli', 'user.add', 'Irene', '-', true, undefined],
        ['control.verb', 'cli', 'user.key-add', 'Irene', '-', true, undefined],
        ['control.verb', 'cli', 'user.key-remove', 'Irene', '-', true, undefined],
      ],
    );
    assert.equal(lines[5]!['sysop'], true);
    assert.deepEqual([lines[6]!['fingerprint'], lines[7]!['fingerprint']], [fingerprint, fingerprint]);
    assert.ok(!lines.some((l) => /a-new-password-9|the-woman-1891|irene@test/.test(JSON.stringify(l))), 'the trail never keeps a password or a key\'s text');
  });
});
