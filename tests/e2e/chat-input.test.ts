// The chat room under a real client's paste, resize and slow escapes (inetutils telnet in
// tmux): a pasted block is sent at the room's line rate instead of being dropped, the
// scroll-back is wrapped again for a new width, and an arrow key whose ESC arrived alone
// (a slow link) is still an arrow, while a lone Esc still leaves.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from './messages-callers.js';
import { enterChat, KEY, say, TelnetCaller } from './social-callers.js';

const PW = 'correct-horse-7';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Longer than the board's wait for the rest of a lone ESC (80 ms): a slow link's split. */
const SLOW_LINK_GAP_MS = 200;
/** Lines a second after the burst of 5: a 60-line paste goes out in about 11 s. */
const FLOOD_RATE = 5;

describe('chat under paste, resize and slow escapes (inetutils telnet in tmux)', { timeout: 240_000 }, () => {
  let board: Carrier;
  const tmp = scratchDir('carrier-chat-input-');
  const hangups: Array<() => void> = [];

  before(async () => {
    board = await startCarrier({
      logLevel: 'info',
      // Nine callers from 127.0.0.1 over the file: over the default per-address cap (8).
      yaml: `chat: { floodRate: ${FLOOD_RATE}, floodBurst: 5, historyLines: 0 }\nlimits: { maxPerIp: 32, maxPerSubnet: 32 }`,
    });
    for (const h of ['alice', 'bob', 'carol', 'dave', 'erin', 'fay', 'gus', 'hal', 'ivy', 'jan', 'kim', 'lou', 'mae']) await board.addUser(h, PW);
  });
  after(async () => {
    for (const h of hangups) h();
    await board.stop();
  });

  const tmuxIn = async (handle: string, room: string): Promise<TmuxCaller> => {
    const c = await TmuxCaller.telnet(board.ports.telnet!, handle, PW, tmp);
    hangups.push(() => c.hangup());
    c.send('c');
    await c.waitScreen(/#lobby \| \d+ here/);
    c.send(`/join ${room}\r`);
    await c.waitScreen(new RegExp(`#${room} \\| \\d+ here`));
    return c;
  };
  const rawIn = async (handle: string, room: string): Promise<TelnetCaller> => {
    const c = await TelnetCaller.login(board.ports.telnet!, handle, PW);
    hangups.push(() => c.hangup());
    await enterChat(c);
    say(c, `/join ${room}`);
    await c.waitScreen(new RegExp(`#${room} \\| \\d+ here`));
    return c;
  };

  it('a resize wraps the lines already on screen again for the new width', async () => {
    const alice = await tmuxIn('alice', 'wide');
    const bob = await rawIn('bob', 'wide');
    const words = Array.from({ length: 36 }, (_, i) => `w${String(i + 1).padStart(2, '0')}`);
    say(bob, words.join(' '));
    await alice.waitScreen(/w36/);
    alice.resize(50, 25);
    // Every word, in order, on rows of the new width (the old rows, cut by the narrower
    // window, lost the words past column 50).
    const screen = await alice.waitScreen(new RegExp(words.join('\\s+')));
    for (const row of screen.split('\n')) assert.ok(row.trimEnd().length <= 50, `row fits: ${row}`);
  });

  it("the room's title row is fitted again on resize: names cut to +N at 40 columns are all shown at 80", async () => {
    const watcher = await TmuxCaller.telnet(board.ports.telnet!, 'gus', PW, tmp, /Command:/, undefined, 40);
    hangups.push(() => watcher.hangup());
    watcher.send('c');
    await watcher.waitScreen(/#lobby \| \d+ here/);
    watcher.send('/join names\r');
    for (const h of ['carol', 'dave', 'erin', 'fay']) await rawIn(h, 'names');
    const narrow = await watcher.waitScreen(/#names \| 5 here: .*\+\d/);
    for (const row of narrow.split('\n')) assert.ok(row.trimEnd().length <= 40, `row fits: ${row}`);
    watcher.resize(80, 25);
    const wide = await watcher.waitScreen(/#names \| 5 here: (?=.*\bgus\b)(?=.*\bcarol\b)(?=.*\bdave\b)(?=.*\berin\b)(?=.*\bfay\b)/);
    assert.doesNotMatch(wide.split('\n').find((r) => r.includes('#names |')) ?? '', /\+\d/);
  });

  it('the split-screen chat shows its newest lines and the input line, wrapped for the size, after a resize too', async () => {
    const hal = await TmuxCaller.telnet(board.ports.telnet!, 'hal', PW, tmp);
    hangups.push(() => hal.hangup());
    // A short window, so that ivy's four lines are more rows than hal's pane for them has.
    hal.resize(80, 16);
    const ivy = await TelnetCaller.login(board.ports.telnet!, 'ivy', PW);
    hangups.push(() => ivy.hangup());
    ivy.send('w');
    await ivy.waitScreen(/Select a caller/);
    // hal is the row above ivy in the list (the newest call is listed last).
    ivy.send(KEY.up);
    ivy.send('c');
    await ivy.waitScreen(/waiting for hal to answer/);
    await hal.waitScreen(/ivy \(node \d+\) wants to chat with you/);
    hal.send(KEY.ctrlY);
    await hal.waitScreen(/chatting with ivy/);
    // Four lines of 40 words (three rows each at 80 columns): more rows than ivy's pane has
    // (fails without: the newest line was pushed off the bottom of the pane). Four: the chat
    // request and four lines are the five a caller may say at once (the flood gate's burst,
    // which a fifth line sent at once met whenever hal answered within half a second).
    const long = (n: number): string => `${Array.from({ length: 39 }, (_, i) => `l${n}w${i}`).join(' ')} end${n}`;
    for (let n = 1; n <= 4; n++) ivy.send(`${long(n)}\r`);
    await hal.waitScreen(/end4/);
    assert.doesNotMatch(await hal.screen(), /l1w0 /, 'the oldest rows went up out of the pane');
    hal.send(`${long(9)}\r`);
    hal.send('typing');
    await hal.waitScreen(/end9[^]*> typing_/);
    hal.resize(44, 20);
    const screen = await hal.waitScreen(/> typing_[^]*end4\s*$/m);
    for (const row of screen.split('\n')) assert.ok(row.trimEnd().length <= 44, `row fits: ${row}`);
    hal.send(KEY.escape);
    await hal.waitScreen(/Command:/);
    hal.resize(80, 25);
  });

  it('a 60-line paste goes out whole and in order at the line rate, and the others still talk meanwhile', async () => {
    const dave = await tmuxIn('dave', 'paste');
    const erin = await rawIn('erin', 'paste');
    const mark = erin.raw().length;
    const lines = Array.from({ length: 60 }, (_, i) => `pasted ${String(i + 1).padStart(2, '0')}`);
    // Fails without the outbox: past the burst of 5, lines were dropped ('typing too fast').
    dave.paste(`${lines.join('\n')}\n`);
    await dave.waitScreen(/Sending at 5\/s: \d+ lines waiting/);
    say(erin, 'erin gets a word in');
    await dave.waitScreen(/<erin> erin gets a word in/);
    const seen = await erin.waitRaw(/<dave> pasted 60/, 60_000, mark);
    const got = seen.match(/<dave> pasted \d\d/g) ?? [];
    assert.deepEqual(got, lines.map((l) => `<dave> ${l}`), 'every line, once, in order');
    assert.ok(seen.indexOf('erin gets a word in') < seen.indexOf('<dave> pasted 60'), "erin's line went out between dave's");
    await dave.waitScreen(/\/help for commands/);
    assert.doesNotMatch(await dave.screen(), /typing too fast|not sent/);
  });

  it('past the outbox bound (100 lines) the caller is told how many lines were not sent, and Esc drops the rest', async () => {
    const fay = await tmuxIn('fay', 'bound');
    const gus = await rawIn('gus', 'bound');
    const mark = gus.raw().length;
    const lines = Array.from({ length: 130 }, (_, i) => `b${String(i + 1).padStart(3, '0')}`);
    fay.paste(`${lines.join('\n')}\n`);
    const screen = await fay.waitScreen(/\d+ not sent \(over 100\)/, 30_000);
    assert.match(screen, /Esc drops them/);
    // Esc from an empty line drops what still waits (and does not leave).
    await fay.waitScreen(/^>\s*$/m);
    fay.send('\x1b');
    const dropped = await fay.waitScreen(/(\d+) waiting lines? dropped: not sent\./);
    assert.match(dropped, /#bound \|/, 'still in the room');
    const n = Number(/(\d+) waiting lines? dropped/.exec(dropped)![1]);
    assert.ok(n > 0);
    say(gus, 'the end');
    const seen = await gus.waitRaw('the end', 10_000, mark);
    const got = seen.match(/<fay> b\d{3}/g) ?? [];
    assert.ok(got.length < 130 - n, `gus saw ${got.length} of 130`);
    assert.deepEqual(got, lines.slice(0, got.length).map((l) => `<fay> ${l}`), 'what went out, in order from the start');
    fay.send('/quit\r');
    await fay.waitScreen(/Command:/);
  });

  it('a /msg typed while a paste waits goes out ahead of it (the same line rate), /me waits its turn, and Ctrl-C drops what waits', async () => {
    const jan = await tmuxIn('jan', 'privy');
    const kim = await rawIn('kim', 'privy');
    const mark = kim.raw().length;
    const lines = Array.from({ length: 40 }, (_, i) => `q${String(i + 1).padStart(2, '0')}`);
    jan.paste(`${lines.join('\n')}\n`);
    await jan.waitScreen(/Sending at 5\/s: \d+ lines waiting/);
    // Fails without: the private message met the line rate the paste was using up, and was
    // dropped ('typing too fast').
    jan.send('/msg kim psst\r');
    jan.send('/me waves\r');
    const got = await kim.waitRaw(/Private from jan[^]*psst/, 20_000, mark);
    assert.doesNotMatch(got, /<jan> q40/, 'the private message did not wait behind the paste');
    await jan.waitScreen(/-> kim: psst/);
    // Ctrl-C stops the paste: what waits is dropped (fails without: every line went out).
    jan.send('\x03');
    const dropped = await jan.waitScreen(/(\d+) waiting lines? dropped: not sent\./);
    assert.match(dropped, /#privy \|/, 'still in the room');
    assert.doesNotMatch(dropped, /typing too fast/);
    say(kim, 'the end');
    const seen = await kim.waitRaw('<kim> the end', 10_000, mark);
    assert.doesNotMatch(seen, /<jan> q40|jan waves/, 'nothing that waited went out');
    const said = seen.match(/<jan> q\d\d/g) ?? [];
    assert.deepEqual(said, lines.slice(0, said.length).map((l) => `<jan> ${l}`), 'what went out, in order from the start');
  });

  it('Ctrl-C that stops a paste still being typed in (past the 1,000-key burst) also clears the half-typed pasted line from the input row', async () => {
    const hal = await tmuxIn('hal', 'halfway');
    const lines = Array.from({ length: 40 }, (_, i) => `line ${String(i + 1).padStart(2, '0')} ${'x'.repeat(52)}`);
    hal.paste(`${lines.join('\n')}\n`);
    // Typed in at the key rate: the burst was 16 lines and a half.
    await hal.waitScreen(/^> line (1[7-9]|2\d) x/m);
    hal.send('\x03');
    await hal.waitScreen(/Paste stopped: \d+ pasted characters were not typed/);
    // Fails without: the rest of the pasted line stayed in the input row, and the next
    // line typed went out after it.
    await hal.waitScreen(/^>\s*$/m);
    hal.send('typed after\r');
    const screen = await hal.waitScreen(/<hal> [^\n]*typed after/);
    assert.match(screen, /^<hal> typed after\s*$/m, screen);
  });

  it('Ctrl-C that stops a paste typed onto a line the caller had begun by hand keeps what they typed: only the paste goes', async () => {
    const lou = await tmuxIn('lou', 'begun');
    await lou.typeByHand('typed-by-hand', (typed) => new RegExp(`^> ${typed}\\s*$`, 'm'));
    // One line of 2,400 characters, no Enter: 1,000 keys at once (the line holds 300, the rest
    // ring the bell), the rest at 100 a second.
    lou.paste(Array.from({ length: 400 }, (_, i) => `p${String(i + 1).padStart(4, '0')}`).join(' '));
    await lou.waitScreen(/^> .*p00[2-9]\d/m);
    lou.send('\x03');
    await lou.waitScreen(/Paste stopped: \d+ pasted characters were not typed/);
    // Fails without: the whole input row was cleared, what was typed by hand too.
    const screen = await lou.waitScreen(/^> typed-by-hand\s*$/m);
    assert.doesNotMatch(screen, /^> .*p\d{4}/m, 'nothing of the paste is left on the input row');
    lou.send(' and on\r');
    await lou.waitScreen(/^<lou> typed-by-hand and on\s*$/m);
  });

  it('a resize while a paste is typed onto a line begun by hand: Ctrl-C after it still keeps what they typed, only the paste goes', async () => {
    const mae = await tmuxIn('mae', 'resized');
    // A line of words the board wraps under itself, indented: at 50 columns its second row
    // starts '  r12', which only the board's redraw for the new width shows (tmux cuts or
    // re-wraps the old rows itself, without the indent).
    const words = Array.from({ length: 24 }, (_, i) => `r${String(i + 1).padStart(2, '0')}`);
    mae.send(`${words.join(' ')}\r`);
    await mae.waitScreen(new RegExp(words.join('\\s+')));
    await mae.typeByHand('typed-by-hand', (typed) => new RegExp(`^> ${typed}\\s*$`, 'm'));
    mae.paste(Array.from({ length: 400 }, (_, i) => `p${String(i + 1).padStart(4, '0')}`).join(' '));
    await mae.waitScreen(/^> .*p00[2-9]\d/m);
    mae.resize(50, 25);
    await mae.waitScreen(/^ {2}r12 r13 /m);
    // The input row fits the new width: the last row, the prompt then the line's end (fails
    // without: it was drawn for 80 columns, ran past the edge and scrolled the screen up).
    const drawn = await mae.waitScreen(/^> [^\n]*p\d{4}/m);
    assert.match(drawn.trimEnd().split('\n').at(-1)!, /^> [^\n]*p\d{4}/, drawn);
    mae.send('\x03');
    await mae.waitScreen(/Paste stopped: \d+ pasted characters were\s+not typed/);
    // Fails without: the input row was built again from its text at the resize, and a Ctrl-C
    // after it went back only to where the paste had got to by then.
    const screen = await mae.waitScreen(/^> typed-by-hand\s*$/m);
    assert.doesNotMatch(screen, /^> .*p\d{4}/m, 'nothing of the paste is left on the input row');
    mae.send(' and on\r');
    await mae.waitScreen(/^<mae> typed-by-hand and on\s*$/m);
  });

  it('Up whose ESC a slow link sent alone is still Up (history), not Esc and "[A"; a lone Esc still leaves', async () => {
    const carol = await tmuxIn('carol', 'slow');
    carol.send('said before\r');
    await carol.waitScreen(/<carol> said before/);
    await carol.waitScreen(/^>\s*$/m);
    // The ESC alone, the rest >150 ms later (fails without: the room was left at the ESC,
    // and '[A' reached the main menu as typed keys).
    carol.send('\x1b');
    await sleep(SLOW_LINK_GAP_MS);
    carol.send('[A');
    const screen = await carol.waitScreen(/^> said before\s*$/m);
    assert.match(screen, /#slow \| 1 here/, 'still in the room');
    assert.doesNotMatch(screen, /\[A/, 'nothing of the arrow was typed');
    // Esc clears the recalled line; a lone Esc then leaves.
    carol.send('\x1b');
    await carol.waitScreen(/^>\s*$/m);
    await sleep(SLOW_LINK_GAP_MS);
    carol.send('\x1b');
    await carol.waitScreen(/Command:/);
  });
});
