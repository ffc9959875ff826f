// The board's keys in a real browser: headless Chromium on the web page. The message
// editor's help opens with F1 and with Ctrl-K and a message is saved with Ctrl-Z (read back
// from the store); Tab keeps the focus in the terminal; every key the board lists goes up
// the WebSocket with the browser's own action prevented; tab switching, full screen and
// developer tools stay the browser's; Ctrl-V, Ctrl-Shift-V and Shift-Insert paste, and
// Ctrl-C copies a selection (with none it is the key), as do Ctrl-Shift-C and Ctrl-Insert.
//
// playwright's keyboard goes through CDP Input.dispatchKeyEvent, the renderer's own input
// path: defaults the page controls happen as for a typed key (Tab moves the focus, Ctrl-C
// copies, Ctrl-V pastes; checked on a plain page while writing this). The browser window's
// accelerators (F1 help, Ctrl-T, Ctrl-Tab) do not run in headless mode, and its reserved
// ones even reach the page, so for those the test checks what decides them in a real
// browser: whether the page prevented the key's default.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@carrier/core';
import { eventually } from '@carrier/core/testing';
import { openStore } from '@carrier/store';
import type { Page } from 'playwright-core';
import { startCarrier, type Carrier } from '../harness.js';
import { launchBrowser, waitScreen, webLogin, type Browser } from '../web-browser.js';

const PW = 'browser-keys-7';
/** The number in the screen's last `Message #N posted`. */
const postedId = (screen: string): number => Number([...screen.matchAll(/Message #(\d+) posted/g)].pop()![1]);
/** The editor's text with its help screen gone. */
const NO_HELP = /^(?![\s\S]*to the next tab stop)[\s\S]*first line/;

/** Each keydown the page sees, in order, kept so its defaultPrevented can be read after dispatch. */
const RECORD_KEYDOWNS = `
  window.carrierKeydowns = [];
  window.addEventListener('keydown', (ev) => { window.carrierKeydowns.push(ev); }, true);
`;
const MODIFIERS = ['Control', 'Shift', 'Alt', 'Meta'];

/** What the page sent up its WebSocket as key input (binary frames), decoded. */
interface Sent {
  frames: string[];
}

function recordSent(page: Page): Sent {
  const sent: Sent = { frames: [] };
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => {
      if (typeof f.payload !== 'string') sent.frames.push(f.payload.toString('utf8'));
    });
  });
  return sent;
}

/** The last non-modifier keydown: its key and whether the page prevented its default. */
async function lastKeydown(page: Page): Promise<{ key: string; prevented: boolean }> {
  return page.evaluate<{ key: string; prevented: boolean }>(
    `(() => { const e = window.carrierKeydowns.filter((k) => !${JSON.stringify(MODIFIERS)}.includes(k.key)).pop(); return { key: e ? e.key : '', prevented: e ? e.defaultPrevented : false }; })()`,
  );
}

async function nextFrame(sent: Sent, index: number, what: string): Promise<string> {
  await eventually(
    () => sent.frames.length > index,
    () => `a frame for ${what} (sent so far: ${JSON.stringify(sent.frames.slice(-5))})`,
    { timeoutMs: 10_000, intervalMs: 20 },
  );
  return sent.frames[index]!;
}

/**
 * Presses `key`; asserts the page sent `bytes` up the socket and, for a key that is not a
 * printable character (whose default, text in xterm.js's textarea, xterm.js takes on
 * keypress), that it prevented the browser's own action.
 */
async function sendsKey(page: Page, sent: Sent, key: string, bytes: string): Promise<void> {
  const at = sent.frames.length;
  await page.keyboard.press(key);
  assert.equal(JSON.stringify(await nextFrame(sent, at, key)), JSON.stringify(bytes), `${key} goes up as ${JSON.stringify(bytes)}`);
  if (!/^[\x20-\x7e]$/.test(bytes)) assert.equal((await lastKeydown(page)).prevented, true, `${key}: the browser's own action is prevented`);
}

/** Presses `key`; asserts nothing went up for it (the next frame is a marker key's) and the browser may act. */
async function leavesKey(page: Page, sent: Sent, key: string): Promise<void> {
  const at = sent.frames.length;
  await page.keyboard.press(key);
  const seen = await lastKeydown(page);
  assert.equal(seen.prevented, false, `${key} is left to the browser`);
  await page.keyboard.press('z');
  assert.equal(await nextFrame(sent, at, `the marker after ${key}`), 'z', `nothing went up for ${key}`);
}

async function terminalHasFocus(page: Page): Promise<boolean> {
  return page.evaluate<boolean>(`document.activeElement !== null && document.activeElement.classList.contains('xterm-helper-textarea')`);
}

/** A paste's text as the board gets it: bracketed-paste markers, when on, taken off. */
const unbracketed = (s: string): string => s.replace(/^\x1b\[200~/, '').replace(/\x1b\[201~$/, '');

describe('the board\'s keys in a browser', () => {
  let board: Carrier;
  let browser: Browser;
  let origin: string;

  before(async () => {
    board = await startCarrier({ logLevel: 'info' });
    await board.addUser('carol', PW);
    await board.addUser('dave', PW);
    browser = await launchBrowser();
    origin = `http://127.0.0.1:${board.ports.web}`;
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    await browser.context.addInitScript(RECORD_KEYDOWNS);
  });
  after(async () => {
    await browser?.close();
    await board?.stop();
  });

  /** A new page at `login:`, recording what it sends; returns the screen too. */
  const openAtLogin = async (): Promise<{ page: Page; sent: Sent; screen: string }> => {
    const page = await browser.context.newPage();
    const sent = recordSent(page);
    await page.goto(`${origin}/`);
    return { page, sent, screen: await waitScreen(page, /login:/, 20_000) };
  };

  it('opens the editor\'s help with F1 and with Ctrl-K, keeps the focus on Tab, saves with Ctrl-Z', async () => {
    const page = await browser.context.newPage();
    try {
      await webLogin(page, board.ports.web!, 'carol', PW);
      // A sub-screen and back with Escape, another and back with Q.
      await page.keyboard.type('u');
      await waitScreen(page, /Change which\?/);
      await page.keyboard.press('Escape');
      await waitScreen(page, /Command:\s*$/);
      await page.keyboard.type('m');
      await waitScreen(page, /Area: General/);
      await page.keyboard.type('p');
      await waitScreen(page, /To:/);
      await page.keyboard.press('Enter');
      await waitScreen(page, /Subject:/);
      await page.keyboard.type('keys from a browser');
      await page.keyboard.press('Enter');
      await waitScreen(page, /Ctrl-Z save/);

      await page.keyboard.type('first line');
      await page.keyboard.press('F1');
      await waitScreen(page, /Tab +to the next tab stop/);
      // Esc leaves the help. (The next key waits for the text to show: ESC and a key at
      // once read as Alt and that key, on any connection.)
      await page.keyboard.press('Escape');
      await waitScreen(page, NO_HELP);
      await page.keyboard.type(' one');
      await waitScreen(page, /first line one/);
      await page.keyboard.press('Control+K');
      await waitScreen(page, /Tab +to the next tab stop/);
      await page.keyboard.press('Escape');
      await waitScreen(page, NO_HELP);
      await page.keyboard.type(' two');
      await waitScreen(page, /first line one two/);

      // Ctrl-Y deletes a line; Tab goes to the next stop and the terminal keeps the focus.
      await page.keyboard.press('Enter');
      await page.keyboard.type('delete me');
      await waitScreen(page, /delete me/);
      await page.keyboard.press('Control+Y');
      await waitScreen(page, /^(?![\s\S]*delete me)[\s\S]*first line one two/);
      // (the cursor is on the line above now) End, a new line, Tab.
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      assert.ok(await terminalHasFocus(page), 'Tab moved the focus nowhere');
      await page.keyboard.type('tabbed');
      await waitScreen(page, /^first line one two\n {4}tabbed$/m);
      // Insert: overwrite and back.
      await page.keyboard.press('Insert');
      await waitScreen(page, /OVR {2}line/);
      await page.keyboard.press('Insert');
      await waitScreen(page, /INS {2}line/);

      await page.keyboard.press('Control+Z');
      const id = postedId(await waitScreen(page, /Message #(\d+) posted in General/));

      // A reply (from the message just posted): Ctrl-Q opens the quote window, Esc closes it,
      // Ctrl-Z saves.
      await page.keyboard.type('r');
      await waitScreen(page, /\[R\]eply/);
      await page.keyboard.type('r');
      await waitScreen(page, /To: carol/);
      await page.keyboard.press('Enter');
      await waitScreen(page, /Subject: Re: keys from a browser/);
      await page.keyboard.press('Enter');
      await waitScreen(page, /Ctrl-Z save/);
      await page.keyboard.press('Control+Q');
      await waitScreen(page, /Quote: Up\/Down pick/);
      await page.keyboard.press('Escape');
      await waitScreen(page, /^(?![\s\S]*Quote: Up)[\s\S]*Ctrl-Z save/);
      await page.keyboard.type('the answer');
      await waitScreen(page, /the answer/);
      await page.keyboard.press('Control+Z');
      const replyId = postedId(await waitScreen(page, new RegExp(`Message #(?!${id}\\b)\\d+ posted in General`)));

      const store = await openStore({ dataDir: board.dataDir, log: silentLogger });
      try {
        const m = await store.messages.get(id);
        assert.equal(m?.subject, 'keys from a browser');
        assert.equal(m?.body, 'first line one two\n    tabbed');
        const reply = await store.messages.get(replyId);
        assert.equal(reply?.subject, 'Re: keys from a browser');
        assert.match(reply?.body ?? '', /^\S+> first line one two\n\S+>     tabbed\n[\s\S]*the answer$/);
      } finally {
        await store.close();
      }
      assert.equal(await page.locator('#status').isVisible(), false, 'still connected');
    } finally {
      await page.close();
    }
  });

  it('moves a lightbar menu with End, PgDn, Up and Home, picks with Enter, comes back with Escape', async () => {
    const page = await browser.context.newPage();
    try {
      await webLogin(page, board.ports.web!, 'dave', PW);
      await page.keyboard.type('u');
      await waitScreen(page, /Change which\?/);
      await page.keyboard.type('m');
      await waitScreen(page, /Menus\S*\s+\S*lightbar/);
      await page.keyboard.type('q');
      await waitScreen(page, /Goodbye/);
      // The items in order: W C O M E L D F K U (! for sysops) G.
      for (const last of ['End', 'PageDown']) {
        await page.keyboard.press(last);
        await page.keyboard.press('ArrowUp');
        await page.keyboard.press('Enter');
        await waitScreen(page, /Change which\?/);
        await page.keyboard.press('Escape');
        await waitScreen(page, /^(?![\s\S]*Change which)[\s\S]*Goodbye/);
      }
      await page.keyboard.press('Home');
      await page.keyboard.press('Enter');
      await waitScreen(page, /Who's online - \d+ caller/);
      await page.keyboard.press('Escape');
      await waitScreen(page, /^(?![\s\S]*Who's online -)[\s\S]*Goodbye/);
    } finally {
      await page.close();
    }
  });

  it('sends every key the board lists up the socket, the browser\'s own action prevented', async () => {
    const { page, sent } = await openAtLogin();
    try {
      // At the login prompt: the line editor there takes or ignores each of these and stays.
      const keys: [string, string][] = [
        ['F1', '\x1bOP'], ['F2', '\x1bOQ'], ['F3', '\x1bOR'], ['F4', '\x1bOS'], ['F5', '\x1b[15~'],
        ['F6', '\x1b[17~'], ['F7', '\x1b[18~'], ['F8', '\x1b[19~'], ['F9', '\x1b[20~'], ['F10', '\x1b[21~'],
        ['Control+K', '\x0b'], ['Control+Z', '\x1a'], ['Control+Y', '\x19'], ['Control+Q', '\x11'],
        ['Control+A', '\x01'], ['Control+E', '\x05'], ['Control+U', '\x15'], ['Control+C', '\x03'],
        ['Control+B', '\x02'], ['Control+F', '\x06'], ['Control+P', '\x10'], ['Control+D', '\x04'],
        ['Control+S', '\x13'], ['Control+R', '\x12'], ['Control+L', '\x0c'], ['Control+O', '\x0f'],
        ['Control+X', '\x18'],
        ['Insert', '\x1b[2~'], ['Delete', '\x1b[3~'], ['Tab', '\t'], ['Shift+Tab', '\x1b[Z'], ['Escape', '\x1b'],
        ['ArrowUp', '\x1b[A'], ['ArrowDown', '\x1b[B'], ['ArrowRight', '\x1b[C'], ['ArrowLeft', '\x1b[D'],
        ['PageUp', '\x1b[5~'], ['PageDown', '\x1b[6~'], ['Home', '\x1b[H'], ['End', '\x1b[F'],
        ['Backspace', '\x7f'], ['q', 'q'], ['Shift+Q', 'Q'], ['Alt+B', '\x1bb'], ['Alt+F', '\x1bf'],
        ['Alt+ArrowLeft', '\x1b[1;3D'],
      ];
      for (const [key, bytes] of keys) {
        await sendsKey(page, sent, key, bytes);
        assert.ok(await terminalHasFocus(page), `the terminal keeps the focus after ${key}`);
      }
      assert.equal(await page.locator('#status').isVisible(), false, 'still connected');
    } finally {
      await page.close();
    }
  });

  it('leaves tab switching, full screen and developer tools to the browser', async () => {
    const { page, sent } = await openAtLogin();
    try {
      for (const key of ['Control+Tab', 'Control+Shift+Tab', 'Control+PageUp', 'Control+PageDown', 'F11', 'F12']) await leavesKey(page, sent, key);
    } finally {
      await page.close();
    }
  });

  it('pastes with Ctrl-V, Ctrl-Shift-V and Shift-Insert; copies a selection with Ctrl-C, Ctrl-Shift-C or Ctrl-Insert, after which Ctrl-C is the key again', async () => {
    const { page, sent, screen } = await openAtLogin();
    const clipboard = (): Promise<string> => page.evaluate<string>('navigator.clipboard.readText()');
    const setClipboard = (text: string): Promise<void> => page.evaluate<void>(`navigator.clipboard.writeText(${JSON.stringify(text)})`);
    try {
      for (const [key, text] of [['Control+V', 'pasted-one'], ['Control+Shift+V', 'pasted-two'], ['Shift+Insert', 'pasted-three']] as const) {
        await setClipboard(text);
        const at = sent.frames.length;
        await page.keyboard.press(key);
        assert.equal(unbracketed(await nextFrame(sent, at, key)), text, `${key} pastes`);
      }
      // Clear the typed line (Ctrl-U), leaving the screen's text to select.
      await sendsKey(page, sent, 'Control+U', '\x15');

      // Select the word "login:" with a double click on it.
      const rows = screen.split('\n');
      const row = rows.findIndex((l) => l.includes('login:'));
      const col = rows[row]!.indexOf('login:');
      const word = rows[row]!.slice(0, col + 'login:'.length).split(' ').pop()!;
      const box = (await page.locator('.xterm-screen').boundingBox())!;
      const cellW = box.width / (await page.evaluate<number>(`document.querySelector('.xterm-rows > div').textContent.length`));
      const cellH = box.height / (await page.evaluate<number>(`document.querySelectorAll('.xterm-rows > div').length`));
      const select = async (): Promise<void> => {
        await page.mouse.dblclick(box.x + (col + 2.5) * cellW, box.y + (row + 0.5) * cellH);
        assert.ok(await terminalHasFocus(page));
      };

      for (const key of ['Control+C', 'Control+Shift+C', 'Control+Insert']) {
        await setClipboard('before');
        await select();
        const at = sent.frames.length;
        await page.keyboard.press(key);
        assert.equal(await clipboard(), word, `${key} copied the selection`);
        // Nothing went up for the copy, and the selection went with it: Ctrl-C is the key again.
        await page.keyboard.press('Control+C');
        assert.equal(JSON.stringify(await nextFrame(sent, at, `Ctrl-C after ${key}`)), JSON.stringify('\x03'), `nothing went up for ${key}; then Ctrl-C is ^C`);
      }
      // Ctrl-Shift-C with nothing selected is still the page's (Chromium's own opens the
      // developer tools' inspector); it copies nothing and sends nothing.
      await setClipboard('before');
      const at = sent.frames.length;
      await page.keyboard.press('Control+Shift+C');
      assert.equal((await lastKeydown(page)).prevented, true, 'Ctrl-Shift-C is the page\'s');
      assert.equal(await clipboard(), 'before');
      await page.keyboard.press('z');
      assert.equal(await nextFrame(sent, at, 'the marker after Ctrl-Shift-C'), 'z', 'nothing went up for Ctrl-Shift-C');
      assert.equal(await page.locator('#status').isVisible(), false, 'still connected');
    } finally {
      await page.close();
    }
  });

  it('shows no disconnect and no crash in the board log', async () => {
    assert.ok(!board.logs.some((l) => l['event'] === 'websocket.crash' || l['event'] === 'frontend.crash'));
  });
});
