// Issue 11 item 3: who's online and chat used to play their art as a 1.2 s title card.
// The art is now the view's header: drawn above the live list and the room at once, in
// the caller's encoding, and left out on a screen too short for it and the view.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { ScreenModel } from '@carrier/client';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';
import { eventually } from '@carrier/core/testing';

const PW = 'wonderland-7';
const ONLINE_TAGLINE = 'Everyone on the board right now, on every node.';
const CHAT_TAGLINE = 'Say hello: everyone in the room sees what you type.';

describe("the art is the header of who's online and chat (issue 11 item 3)", { timeout: 120_000 }, () => {
  let board: Carrier;
  const callers: RawTelnet[] = [];

  before(async () => {
    board = await startCarrier();
    for (const h of ['alice', 'bob', 'carol', ...Array.from({ length: 9 }, (_, i) => `crowd${i + 1}`)]) await board.addUser(h, PW);
  });
  after(async () => {
    for (const c of callers) c.close();
    await board?.stop();
  });

  /** The caller's screen as a terminal shows it: the stream (telnet commands removed) read as UTF-8. */
  async function screenOf(c: RawTelnet, cols: number, rows: number): Promise<string> {
    const model = new ScreenModel(cols, rows);
    try {
      model.write(Buffer.from(c.text(), 'latin1').toString('utf8'));
      await model.settle();
      return model.text();
    } finally {
      model.dispose();
    }
  }

  /** The screen once `pattern` shows on it, rendered at the caller's size. */
  async function screenShowing(c: RawTelnet, pattern: RegExp, size: { cols: number; rows: number }): Promise<string[]> {
    let screen = '';
    await eventually(async () => pattern.test((screen = await screenOf(c, size.cols, size.rows))), () => `the screen to show ${pattern}:\n${screen}`, { timeoutMs: 15_000 });
    return screen.split('\n');
  }

  it("who's online: the art's rows on top, the live list below them, keys work", async () => {
    const size = { cols: 80, rows: 25 };
    const alice = await loginRaw(board.ports.telnet!, 'alice', PW, { size, terminalType: 'xterm-256color' });
    callers.push(alice);
    alice.send('w');
    const rows = await screenShowing(alice, /Who's online - 1 caller/, size);
    assert.match(rows[0]!, /╔═+ who's online ═+╗/, 'row 1 is the art');
    assert.ok(rows[6]!.includes(ONLINE_TAGLINE), `row 7 is the art's tagline: ${rows[6]}`);
    assert.match(rows[8]!, /╚═+╝/, 'row 9 closes the art');
    assert.match(rows[9]!, /^Who's online - 1 caller/, 'the list starts under the art');
    assert.match(rows.slice(10).join('\n'), /^1 +alice +telnet/m);
    // The list is live under its header: bob arrives.
    const bob = await loginRaw(board.ports.telnet!, 'bob', PW, { size });
    callers.push(bob);
    const live = await screenShowing(alice, /Who's online - 2 callers/, size);
    assert.ok(live[6]!.includes(ONLINE_TAGLINE), 'the header stays as the list redraws');
    alice.send(' ');
    await alice.waitFor('Command:', 10_000, alice.text().length);
  });

  it('chat: the art above the room, the room and its input line below', async () => {
    const size = { cols: 80, rows: 30 };
    const carol = await loginRaw(board.ports.telnet!, 'carol', PW, { size, terminalType: 'xterm-256color' });
    callers.push(carol);
    carol.send('c');
    const rows = await screenShowing(carol, /#lobby \| 1 here/, size);
    assert.match(rows[0]!, /╔═+ chat ═+╗/);
    assert.ok(rows[6]!.includes(CHAT_TAGLINE), `row 7 is the art's tagline: ${rows[6]}`);
    assert.match(rows[9]!, /#lobby/, 'the room title is under the art');
    carol.send('hello under the header\r');
    const said = await screenShowing(carol, /<carol> hello under the header/, size);
    assert.ok(said[6]!.includes(CHAT_TAGLINE), 'the header does not scroll with the room');
    assert.ok(said.findIndex((r) => r.includes('hello under the header')) > 9, 'what is said shows below the header');
    carol.send('/quit\r');
    await carol.waitFor('Command:', 10_000, carol.text().length);
  });

  it('a screen too short for the art and the view gets the view alone', async () => {
    const size = { cols: 80, rows: 18 };
    const c = await loginRaw(board.ports.telnet!, 'alice', PW, { size });
    callers.push(c);
    c.send('w');
    const rows = await screenShowing(c, /Who's online - \d callers?/, size);
    assert.match(rows[0]!, /^Who's online/, 'the list starts at the top');
    assert.ok(!rows.join('\n').includes(ONLINE_TAGLINE));
    c.send(' ');
    await c.waitFor('Command:', 10_000, c.text().length);
    c.send('c');
    const chat = await screenShowing(c, /#lobby \| \d+ here/, size);
    assert.match(chat[0]!, /#lobby/, 'the room title is on the top row');
    c.send('/quit\r');
    await c.waitFor('Command:', 10_000, c.text().length);
  });

  it("who's online gives the header's rows to the list when the callers would not fit under it", async () => {
    // 80x21: 12 rows left under the 9-row header, 8 of them for the list.
    const size = { cols: 80, rows: 21 };
    const crowd: RawTelnet[] = [];
    for (let i = 1; i <= 9; i++) crowd.push(await loginRaw(board.ports.telnet!, `crowd${i}`, PW, { size, localAddress: `127.0.0.${20 + i}` }));
    const c = crowd[0]!;
    c.send('w');
    const rows = await screenShowing(c, /Who's online - \d+ callers/, size);
    assert.match(rows[0]!, /^Who's online/, `the list starts at the top:\n${rows.join('\n')}`);
    for (let i = 1; i <= 9; i++) assert.match(rows.join('\n'), new RegExp(`crowd${i} `), `crowd${i} is on the screen`);
    for (const x of crowd) x.close();
  });

  it('a CP437 caller gets the header as CP437 bytes', async () => {
    const size = { cols: 80, rows: 25 };
    const c = await loginRaw(board.ports.telnet!, 'bob', PW, { size, terminalType: 'ansi-bbs' });
    callers.push(c);
    const from = c.bytes.length;
    c.send('w');
    await c.waitFor("Who's online -", 15_000, c.text().length);
    const sent = c.bytes.subarray(from);
    // ╔═ (top-left corner, double line) is C9 CD in CP437; as UTF-8 it would be E2 95 94.
    assert.ok(sent.includes(Buffer.from([0xc9, 0xcd])), 'the art went out as CP437');
    assert.ok(!sent.includes(Buffer.from('╔', 'utf8')), 'no UTF-8 in a CP437 stream');
    c.send(' ');
    await c.waitFor('Command:', 10_000, c.text().length);
  });
});
