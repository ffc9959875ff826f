// Notices that reach a caller whose screen is taken (who's online, a door) must still be
// read: the sysop's messages held by a full-screen view show above the next prompt, not
// just before the menu clears the screen; a broadcast reaches a caller inside a door.
// Real telnet callers (a headless xterm keeps their screens), the real CLI.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, startCarrier, type Carrier } from '../harness.js';
import { writePost } from './messages-callers.js';
import { TelnetCaller } from './social-callers.js';

const PW = 'correct-horse-7';
const door = join(repoRoot, 'tests/fixtures/doors/echo-door.mjs');

describe('notices held while the screen is taken', () => {
  let board: Carrier;
  let dir: string;
  const callers: TelnetCaller[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carrier-notices-'));
    const doorsFile = join(dir, 'doors.yaml');
    writeFileSync(doorsFile, `doors:\n  - { name: echo, description: Echo door, command: [${process.execPath}, ${door}], encoding: utf8, level: 10 }\n`);
    board = await startCarrier({ yaml: `doors: { file: ${JSON.stringify(doorsFile)} }` });
    for (const h of ['alice', 'bob', 'carol']) await board.addUser(h, PW);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const login = async (handle: string, address: string): Promise<{ caller: TelnetCaller; node: string }> => {
    const caller = await TelnetCaller.login(board.ports.telnet!, handle, PW, address);
    callers.push(caller);
    const who = await board.cli(['who']);
    const row = who.stdout.split('\n').find((l) => new RegExp(`\\b${handle}\\b`).test(l));
    const node = row?.trim().split(/\s+/)[0];
    assert.ok(node && /^\d+$/.test(node), who.stdout);
    return { caller, node };
  };

  it("two messages sent to a caller in who's online both show on the main menu after it", async () => {
    const { caller, node } = await login('alice', '127.0.0.2');
    caller.send('w');
    await caller.waitScreen(/Who's online/);
    assert.equal((await board.cli(['message', node, 'first notice'])).code, 0);
    assert.equal((await board.cli(['message', node, 'second notice'])).code, 0);
    await caller.waitScreen(/second notice/);
    caller.send('q');
    // The menu redraws (clearing the screen); the held messages then show above its prompt.
    const screen = await caller.waitScreen(/first notice[^]*second notice[^]*Command:/);
    assert.match(screen, /\[W\] Who's online/, 'on the main menu');
  });

  it('a broadcast reaches a caller inside a door, drawn over its bottom row', async () => {
    const { caller } = await login('bob', '127.0.0.3');
    caller.send('d');
    await caller.waitScreen(/Door \(Enter/);
    caller.send('1');
    await caller.waitScreen(/Hello, bob!/);
    assert.equal((await board.cli(['broadcast', 'board going down in 5 minutes'])).code, 0);
    await caller.waitScreen(/Broadcast from .*board going down in 5 minutes/);
  });

  it('a broadcast and a sysop message reach a caller writing a message, on the status row; the text stays and they show again after', async () => {
    const { caller, node } = await login('carol', '127.0.0.4');
    await writePost(caller, 'Minutes');
    caller.send('first words');
    await caller.waitScreen(/first words/);
    assert.equal((await board.cli(['broadcast', 'the board goes down in 5 minutes'])).code, 0);
    let screen = await caller.waitScreen(/\*\*\* Broadcast from .*: the board goes down in 5 minutes\s*$/);
    assert.match(screen, /^first words\s*$/m, 'the text is untouched');
    assert.equal((await board.cli(['message', node, 'please save now'])).code, 0);
    screen = await caller.waitScreen(/\*\*\* Message from .*: please save now\s*$/);
    // Typing goes on in the text; the notice gives the row back to the editor's status after a while.
    caller.send(' and more'.repeat(3));
    screen = await caller.waitScreen(/first words and more and more and more[^]*Ctrl-Z save/);
    assert.doesNotMatch(screen, /please save now/);
    caller.send('\x1a');
    screen = await caller.waitScreen(/posted in General[^]*board goes down in 5 minutes[^]*please save now|board goes down in 5 minutes[^]*please save now[^]*posted in General/);
  });
});

