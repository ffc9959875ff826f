// Keys typed ahead of a screen reach it in order, Escape included: `w` then Esc in one
// telnet write opens who's online and closes it again at once. The Esc used to wait in
// the menu's key decoder (a lone ESC waits a moment for the rest of an arrow key) while
// the view took over the keyboard, so who's online stayed open and the menu got the Esc
// afterwards. Raw telnet writes, so both keys arrive in one TCP segment; and the web page,
// with both keys in one WebSocket frame.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';
import { launchBrowser, screenText, waitScreen, webLogin, type Browser } from '../web-browser.js';

const PW = 'escape-ahead-7';
/** Who's online's status line; blessed skips unchanged cells with cursor-forward. */
const WHOS_ONLINE = /Space(?: |\x1b\[\d*C)back/;
const PROMPT = 'Command: ';
/** The main menu's answer to a key it has no item for: the marker typed after each case. */
const UNKNOWN = 'Unknown command';

describe('keys typed ahead of a screen, Escape among them, reach it in order', { timeout: 180_000 }, () => {
  let board: Carrier;
  let browser: Browser | undefined;
  const callers: RawTelnet[] = [];

  before(async () => {
    board = await startCarrier();
    await board.addUser('alice', PW);
    await board.addUser('bob', PW);
  });
  after(async () => {
    for (const c of callers) c.close();
    await browser?.close();
    await board?.stop();
  });

  const login = async (handle = 'alice'): Promise<RawTelnet> => {
    const c = await loginRaw(board.ports.telnet!, handle, PW, { size: { cols: 80, rows: 25 } });
    callers.push(c);
    return c;
  };

  /**
   * After the screen `keys` opened is gone again, `x` (no menu item) is typed: the menu
   * answers it once. Anything the screen left for the menu (an Escape handed back twice)
   * would be read before it and draw the prompt again first.
   */
  const backAtMenuOnce = async (c: RawTelnet, from: number): Promise<void> => {
    await c.waitFor(PROMPT, 15_000, from);
    c.send('x');
    const seen = await c.waitFor(UNKNOWN, 15_000, from);
    const before = seen.slice(0, seen.indexOf(UNKNOWN));
    assert.equal(before.split(PROMPT).length - 1, 1, `the menu drew its prompt once before the x: ${JSON.stringify(before.slice(-300))}`);
  };

  it("`w` then Esc in one write: who's online opens and Esc closes it", async () => {
    const c = await login();
    for (let round = 0; round < 3; round++) {
      const from = c.text().length;
      c.send('w\x1b');
      const shown = await c.waitFor(WHOS_ONLINE, 30_000, from);
      const at = from + shown.search(WHOS_ONLINE);
      await backAtMenuOnce(c, at);
    }
  });

  it('`c` then Esc in one write: chat opens and Esc leaves it', async () => {
    const c = await login();
    const from = c.text().length;
    c.send('c\x1b');
    const shown = await c.waitFor('/help for commands', 30_000, from);
    await backAtMenuOnce(c, from + shown.indexOf('/help for commands'));
  });

  it('`o` (oneliners) and `f` (file areas), each with Esc in one write: the screen opens and Esc leaves it', async () => {
    const c = await login();
    for (const [key, marker] of [['o', 'what callers left on the wall'], ['f', /File area:|no file areas/]] as const) {
      const from = c.text().length;
      c.send(`${key}\x1b`);
      const shown = await c.waitFor(marker, 30_000, from);
      await backAtMenuOnce(c, from + shown.search(marker));
    }
  });

  it("lightbar menus: `w` then Esc in one write opens who's online and comes back to the lightbar", async () => {
    // A caller of their own: the setting stays with the account.
    const c = await login('bob');
    c.send('u');
    await c.waitForNext(/Menus\S*\s+\S*hotkeys/, 15_000);
    c.send('m');
    await c.waitForNext(/Menus\S*\s+\S*lightbar/, 15_000);
    c.send('q');
    await c.waitForNext('Goodbye', 15_000);
    const from = c.text().length;
    c.send('w\x1b');
    const shown = await c.waitFor(WHOS_ONLINE, 30_000, from);
    // The lightbar is drawn again: its last item after the list's status line.
    await c.waitFor('Goodbye', 15_000, from + shown.search(WHOS_ONLINE));
  });

  it('`m`, `p`, then Esc in one write: Esc answers the first question of a new message', async () => {
    const c = await login();
    const from = c.text().length;
    c.send('mp\x1b');
    // Esc leaves To: empty (All), so the next question is the subject.
    await c.waitFor('Subject:', 30_000, from);
    c.send('\r');
    await c.waitFor('nothing posted', 15_000, from);
  });

  it("the web page: `w` then Esc in one WebSocket frame opens who's online and closes it", async () => {
    browser = await launchBrowser();
    const page = await browser.context.newPage();
    await page.addInitScript(KEEP_SOCKET);
    let received = '';
    page.on('websocket', (ws) => ws.on('framereceived', (f) => (received += typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8'))));
    await webLogin(page, board.ports.web!, 'alice', PW);
    for (let round = 0; round < 3; round++) {
      const from = received.length;
      await page.evaluate(`window.carrierSocket.send(new TextEncoder().encode('w\\x1b'))`);
      await eventually(() => WHOS_ONLINE.test(received.slice(from)), () => `who's online to open (round ${round})`, { timeoutMs: 30_000 });
      const opened = from + received.slice(from).search(WHOS_ONLINE);
      await eventually(() => received.slice(opened).includes('Command: '), async () => `who's online to close (round ${round}); screen:\n${await screenText(page)}`, { timeoutMs: 15_000 });
      const screen = await waitScreen(page, /Command: *$/m);
      assert.doesNotMatch(screen, /Space back/, 'the list is gone from the screen');
    }
  });
});

/**
 * The page's WebSocket, kept where a test can send on it: one send() is one frame, as when
 * the page sends the keys typed while its socket opened, or a paste.
 */
const KEEP_SOCKET = `
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); window.carrierSocket = this; }
  };
`;
