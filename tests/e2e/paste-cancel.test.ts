// A long paste into the message editor is typed in at the key rate (limits.keysPerSecond);
// Ctrl-C stops it: what still waits is dropped and the status row says how much. A real
// client (inetutils telnet or OpenSSH in tmux, the paste through tmux's paste buffer), also
// behind more than the 32 KiB at which the board stops reading a paste (KEY_BACKLOG_PAUSE).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, scratchDir } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { postedBody, TmuxCaller, toSubject, writePost } from './messages-callers.js';

const PW = 'correct-horse-8';
/** 40 lines of 60 characters (2,440 bytes): 1,000 keys at once, the rest at 100 a second (~14 s). */
const LINES = Array.from({ length: 40 }, (_, i) => `line ${String(i + 1).padStart(2, '0')} ${'x'.repeat(52)}`);
/** 1,000 lines of 60 characters (61,000 bytes): the board stops reading it at 32 KiB, and typing it takes ten minutes. */
const LONG = Array.from({ length: 1000 }, (_, i) => `long ${String(i + 1).padStart(4, '0')} ${'y'.repeat(50)}`);

describe('Ctrl-C stops a paste into the message editor (inetutils telnet in tmux)', { timeout: 120_000 }, () => {
  let board: Carrier;
  let paula: TmuxCaller | undefined;
  const callers: TmuxCaller[] = [];

  before(async () => {
    board = await startCarrier({ logLevel: 'info', ssh: true });
    await board.addUser('paula', PW);
    await board.addUser('quinn', PW);
    await board.addUser('rhea', PW);
    await board.addUser('sven', PW);
    await board.addUser('tova', PW);
    await board.addUser('ulla', PW);
    await board.addUser('vera', PW);
  });
  after(async () => {
    paula?.hangup();
    for (const c of callers) c.hangup();
    await board.stop();
  });

  /**
   * Pastes `lines` into a new post's editor, presses Ctrl-C once `shown` is on screen, then
   * saves: how many characters the board said were not typed, and the saved body.
   */
  const stopPaste = async (caller: TmuxCaller, lines: readonly string[], shown: RegExp): Promise<{ notTyped: number; body: string }> => {
    await writePost(caller, 'A stopped paste');
    caller.paste(`${lines.join('\n')}\n`);
    await caller.waitScreen(shown);
    caller.send('\x03');
    const screen = await caller.waitScreen(/Paste stopped: (\d+) pasted characters were not typed \(Ctrl-C\)/, 30_000);
    caller.send('\x1a');
    const body = await postedBody(board.dataDir, await caller.waitScreen(/Message #(\d+) posted in General/, 30_000));
    return { notTyped: Number(/Paste stopped: (\d+) pasted/.exec(screen)![1]), body };
  };

  it('what still waits behind the key rate is dropped, the note says how much, and what was typed is saved', async () => {
    paula = await TmuxCaller.telnet(board.ports.telnet!, 'paula', PW, scratchDir('carrier-paste-cancel-'));
    // The burst is in; the rest comes at the rate. Ctrl-C then (fails without the fix: it waited
    // in the socket behind the paste, and every line was typed).
    const { notTyped, body } = await stopPaste(paula, LINES, /line 1[0-9] x/);
    assert.ok(notTyped > 0);
    assert.ok(body.includes(LINES[0]!), 'the start of the paste is there');
    assert.ok(!body.includes(LINES[39]!), 'its end was not typed');
    assert.ok(body.length + notTyped <= `${LINES.join('\n')}\n`.length, 'nothing dropped was typed');
    assert.ok(board.logs.some((l) => l['event'] === 'input.paste_cancelled'));
  });

  it('the line the paste was typing when Ctrl-C stopped it goes too: what is saved is whole pasted lines', async () => {
    const sven = await TmuxCaller.telnet(board.ports.telnet!, 'sven', PW, scratchDir('carrier-paste-cancel-line-'));
    callers.push(sven);
    // Fails without: the saved body ended with the half of a line the paste had typed.
    const { body } = await stopPaste(sven, LINES, /line 1[7-9] x/);
    const saved = body.split('\n');
    assert.ok(saved.length > 1 && saved.length < LINES.length, `${saved.length} lines saved`);
    assert.deepEqual(saved, LINES.slice(0, saved.length));
  });

  it('at a line prompt (the line-mode editor, TERM=dumb) the half-typed pasted line goes too: /s then saves whole pasted lines', async () => {
    const tova = await TmuxCaller.telnet(board.ports.telnet!, 'tova', PW, scratchDir('carrier-paste-cancel-dumb-'), /Command:/, 'dumb');
    callers.push(tova);
    await writePost(tova, 'A stopped paste at a prompt', /Line mode: \/s save/);
    tova.paste(`${LINES.join('\n')}\n`);
    await tova.waitScreen(/ 1[7-9]: line 1[7-9] x/);
    const mark = board.logs.length;
    tova.send('\x03');
    await eventually(() => board.logs.slice(mark).some((l) => l['event'] === 'input.paste_cancelled'), 'the paste stopped', { timeoutMs: 20_000 });
    // Fails without: '/s' went on the end of the half-typed pasted line, and nothing was saved.
    tova.send('/s\r');
    const saved = (await postedBody(board.dataDir, await tova.waitScreen(/Message #(\d+) posted in General/, 30_000))).split('\n');
    assert.ok(saved.length > 1 && saved.length < LINES.length, `${saved.length} lines saved`);
    assert.deepEqual(saved, LINES.slice(0, saved.length));
  });

  /** One paragraph of 2,400 characters, no Enter: 1,000 keys at once, the rest at 100 a second. */
  const PARAGRAPH = Array.from({ length: 400 }, (_, i) => `p${String(i + 1).padStart(4, '0')}`).join(' ');

  it('a paste stopped on a line the caller had begun by hand takes only what it typed: the words typed before it are saved', async () => {
    const ulla = await TmuxCaller.telnet(board.ports.telnet!, 'ulla', PW, scratchDir('carrier-paste-cancel-begun-'));
    callers.push(ulla);
    await writePost(ulla, 'Begun by hand');
    await ulla.typeByHand('typed-by-hand', (typed) => new RegExp(`^${typed}\\s*$`, 'm'));
    ulla.paste(PARAGRAPH);
    await ulla.waitScreen(/p01[5-9]\d/);
    ulla.send('\x03');
    const screen = await ulla.waitScreen(/Paste stopped: \d+ pasted characters were not typed/, 30_000);
    // Fails without: the paragraph went back to its start, the words typed by hand too.
    assert.match(screen, /^typed-by-hand\s*$/m, screen);
    assert.doesNotMatch(screen, /p\d{4}/, 'nothing of the paste is left');
    ulla.send('\x1a');
    assert.equal(await postedBody(board.dataDir, await ulla.waitScreen(/Message #(\d+) posted in General/, 30_000)), 'typed-by-hand');
  });

  it('at a line prompt (Subject:), a paste stopped after what the caller typed by hand takes only what it typed', async () => {
    const vera = await TmuxCaller.telnet(board.ports.telnet!, 'vera', PW, scratchDir('carrier-paste-cancel-prompt-'));
    callers.push(vera);
    await toSubject(vera);
    await vera.typeByHand('typed-by-hand', (typed) => new RegExp(`Subject: ${typed}\\s*$`, 'm'));
    // The field holds 72: the rest of the burst and of the paste rings the bell.
    vera.paste(PARAGRAPH);
    await vera.waitScreen(/Subject: .*p0010/);
    vera.send('\x03');
    await vera.waitScreen(/Paste stopped: \d+ pasted characters were not typed/, 30_000);
    // Fails without: the field was emptied, what was typed by hand too.
    const screen = await vera.waitScreen(/Subject: typed-by-hand\s*$/m);
    assert.doesNotMatch(screen, /Subject: .*p0001/, 'nothing of the paste is left in the field');
  });

  for (const [client, handle] of [['telnet', 'quinn'], ['ssh', 'rhea']] as const) {
    it(`over ${client}, a Ctrl-C behind more than 32 KiB of paste stops it at once, not once the rest has been typed`, async () => {
      const tmp = scratchDir('carrier-paste-cancel-long-');
      const caller = client === 'telnet' ? await TmuxCaller.telnet(board.ports.telnet!, handle, PW, tmp) : await TmuxCaller.ssh(board.ports.ssh!, handle, PW, tmp);
      callers.push(caller);
      // Fails without: the Ctrl-C waited unread behind the paste until the board had typed it
      // down to 32 KiB (about five minutes at 100 keys a second).
      const { notTyped, body } = await stopPaste(caller, LONG, /long 00[2-9]\d y/);
      assert.ok(notTyped > 32 * 1024, `${notTyped} not typed`);
      assert.ok(body.includes(LONG[0]!), 'the start of the paste is there');
      assert.ok(!body.includes(LONG[999]!), 'its end was not typed');
    });
  }
});
