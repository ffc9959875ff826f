// Keys that used to answer "Unknown command" (issue 11 item 16): Escape in a submenu goes
// back as its Q item does, and Ctrl-Y after a chat request has lapsed says that no request
// is waiting. Real telnet callers over loopback, on the shipped main menu plus two submenus.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import { repoRoot, startCarrier, type Carrier } from '../harness.js';
import { KEY, plain, TelnetCaller } from './social-callers.js';

const PW = 'correct-horse-7';
const UNKNOWN = /Unknown command/;
/**
 * The board's `limits.chatRequestTimeout` here: an unanswered chat request lapses after this
 * (the default, 60 s, had the lapse test wait ~55 s; the tests between take about this long).
 */
const CHAT_REQUEST_TIMEOUT_MS = 5_000;

const SUB_MENU = `title: Sub
prompt: "Sub> "
items:
  - { key: H, text: Hello, show: main }
  - { key: Q, text: Back, back: true }
`;
/** A submenu its author gave no back item: Escape still returns to what ran it. */
const BARE_MENU = `title: Bare
prompt: "Bare> "
items:
  - { key: H, text: Hello, show: main }
`;

describe('Escape in a submenu, Ctrl-Y with no request waiting', () => {
  let board: Carrier;
  const callers: TelnetCaller[] = [];
  let requestedAt = 0;

  before(async () => {
    const menus = join(scratchDir('carrier-escape'), 'menus');
    cpSync(join(repoRoot, 'config', 'menus'), menus, { recursive: true });
    const shipped = readFileSync(join(menus, 'main.yaml'), 'utf8');
    writeFileSync(join(menus, 'main.yaml'), `${shipped.trimEnd()}\n  - { key: Z, text: Sub menu, gosub: "menu:sub" }\n  - { key: X, text: Bare menu, gosub: "menu:bare" }\n`);
    writeFileSync(join(menus, 'sub.yaml'), SUB_MENU);
    writeFileSync(join(menus, 'bare.yaml'), BARE_MENU);
    board = await startCarrier({ menusDir: menus, logLevel: 'info', yaml: `limits: { chatRequestTimeout: ${CHAT_REQUEST_TIMEOUT_MS}ms }\n` });
    for (const h of ['alice', 'bob', 'carol', 'dave', 'erin']) await board.addUser(h, PW);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
  });

  const login = async (handle: string): Promise<TelnetCaller> => {
    const c = await TelnetCaller.login(board.ports.telnet!, handle, PW);
    callers.push(c);
    return c;
  };

  it('a chat request reaches a caller at the menu (it lapses while the next test runs)', async () => {
    const alice = await login('alice');
    const bob = await login('bob');
    bob.send('w');
    await bob.waitScreen(/Who's online - 2 callers/);
    bob.send(KEY.up);
    await bob.waitScreen(/Select a caller/);
    bob.send('c');
    await bob.waitScreen(/waiting for alice to answer/);
    requestedAt = Date.now();
    await alice.waitRaw(/bob \(node \d+\) wants to chat with you/);
  });

  it('Escape in a submenu goes back to the menu that ran it, with or without a back item', async () => {
    const carol = await login('carol');
    let mark = carol.raw().length;
    carol.send('z');
    await carol.waitRaw('Sub> ', 10_000, mark);
    mark = carol.raw().length;
    carol.send(KEY.escape);
    await carol.waitRaw('Command:', 10_000, mark);
    assert.doesNotMatch(plain(carol.raw().slice(mark)), UNKNOWN);

    mark = carol.raw().length;
    carol.send('x');
    await carol.waitRaw('Bare> ', 10_000, mark);
    mark = carol.raw().length;
    carol.send(KEY.escape);
    await carol.waitRaw('Command:', 10_000, mark);
    assert.doesNotMatch(plain(carol.raw().slice(mark)), UNKNOWN);

    // At the main menu there is nowhere to go back to: no complaint, and the caller stays.
    mark = carol.raw().length;
    carol.send(KEY.escape);
    await carol.waitRaw('Command:', 10_000, mark);
    carol.send('z');
    await carol.waitRaw('Sub> ', 10_000, mark);
    assert.doesNotMatch(plain(carol.raw().slice(mark)), UNKNOWN);
    assert.equal(carol.closed, false);
  });

  it('Escape at a line prompt answers it with nothing: a oneliner half typed is not added', async () => {
    const erin = await login('erin');
    erin.send('o');
    await erin.waitScreen(/\[A\]dd a line/);
    erin.send('a');
    await erin.waitScreen(/Your line:/);
    erin.send('never posted');
    await erin.waitScreen(/never posted/);
    const mark = erin.raw().length;
    erin.send(KEY.escape);
    await erin.waitRaw(/\[A\]dd a line/, 10_000, mark);
    assert.doesNotMatch(plain(erin.raw().slice(mark)), /never posted/, 'the wall drawn again without it');
    erin.send('q');
    await erin.waitScreen(/Command:/);
  });

  it('Escape in the chat room clears a half-typed line, and from an empty line goes back to the menu', async () => {
    const dave = await login('dave');
    dave.send('c');
    await dave.waitScreen(/#lobby \| \d+ here/);
    dave.send('half a thought');
    await dave.waitScreen(/half a thought/);
    dave.send(KEY.escape);
    // The room's screen with the line cleared (the room's status row was there before the key:
    // waiting for it alone read the screen before the Escape was handled).
    await dave.waitScreen(/^(?![\s\S]*half a thought)[\s\S]*#lobby \| \d+ here/);
    // Still in the room: a command typed next is the room's.
    dave.send('/who\r');
    await dave.waitScreen(/In #lobby: .*dave \(node \d+\)/);
    dave.send(KEY.escape);
    await dave.waitScreen(/Command:/);
  });

  it('Ctrl-Y after the request lapsed says no request is waiting, not "Unknown command"', async () => {
    const [alice, bob] = [callers[0]!, callers[1]!];
    // The asker stops waiting when the request lapses (fails without the setting: 60 s).
    await bob.waitScreen(/No answer from alice\./, 10_000);
    // alice's copy of the request was stamped on arrival, after bob's timer started and
    // before requestedAt: past this, it has lapsed too.
    const wait = requestedAt + CHAT_REQUEST_TIMEOUT_MS + 500 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const mark = alice.raw().length;
    alice.send(KEY.ctrlY);
    const seen = await alice.waitRaw('No chat request is waiting.', 10_000, mark);
    assert.doesNotMatch(seen, UNKNOWN);
    // The menu is still there and still answers.
    alice.send('z');
    await alice.waitRaw('Sub> ', 10_000, mark);
    assert.doesNotMatch(plain(alice.raw().slice(mark)), UNKNOWN);
  });
});
