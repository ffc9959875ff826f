// What the sysop's break-in chat must leave alone, with real callers: output the caller's
// screen started just before the chat waits until it ends (it was drawn into the chat's
// lines), and a full-screen view given back sets its terminal modes again.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, startCarrier, type Carrier } from '../harness.js';
import { OpenSshCaller, TelnetCaller } from '../e2e/social-callers.js';
import { RawTelnet } from '../raw-telnet.js';
import { launchBrowser, waitScreen, webLogin, type Browser } from '../web-browser.js';
import { RawControl } from './control-support.js';

const PW = 'correct-horse-7';

/** The board's own menus, with `A` showing the main art at 1200 baud: ten seconds of line-mode output. */
function menusWithSlowArt(dir: string): string {
  const main = readFileSync(join(repoRoot, 'config', 'menus', 'main.yaml'), 'utf8');
  writeFileSync(join(dir, 'main.yaml'), main.replace(/^items:\n/m, 'items:\n  - key: A\n    text: Art slowly\n    show: { name: main, baud: 1200 }\n'));
  return dir;
}

/** The sysop ends the chat; resolves with its `ended` event (looked for from message `from` on). */
async function closeChat(c: RawControl, node: number, stream: unknown, from: number): Promise<Record<string, unknown>> {
  await c.ok('chat', { node, action: 'close' });
  return c.waitFor((m) => m['stream'] === stream && m['kind'] === 'ended', 15_000, from);
}

async function nodeOf(c: RawControl, handle: string): Promise<number> {
  const who = (await c.ok('who')) as { node: number; handle: string }[];
  return who.find((n) => n.handle === handle)!.node;
}

describe('break-in chat over output that was already on its way', () => {
  let board: Carrier;
  let bob: TelnetCaller;
  let c: RawControl;
  const tmp = mkdtempSync(join(tmpdir(), 'carrier-breakin-residuals-'));

  before(async () => {
    board = await startCarrier({ logLevel: 'info', menusDir: menusWithSlowArt(tmp) });
    await board.addUser('bob', PW);
    await board.addUser('tty', PW);
    bob = await TelnetCaller.login(board.ports.telnet!, 'bob', PW, '127.0.0.3');
    c = await RawControl.connect(board.dataDir);
    c.keepAlive();
  });
  after(async () => {
    c?.close();
    bob?.hangup();
    await board?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('on a dumb terminal the chat is plain text: no escape sequence, the sysop\'s line on a line of its own', async () => {
    const tty = await RawTelnet.connect({ port: board.ports.telnet!, terminalType: 'dumb', size: { cols: 80, rows: 24 }, localAddress: '127.0.0.6' });
    try {
      await tty.waitFor('login:', 15_000);
      tty.send('tty\r');
      await tty.waitFor('password:');
      tty.send(`${PW}\r`);
      await tty.waitFor('Command:', 15_000);
      const node = await nodeOf(c, 'tty');
      const mark = tty.text().length;
      const opened = (await c.ok('chat', { node, action: 'open', text: 'plain words' })) as { stream: number };
      await tty.waitFor('Sysop: plain words', 15_000, mark);
      tty.send('half');
      await tty.waitFor('You: half', 15_000, mark);
      await c.ok('chat', { node, action: 'say', text: 'go on' });
      await tty.waitFor(/Sysop: go on\r\nYou: half/, 15_000, mark);
      const from = c.messages.length;
      tty.send(' done\r');
      const line = await c.waitFor((m) => m['stream'] === opened.stream && m['kind'] === 'line', 15_000, from);
      assert.equal(line['text'], 'half done');
      await c.ok('chat', { node, action: 'close' });
      await tty.waitFor(/left the chat[^]*Command: $/, 15_000, mark);
      const chat = tty.text().slice(mark);
      // Fails without: the chat's colours, and the erase before the sysop's line, reached the dumb terminal as escape codes.
      assert.doesNotMatch(chat, /\x1b/, JSON.stringify(chat));
      // ...and the sysop's line starts a line of its own instead of printing over the caller's half-typed one.
      assert.match(chat, /You: half\r\nSysop: go on\r\nYou: half done/, JSON.stringify(chat));
    } finally {
      tty.close();
    }
  });

  it('a UTF-8 character split across two reads reaches the chat whole', async () => {
    const node = await nodeOf(c, 'bob');
    const opened = (await c.ok('chat', { node, action: 'open', text: 'type away' })) as { stream: number };
    await bob.waitScreen(/Sysop: type away/);
    const mark = bob.raw().length;
    const from = c.messages.length;
    // A paste read from the terminal in pieces: é (C3 A9) cut after its first byte; the
    // echo of "caf" shows the first piece was taken alone.
    bob.sendBytes(Buffer.from([0x63, 0x61, 0x66, 0xc3]));
    await bob.waitRaw('caf', 15_000, mark);
    bob.sendBytes(Buffer.from([0xa9, 0x21, 0x0d]));
    const line = await c.waitFor((m) => m['stream'] === opened.stream && m['kind'] === 'line', 15_000, from);
    // Fails without: each half was decoded alone, "caf\ufffd\ufffd!".
    assert.equal(line['text'], 'café!');
    assert.match(bob.raw().slice(mark), /^café!\r\n/);
    await closeChat(c, node, opened.stream, from);
    await bob.waitRaw(/Command: $/, 15_000, mark);
  });

  it("the sysop's line goes above the caller's half-typed line whole, even when that line wraps", async () => {
    const node = await nodeOf(c, 'bob');
    const opened = (await c.ok('chat', { node, action: 'open' })) as { stream: number };
    await bob.waitScreen(/breaking in[^]*You:/);
    // 5 + 104 columns: two rows of an 80-column screen.
    const typed = `${'word '.repeat(20)}tail`;
    bob.send(typed);
    await bob.waitScreen(/word tail/);
    await c.ok('chat', { node, action: 'say', text: 'short' });
    const screen = await bob.waitScreen(/Sysop: short\nYou: word[^]*word tail/);
    const rows = screen.split('\n');
    const at = rows.findIndex((r) => r.startsWith('Sysop: short'));
    // Fails without: only the half-typed line's last row was erased; its first row stayed above the sysop's line.
    assert.doesNotMatch(rows[at - 1]!, /word/, screen);
    assert.equal(rows.filter((r) => r.startsWith('You: word')).length, 1, screen);
    const from = c.messages.length;
    bob.send('\r');
    const line = await c.waitFor((m) => m['stream'] === opened.stream && m['kind'] === 'line', 15_000, from);
    assert.equal(line['text'], typed);
    await closeChat(c, node, opened.stream, from);
    await bob.waitScreen(/Command:/);
  });

  it('Backspace takes back characters across the edge where the terminal wrapped the line', async () => {
    const node = await nodeOf(c, 'bob');
    const opened = (await c.ok('chat', { node, action: 'open' })) as { stream: number };
    await bob.waitScreen(/breaking in[^]*You:/);
    // 5 + 77 columns: the line wraps two characters onto the next row; five Backspaces go back over the edge.
    bob.send('x'.repeat(77));
    await bob.waitScreen(/You: x{75}\nxx/);
    bob.send('\x7f'.repeat(5));
    bob.send('AB');
    const screen = await bob.waitScreen(/AB/);
    // Fails without: the terminal does not go back over the edge on \b, so the first row kept
    // three characters that are no longer in the line.
    const rows = screen.split('\n');
    const at = rows.findLastIndex((r) => r.startsWith('You: x'));
    assert.equal(rows[at], `You: ${'x'.repeat(72)}AB`, screen);
    assert.equal(rows[at + 1]?.trim() ?? '', '', screen);
    const from = c.messages.length;
    bob.send('\r');
    const line = await c.waitFor((m) => m['stream'] === opened.stream && m['kind'] === 'line', 15_000, from);
    assert.equal(line['text'], `${'x'.repeat(72)}AB`);
    await closeChat(c, node, opened.stream, from);
    await bob.waitScreen(/Command:/);
  });

  it('a message that arrived during the chat is shown after its end note, above the prompt the caller is back at', async () => {
    const node = await nodeOf(c, 'bob');
    const opened = (await c.ok('chat', { node, action: 'open', text: 'one moment' })) as { stream: number };
    await bob.waitScreen(/Sysop: one moment/);
    await c.ok('message', { node, text: 'the board restarts at noon' });
    const ending = bob.raw().length;
    const from = c.messages.length;
    await closeChat(c, node, opened.stream, from);
    // Fails without: the message came first, then the chat's note and the prompt a second time.
    const after = await bob.waitRaw(/Sysop has left the chat[^]*Message from Sysop: the board restarts at noon[^]*Command: $/, 15_000, ending);
    assert.doesNotMatch(after, /restarts at noon[^]*left the chat/);
  });

  it('over a lightbar menu the chat has a clear screen, and the menu is drawn whole after it, its bar where the arrows move it', async () => {
    const node = await nodeOf(c, 'bob');
    bob.send('u');
    await bob.waitScreen(/Change which/);
    bob.send('m');
    await bob.waitRaw(/lightbar \(arrows/);
    bob.send('q');
    await bob.waitScreen(/ G {2}Goodbye/);
    const opened = (await c.ok('chat', { node, action: 'open', text: 'over the bar' })) as { stream: number };
    let screen = await bob.waitScreen(/Sysop: over the bar/);
    // Fails without: the chat was written in among the bar's rows, the menu still around it.
    assert.doesNotMatch(screen, /Who's online|Goodbye/, screen);
    const from = c.messages.length;
    await closeChat(c, node, opened.stream, from);
    screen = await bob.waitScreen(/main menu[^]* W {2}Who's online[^]* G {2}Goodbye/);
    // Fails without: the chat's lines stayed on the screen and the menu was not drawn again.
    assert.doesNotMatch(screen, /breaking in|over the bar|left the chat/, screen);
    // The bar is where the caller sees it: Down twice and Enter picks the third entry (after
    // this board's A, and W), chat.
    bob.send('\x1b[B');
    bob.send('\x1b[B');
    bob.send('\r');
    await bob.waitScreen(/#lobby \| 1 here/);
    bob.send('/quit\r');
    await bob.waitScreen(/ G {2}Goodbye/);
    // Back to hotkey menus for the next test.
    bob.send('u');
    await bob.waitScreen(/Change which/);
    bob.send('m');
    await bob.waitRaw(/hotkeys \(one key\)/);
    bob.send('q');
    await bob.waitRaw(/Command:/);
  });

  it('art drawing at modem speed when the sysop breaks in waits for the chat to end, then goes on below it', async () => {
    const node = await nodeOf(c, 'bob');
    const mark = bob.raw().length;
    bob.send('a');
    // The art's first row is on its way (at 1200 baud the rest takes some ten seconds).
    await bob.waitRaw(/main menu/, 15_000, mark);
    const opened = (await c.ok('chat', { node, action: 'open', text: 'hold on a moment' })) as { stream: number };
    await bob.waitScreen(/Sysop: hold on a moment/);
    const from = c.messages.length;
    await c.ok('chat', { node, action: 'say', text: 'can you read me' });
    await bob.waitScreen(/Sysop: can you read me/);
    bob.send('yes I can\r');
    await c.waitFor((m) => m['stream'] === opened.stream && m['kind'] === 'line', 15_000, from);
    const during = await bob.screen();
    const rows = during.split('\n');
    const intro = rows.findIndex((r) => r.startsWith('*** Sysop is breaking in'));
    assert.ok(intro >= 0, during);
    // Fails without: the art went on drawing into the chat's rows (its box and blocks among the lines).
    assert.doesNotMatch(rows.slice(intro).join('\n'), /[═║╚█▀░]/, during);
    assert.match(rows.slice(intro).join('\n'), /Sysop: hold on a moment\nSysop: can you read me\nYou: yes I can\nYou:/, during);

    const ending = bob.raw().length;
    await c.ok('chat', { node, action: 'close' });
    // After the chat: the note, then the rest of the art and the menu's key prompt.
    const rest = await bob.waitRaw(/press a key/i, 30_000, ending);
    assert.match(rest, /Sysop has left the chat[^]*╚═+╝/);
    bob.send(' ');
    await bob.waitRaw(/Command:/, 15_000, ending);
  });
});

describe('break-in chat over a full-screen view, with OpenSSH in tmux', () => {
  let board: Carrier;
  let ann: OpenSshCaller;
  let c: RawControl;
  const tmp = mkdtempSync(join(tmpdir(), 'carrier-breakin-ssh-'));

  before(async () => {
    board = await startCarrier({ logLevel: 'info', ssh: true });
    await board.addUser('ann', PW);
    ann = await OpenSshCaller.login(board.ports.ssh!, 'ann', PW, tmp);
    c = await RawControl.connect(board.dataDir);
    c.keepAlive();
  });
  after(async () => {
    c?.close();
    ann?.hangup();
    await board?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("who's online given back sets its keypad and cursor keys again (application mode, as it opened with)", async () => {
    const node = await nodeOf(c, 'ann');
    ann.send('w');
    await ann.waitScreen(/Who's online - 1 caller/);
    assert.equal(ann.mode('keypad_cursor_flag'), '1', 'blessed sets application cursor keys');
    const opened = (await c.ok('chat', { node, action: 'open', text: 'over the list' })) as { stream: number };
    await ann.waitScreen(/Sysop: over the list/);
    // The chat is a line-mode screen: the keypad sends digits, the cursor keys their plain form.
    assert.equal(ann.mode('keypad_cursor_flag'), '0');
    assert.equal(ann.mode('keypad_flag'), '0');
    const from = c.messages.length;
    await closeChat(c, node, opened.stream, from);
    await ann.waitScreen(/Who's online - 1 caller[^]*Select a caller/);
    // Fails without: the view drew itself again but left the terminal's keys as the chat set them.
    assert.equal(ann.mode('keypad_cursor_flag'), '1');
    assert.equal(ann.mode('keypad_flag'), '1');
    // The list still has its keys: q closes it.
    ann.send('q');
    await ann.waitScreen(/Command:/);
  });
});

describe('break-in chat on the web page', () => {
  let board: Carrier;
  let browser: Browser;
  let c: RawControl;

  before(async () => {
    board = await startCarrier({ logLevel: 'info' });
    await board.addUser('wendy', PW);
    browser = await launchBrowser();
    c = await RawControl.connect(board.dataDir);
    c.keepAlive();
  });
  after(async () => {
    c?.close();
    await browser?.close();
    await board?.stop();
  });

  it("over who's online in the browser: typed lines reach the sysop, Esc ends the chat and the list is drawn whole again", async () => {
    const page = await browser.context.newPage();
    await webLogin(page, board.ports.web!, 'wendy', PW);
    const node = await nodeOf(c, 'wendy');
    await page.keyboard.type('w');
    await waitScreen(page, /Who's online - 1 caller/);
    const opened = (await c.ok('chat', { node, action: 'open', text: 'hello browser' })) as { stream: number };
    let screen = await waitScreen(page, /Sysop: hello browser/);
    assert.doesNotMatch(screen, /Who's online -/);
    const from = c.messages.length;
    // Arrow keys are not chat text, and do not end the chat as an Esc would.
    await page.keyboard.press('ArrowUp');
    await page.keyboard.type('from the page');
    await page.keyboard.press('Enter');
    const line = await c.waitFor((m) => m['stream'] === opened.stream && m['kind'] === 'line', 15_000, from);
    assert.equal(line['text'], 'from the page');
    await c.ok('chat', { node, action: 'say', text: 'thanks' });
    await waitScreen(page, /Sysop: thanks/);
    await page.keyboard.press('Escape');
    const ended = await c.waitFor((m) => m['stream'] === opened.stream && m['kind'] === 'ended', 15_000, from);
    assert.equal(ended['text'], 'caller');
    screen = await waitScreen(page, /Who's online - 1 caller[^]*Select a caller/);
    assert.doesNotMatch(screen, /breaking in|from the page|Sysop: thanks/);
    await page.keyboard.type('q');
    await waitScreen(page, /Command:/);
  });
});
