// The sysop's break-in chat on a real client (inetutils telnet in tmux): over a full-screen
// view its cleared screen starts on the first row, and an arrow key whose ESC a slow link
// sent alone (the rest >150 ms later) neither ends the chat nor is typed into it, while a
// lone Esc still ends it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from '../e2e/messages-callers.js';
import { RawControl } from './control-support.js';

const PW = 'correct-horse-7';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Longer than the board's wait for the rest of a lone ESC (80 ms) and the old 150 ms. */
const SLOW_LINK_GAP_MS = 200;

describe('break-in chat on inetutils telnet', { timeout: 120_000 }, () => {
  let board: Carrier;
  let bob: TmuxCaller;
  let c: RawControl;
  let bobNode: number;

  before(async () => {
    board = await startCarrier({ logLevel: 'info' });
    await board.addUser('bob', PW);
    bob = await TmuxCaller.telnet(board.ports.telnet!, 'bob', PW, scratchDir('carrier-breakin-slow-'));
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

  it('over the chat room the cleared screen starts with the chat on its first row (it had two blank rows)', async () => {
    bob.send('c');
    await bob.waitScreen(/#lobby \| 1 here/);
    const opened = (await c.ok('chat', { node: bobNode, action: 'open', text: 'hello bob' })) as { stream: number };
    const screen = await bob.waitScreen(/Sysop: hello bob[^]*You:/);
    assert.match(screen.split('\n')[0]!, /^\*\*\* Sysop is breaking in/, screen);
    const from = c.messages.length;
    await c.ok('chat', { node: bobNode, action: 'close' });
    await c.waitFor((m) => m['stream'] === opened.stream && m['kind'] === 'ended', 15_000, from);
    await bob.waitScreen(/#lobby \| 1 here/);
    bob.send('/quit\r');
    await bob.waitScreen(/Command:/);
  });

  it('an arrow key split after its ESC by a slow link is not Esc and not text; a lone Esc still ends the chat', async () => {
    const opened = (await c.ok('chat', { node: bobNode, action: 'open' })) as { stream: number };
    await bob.waitScreen(/Sysop is breaking in[^]*You:/);
    const from = c.messages.length;
    bob.send('ab');
    await bob.waitScreen(/You: ab/);
    // Up arrow, its ESC alone and the rest later (fails without the fix: the chat ended).
    bob.send('\x1b');
    await sleep(SLOW_LINK_GAP_MS);
    bob.send('[A');
    bob.send('c\r');
    const line = await c.waitFor((m) => m['stream'] === opened.stream && (m['kind'] === 'line' || m['kind'] === 'ended'), 15_000, from);
    assert.equal(line['kind'], 'line', 'the chat went on');
    assert.equal(line['text'], 'abc', 'nothing of the arrow was typed');
    // A lone Esc ends it, and the caller is back at the menu.
    bob.send('\x1b');
    const ended = await c.waitFor((m) => m['stream'] === opened.stream && m['kind'] === 'ended', 15_000, from);
    assert.equal(ended['text'], 'caller');
    await bob.waitScreen(/You ended the chat; back to where you were[^]*Command:/);
  });
});
