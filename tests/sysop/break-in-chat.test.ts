// The sysop's break-in chat, live and two-way: a raw control client opens a chat on a
// telnet caller's node; the caller's screen becomes a line chat; the sysop's lines reach
// the caller and the caller's lines come back as `chat` events; either side ends it and
// the caller is back where they were.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, startCarrier, type Carrier } from '../harness.js';
import { TelnetCaller } from '../e2e/social-callers.js';
import { RawControl } from './control-support.js';

const PW = 'correct-horse-7';

describe('break-in chat', () => {
  let board: Carrier;
  let bob: TelnetCaller;
  let c: RawControl;
  let bobNode: number;

  before(async () => {
    board = await startCarrier({ logLevel: 'info' });
    await board.addUser('bob', PW);
    bob = await TelnetCaller.login(board.ports.telnet!, 'bob', PW, '127.0.0.3');
    c = await RawControl.connect(board.dataDir);
    c.keepAlive();
    const who = (await c.ok('who')) as { node: number; handle: string }[];
    bobNode = who.find((n) => n.handle === 'bob')!.node;
  });
  after(async () => {
    c?.close();
    bob?.hangup();
    await board?.stop();
  });

  it('both type; the caller ends it with /q and is back at the menu', async () => {
    const mark = bob.raw().length;
    const opened = (await c.ok('chat', { node: bobNode, action: 'open' })) as { stream: number; handle: string };
    assert.equal(opened.handle, 'bob');
    await bob.waitRaw(/Sysop is breaking in to chat with you/, 15_000, mark);
    await c.ok('chat', { node: bobNode, action: 'say', text: 'sysop here, can you hear me' });
    await bob.waitRaw(/Sysop: sysop here, can you hear me/, 15_000, mark);
    // A menu hotkey typed now is chat text, not a command.
    const from = c.messages.length;
    bob.send('w hears you fine\r');
    const line = await c.waitFor((m) => m['stream'] === opened.stream && m['event'] === 'chat' && m['kind'] === 'line', 15_000, from);
    assert.equal(line['text'], 'w hears you fine');
    assert.doesNotMatch(bob.raw().slice(mark), /Who's online/i);
    // A second open on the same node is refused while this one runs.
    const again = await c.call('chat', { node: bobNode, action: 'open' });
    assert.equal((again['error'] as { code: string }).code, 'busy');

    bob.send('/q\r');
    const ended = await c.waitFor((m) => m['stream'] === opened.stream && m['event'] === 'chat' && m['kind'] === 'ended', 15_000, from);
    assert.equal(ended['text'], 'caller');
    await c.waitFor((m) => m['stream'] === opened.stream && m['event'] === 'end', 15_000, from);
    // ...and the menu's prompt is drawn again below, so the caller knows where they are.
    await bob.waitRaw(/You ended the chat; back to where you were\. \*\*\*(?:\x1b\[[0-9;]*m)*\r\n[^\r\n]*Command:/, 15_000, mark);
    await board.waitForLog((l) => l['event'] === 'sysop.chat_ended' && l['by'] === 'caller');
    // The menu has its keys again.
    const back = bob.raw().length;
    bob.send('w');
    await bob.waitRaw(/online/i, 15_000, back);
    const say = await c.call('chat', { node: bobNode, action: 'say', text: 'anyone?' });
    assert.equal((say['error'] as { code: string }).code, 'not_found');
  });

  it('the sysop ends it with close; Esc from the caller ends it too', async () => {
    bob.send('q');
    await bob.waitScreen(/Command:/);
    const mark = bob.raw().length;
    const first = (await c.ok('chat', { node: bobNode, action: 'open', text: 'quick word' })) as { stream: number };
    await bob.waitRaw(/Sysop: quick word/, 15_000, mark);
    const from = c.messages.length;
    await c.ok('chat', { node: bobNode, action: 'close' });
    const ended = await c.waitFor((m) => m['stream'] === first.stream && m['kind'] === 'ended', 15_000, from);
    assert.equal(ended['text'], 'sysop');
    await bob.waitRaw(/Sysop has left the chat; back to where you were\. \*\*\*(?:\x1b\[[0-9;]*m)*\r\n[^\r\n]*Command:/, 15_000, mark);

    const second = (await c.ok('chat', { node: bobNode, action: 'open' })) as { stream: number };
    const from2 = c.messages.length;
    bob.send('\x1b');
    const byEsc = await c.waitFor((m) => m['stream'] === second.stream && m['kind'] === 'ended', 15_000, from2);
    assert.equal(byEsc['text'], 'caller');
  });

  it("over who's online and chat: the view stops drawing and taking keys, and is drawn whole after", async () => {
    await bob.waitScreen(/Command:/);
    bob.send('w');
    await bob.waitScreen(/Who's online - 1 caller/);
    const first = (await c.ok('chat', { node: bobNode, action: 'open', text: 'over the list' })) as { stream: number };
    let screen = await bob.waitScreen(/Sysop: over the list/);
    assert.doesNotMatch(screen, /Who's online -/, 'the chat has a clear screen');
    // `q` would close the list: here it is chat text, and the list stays open underneath.
    const from = c.messages.length;
    bob.send('q is chat text\r');
    const line = await c.waitFor((m) => m['stream'] === first.stream && m['kind'] === 'line', 15_000, from);
    assert.equal(line['text'], 'q is chat text');
    await c.ok('chat', { node: bobNode, action: 'close' });
    screen = await bob.waitScreen(/Who's online - 1 caller/);
    assert.doesNotMatch(screen, /over the list|q is chat text/, 'the list is drawn whole over the chat');
    bob.send('q');
    await bob.waitScreen(/Command:/);

    bob.send('c');
    await bob.waitScreen(/#lobby \| 1 here/);
    const second = (await c.ok('chat', { node: bobNode, action: 'open', text: 'over the room' })) as { stream: number };
    screen = await bob.waitScreen(/Sysop: over the room/);
    assert.doesNotMatch(screen, /#lobby \|/);
    const from2 = c.messages.length;
    await c.ok('chat', { node: bobNode, action: 'close' });
    await c.waitFor((m) => m['stream'] === second.stream && m['kind'] === 'ended', 15_000, from2);
    screen = await bob.waitScreen(/#lobby \| 1 here/);
    assert.doesNotMatch(screen, /over the room/);
    bob.send('/quit\r');
    await bob.waitScreen(/Command:/);
  });

  it("the chat's lines wrap by words at the caller's width, not mid-word at the edge", async () => {
    await bob.waitScreen(/Command:/);
    const opened = (await c.ok('chat', { node: bobNode, action: 'open' })) as { stream: number };
    // 103 characters: the edge of an 80-column screen falls inside "or".
    let screen = await bob.waitScreen(/Sysop is breaking in[^]*You:/);
    const both = (rows: string[], first: number): string => `${rows[first]!.trimEnd()} ${rows[first + 1]!.trimEnd()}`;
    let rows = screen.split('\n');
    const intro = rows.findIndex((r) => r.startsWith('*** Sysop is breaking in'));
    assert.equal(both(rows, intro), '*** Sysop is breaking in to chat with you. Type and press Enter to answer; Esc or /q ends the chat. ***', screen);
    const long = 'every word of this line stays whole on the screen of the caller even where the edge of the window comes';
    await c.ok('chat', { node: bobNode, action: 'say', text: long });
    screen = await bob.waitScreen(/window comes/);
    rows = screen.split('\n');
    const at = rows.findIndex((r) => r.startsWith('Sysop: every word'));
    assert.ok(at >= 0, screen);
    assert.equal(both(rows, at), `Sysop: ${long}`, screen);
    const from = c.messages.length;
    await c.ok('chat', { node: bobNode, action: 'close' });
    await c.waitFor((m) => m['stream'] === opened.stream && m['kind'] === 'ended', 15_000, from);
    await bob.waitScreen(/Command:/);
  });
});

describe('break-in chat while the caller is in a door', () => {
  let board: Carrier;
  let carol: TelnetCaller;
  let c: RawControl;
  const tmp = mkdtempSync(join(tmpdir(), 'carrier-breakin-door-'));

  before(async () => {
    const doorsFile = join(tmp, 'doors.yaml');
    writeFileSync(doorsFile, `doors:\n  - { name: echo, description: Echo door, command: [${process.execPath}, ${join(repoRoot, 'tests/fixtures/doors/echo-door.mjs')}], encoding: utf8, level: 10 }\n`);
    board = await startCarrier({ logLevel: 'info', yaml: `doors: { file: ${JSON.stringify(doorsFile)} }` });
    await board.addUser('carol', PW);
    carol = await TelnetCaller.login(board.ports.telnet!, 'carol', PW, '127.0.0.4');
    c = await RawControl.connect(board.dataDir);
    c.keepAlive();
  });
  after(async () => {
    c?.close();
    carol?.hangup();
    await board?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('is refused with "in a door": the door keeps the caller\'s keys and screen', async () => {
    carol.send('d');
    await carol.waitRaw(/Door \(Enter/, 15_000);
    const mark = carol.raw().length;
    carol.send('1');
    await board.waitForLog((l) => l['event'] === 'door.start', 20_000);
    const who = (await c.ok('who')) as { node: number; handle: string }[];
    const node = who.find((n) => n.handle === 'carol')!.node;
    const refused = await c.call('chat', { node, action: 'open', text: 'hello?' });
    const error = refused['error'] as { code: string; message: string };
    assert.equal(error.code, 'busy');
    assert.match(error.message, /the caller is busy \(a door\)/);
    assert.doesNotMatch(carol.raw().slice(mark), /breaking in/, 'nothing was drawn over the door');
    // The door still has the keys (the test door echoes each as key:<hex>).
    carol.send('p');
    await carol.waitRaw(/key:70/, 15_000, mark);
  });
});
