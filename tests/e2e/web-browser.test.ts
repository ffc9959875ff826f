// The browser front end in a real browser: headless Chromium opens the page, reaches
// `login:`, logs in, meets a telnet caller in who's online and in chat, logs off and
// reconnects, and is read as a screen reader reads the page (spoken.js); the welcome art is
// compared with a reference screenshot so a font or encoding regression fails.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { repoRoot, startCarrier, type Carrier } from '../harness.js';
import { launchBrowser, waitScreen, webLogin, type Browser } from '../web-browser.js';
import { enterChat, say, TelnetCaller } from './social-callers.js';

const PW = 'browser-pass-9';
const REFERENCE = join(repoRoot, 'tests', 'e2e', 'web-welcome-art.png');
/** Channels further apart than this count as a different pixel. */
const CHANNEL_TOLERANCE = 48;
/** Share of pixels allowed to differ (anti-aliasing at glyph edges, nothing more). */
const PIXEL_TOLERANCE = 0.005;

/** The paragraphs in the log region now, oldest first. */
async function spoken(page: Page): Promise<string[]> {
  return page.evaluate<string[]>("Array.from(document.querySelectorAll('#spoken > p')).map((p) => p.textContent || '')");
}

/** Every paragraph ever added to the region, also those it has since let go (a screen reader heard them all). */
async function heard(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('window.__heard');
}

/** Starts recording afresh (one observer: an earlier recording's is stopped). */
const RECORD_HEARD = `
  if (window.__heardObserver) window.__heardObserver.disconnect();
  window.__heard = [];
  window.__heardObserver = new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) window.__heard.push(n.textContent || '');
  });
  window.__heardObserver.observe(document.getElementById('spoken'), { childList: true });
`;

/**
 * From user settings (menus just made lightbar), `q` back to the lightbar main menu; resolves
 * once the menu has been read, recording afresh what is read from there (a fixed 0.4 s could
 * end before the menu was read on a loaded machine: the menu then counted as a move's).
 */
async function backToLightbarMenu(page: Page): Promise<void> {
  await page.evaluate(RECORD_HEARD);
  await page.keyboard.type('q');
  await waitScreen(page, /Who's online[\s\S]*Goodbye/);
  await eventually(async () => (await heard(page)).some((p) => /Goodbye/.test(p)), 'the lightbar menu read', { timeoutMs: 15_000, intervalMs: 50 });
  await page.evaluate(RECORD_HEARD);
}

async function waitSpoken(page: Page, pattern: RegExp): Promise<string[]> {
  let said: string[] = [];
  await eventually(
    async () => (said = await spoken(page)).some((p) => pattern.test(p)),
    () => `the log region to say ${pattern}; it holds:\n${said.join('\n---\n')}`,
    { timeoutMs: 15_000, intervalMs: 50 },
  );
  return said;
}

/**
 * Waits until the board's output the page has drawn so far has settled and been read (or
 * left out) by the log region (spoken.js: data-settling): what it would say of it, it has.
 */
async function waitSettled(page: Page): Promise<void> {
  await eventually(async () => (await page.getAttribute('#spoken', 'data-settling')) === 'false', 'the log region to have read what was drawn', {
    timeoutMs: 15_000,
    intervalMs: 50,
  });
}

describe('a caller in a browser', () => {
  let board: Carrier;
  let browser: Browser;
  const telnetCallers: TelnetCaller[] = [];

  before(async () => {
    board = await startCarrier({ logLevel: 'info' });
    await board.addUser('alice', PW);
    await board.addUser('bob', PW);
    await board.addUser('carol', PW);
    await board.addUser('dave', PW);
    await board.addUser('erin', PW);
    browser = await launchBrowser();
  });
  after(async () => {
    for (const c of telnetCallers) c.hangup();
    await browser?.close();
    await board?.stop();
  });

  it('draws the welcome art with the VGA font, matching the reference screenshot', async () => {
    const page = await browser.context.newPage();
    try {
      await artCheck(page);
    } finally {
      await page.close();
    }
  });

  async function artCheck(page: import('playwright-core').Page): Promise<void> {
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(`http://127.0.0.1:${board.ports.web}/`) && !r.url().startsWith(`ws://127.0.0.1:${board.ports.web}/`)) problems.push(`third-party request ${r.url()}`);
    });
    await page.goto(`http://127.0.0.1:${board.ports.web}/`);
    const screen = await waitScreen(page, /login:/, 20_000);
    assert.match(screen, /^╔═+/m, 'box drawing arrives as Unicode');
    assert.match(screen, /^╚═+╝$/m);
    assert.match(screen, /░░░▒▒▒▓▓▓/, 'shades arrive as Unicode');
    assert.ok(await page.evaluate<boolean>(`document.fonts.check('16px "Px IBM VGA8"')`), 'the VGA font loaded');
    assert.equal(await page.title(), 'carrier');
    assert.deepEqual(await browser.context.cookies(), [], 'no cookies');
    // The art: every row above the login prompt, 80 columns of 8x16 cells.
    const artRows = screen.split('\n').findIndex((l) => l.startsWith('╚')) + 1;
    assert.ok(artRows > 5, 'the art box is on screen');
    const box = (await page.locator('.xterm-screen').boundingBox())!;
    const shot = await page.screenshot({ clip: { x: box.x, y: box.y, width: 640, height: artRows * 16 } });
    if (process.env['CARRIER_UPDATE_REFERENCE'] === '1' || !existsSync(REFERENCE)) {
      writeFileSync(REFERENCE, shot);
      if (process.env['CARRIER_UPDATE_REFERENCE'] !== '1') assert.fail(`no reference image: wrote ${REFERENCE}; look at it, then commit it`);
    }
    const diff = comparePng(PNG.sync.read(readFileSync(REFERENCE)), PNG.sync.read(shot));
    assert.ok(diff.sameSize, `screenshot is ${diff.size}, the reference ${diff.refSize}`);
    assert.ok(diff.share <= PIXEL_TOLERANCE, `${(diff.share * 100).toFixed(2)}% of pixels differ from the reference (at most ${PIXEL_TOLERANCE * 100}%)`);
    assert.deepEqual(problems, [], 'no CSP violations, errors or third-party requests');
  }

  it('logs in, sees itself and a telnet caller in who\'s online, chats both ways, logs off and reconnects', async () => {
    const bob = await TelnetCaller.login(board.ports.telnet!, 'bob', PW);
    telnetCallers.push(bob);
    const page = await browser.context.newPage();
    await webLogin(page, board.ports.web!, 'alice', PW);

    await page.keyboard.type('w');
    const who = await waitScreen(page, /Who's online - \d+ callers[\s\S]*\bbob +telnet\b/);
    assert.match(who, /\balice +websoc/, 'alice is on over the websocket');
    assert.match(who, /\bbob +telnet\b/);
    await page.keyboard.press('Space');
    await waitScreen(page, /Command:/);

    // Chat both ways with the telnet caller.
    await enterChat(bob);
    await page.keyboard.type('c');
    await waitScreen(page, /You are in #lobby/);
    await page.keyboard.type('hello from the browser');
    await page.keyboard.press('Enter');
    await bob.waitScreen(/<alice> hello from the browser/);
    say(bob, 'hello back from telnet');
    await waitScreen(page, /<bob> hello back from telnet/);
    await page.keyboard.type('/quit');
    await page.keyboard.press('Enter');
    await waitScreen(page, /Command:/);

    await page.keyboard.type('g');
    await waitScreen(page, /Goodbye/);
    await page.locator('#status').waitFor({ state: 'visible', timeout: 15_000 });
    assert.match((await page.locator('#status').textContent()) ?? '', /disconnected.*press a key to reconnect/);
    // A screen reader hears the board's farewell from the log region and the disconnect once,
    // from the status box.
    await waitSpoken(page, /Goodbye/);
    // The disconnect line is on the page's screen: once the log region has settled after it,
    // it has read it if it ever will (fails if the region reads it: not a fixed wait).
    await waitScreen(page, /disconnected.*press a key to reconnect/);
    await waitSettled(page);
    assert.ok(!(await spoken(page)).some((p) => /disconnected/.test(p)), (await spoken(page)).join('\n---\n'));
    await page.keyboard.press('Enter');
    await waitScreen(page, /login:/, 20_000);
    assert.equal(await page.locator('#status').isVisible(), false);
    await page.close();
  });

  it('a handle typed straight after "press a key to reconnect" arrives whole, the reconnecting key with it', async () => {
    const page = await browser.context.newPage();
    try {
      await webLogin(page, board.ports.web!, 'alice', PW);
      await page.keyboard.type('g');
      await waitScreen(page, /Goodbye/);
      await page.locator('#status').waitFor({ state: 'visible', timeout: 15_000 });
      const mark = board.logs.length;
      // The first key opens a new connection; the rest are typed while it opens.
      await page.keyboard.type('bob');
      await page.keyboard.press('Enter');
      await waitScreen(page, /password:/, 20_000);
      await page.keyboard.type(PW);
      await page.keyboard.press('Enter');
      const outcome = await board.waitForLog((l) => board.logs.indexOf(l) >= mark && (l['event'] === 'session.login' || l['event'] === 'login.failed'), 20_000);
      assert.equal(outcome['event'], 'session.login', JSON.stringify(outcome));
      assert.equal(outcome['user'], 'bob');
      await waitScreen(page, /Command:/, 20_000);
    } finally {
      await page.close();
    }
  });

  it('fits 80 columns to a phone\'s width, with Esc, Ctrl and arrow keys on screen', async () => {
    const phone = await launchBrowser({ width: 390, height: 760 }, { isMobile: true, hasTouch: true });
    try {
      const page = await phone.context.newPage();
      const mark = board.logs.length;
      await page.goto(`http://127.0.0.1:${board.ports.web}/`);
      await waitScreen(page, /login:/, 20_000);
      const ready = board.logs.slice(mark).find((l) => l['event'] === 'websocket.ready');
      assert.equal(ready?.['cols'], 80, 'the page asked for 80 columns');
      for (const key of ['Esc', 'Ctrl', 'Tab', 'Enter']) assert.ok(await page.getByRole('button', { name: key, exact: true }).isVisible(), key);
      assert.ok(await page.getByRole('button', { name: 'up' }).isVisible());
      const width = await page.evaluate<number>(`document.querySelector('.xterm-screen').getBoundingClientRect().width`);
      assert.ok(width <= 390 && width > 380, `the screen fits the width (${width} px)`);
      // The on-screen keys type: Ctrl then U is ^U (erase the line), Enter submits.
      await page.keyboard.type('nobody');
      await page.getByRole('button', { name: 'Ctrl', exact: true }).tap();
      await page.keyboard.type('u');
      await page.getByRole('button', { name: 'Enter', exact: true }).tap();
      await page.close();
    } finally {
      await phone.close();
    }
  });

  it('stays connected through a paste larger than a frame: the page sends it in pieces, which wait behind the key rate', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`http://127.0.0.1:${board.ports.web}/`);
      await waitScreen(page, /login:/, 20_000);
      const mark = board.logs.length;
      // 100,000 characters through the browser's own paste path (xterm.js's paste handler).
      await page.evaluate<void>(
        "(() => { const dt = new DataTransfer(); dt.setData('text/plain', 'a'.repeat(100000)); document.querySelector('.xterm-helper-textarea').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true })); })()",
      );
      // The pieces wait behind the key rate (the rest in the socket, which the board stops
      // reading); the connection stays.
      await board.waitForLog((l) => board.logs.indexOf(l) >= mark && l['event'] === 'input.rate_limited', 30_000);
      assert.ok(!board.logs.slice(mark).some((l) => l['event'] === 'websocket.oversized_frame'), 'no frame over 64 KiB');
      assert.equal(await page.locator('#status').isVisible(), false, 'still connected');
    } finally {
      await page.close();
    }
  });

  it('sees itself in the board log as a websocket caller from its real address', async () => {
    const accepted = board.logs.filter((l) => l['event'] === 'connect' && l['frontEnd'] === 'websocket');
    assert.ok(accepted.length >= 3);
    assert.ok(accepted.every((l) => l['remote'] === '127.0.0.1'));
    assert.ok(!board.logs.some((l) => l['event'] === 'websocket.crash' || l['event'] === 'frontend.crash'));
  });

  it("for a screen reader on a slow link: a lightbar's move is read though the board's answer comes a second after the key", async () => {
    const page = await browser.context.newPage();
    try {
      // The board's output reaches the page `slowMs` late, in order (the caller's keys go at once).
      let slowMs = 0;
      await page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
        const server = ws.connectToServer();
        server.onMessage((m) => (slowMs ? setTimeout(() => ws.send(m), slowMs) : ws.send(m)));
      });
      await webLogin(page, board.ports.web!, 'erin', PW);
      await page.keyboard.type('u');
      await waitScreen(page, /Change which\?/);
      await page.keyboard.type('m');
      await waitScreen(page, /Menus\s+lightbar/);
      await backToLightbarMenu(page);
      slowMs = 1_000;
      await page.keyboard.press('ArrowDown');
      // Fails without: the highlight's row was read only when the board answered within
      // 0.5 s of the key; on this link nothing was read.
      let moves: string[] = [];
      await eventually(
        async () => (moves = await heard(page)).some((p) => /Chat/.test(p) && !p.includes('\n')),
        () => `the row the highlight moved to to be read; read since: ${JSON.stringify(moves)}`,
        { timeoutMs: 15_000, intervalMs: 50 },
      );
    } finally {
      await page.close();
    }
  });

  it('for a screen reader: reads each new screen and each new chat line once, leaves out the art and the echo of typing', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`http://127.0.0.1:${board.ports.web}/`);
      assert.equal(await page.getAttribute('#spoken', 'role'), 'log');
      await waitScreen(page, /login:/, 20_000);
      let said = await waitSpoken(page, /login:/);
      assert.ok(!said.join('\n').match(/[\u2500-\u25ff]/), `no box drawing or shades are read:\n${said.join('\n')}`);

      // Typed slowly: the board echoes each key on the prompt's row; none of it is read, up to
      // the last echo's (once the region has settled after it: not a fixed wait).
      await page.evaluate(RECORD_HEARD);
      await page.keyboard.type('carol', { delay: 120 });
      await waitScreen(page, /login: carol/);
      await waitSettled(page);
      said = await heard(page);
      assert.ok(!said.some((p) => /login: (c|ca|car|caro|carol)$/m.test(p)), `the echo is not read:\n${said.join('\n---\n')}`);
      await page.keyboard.press('Enter');
      await waitSpoken(page, /password:/);
      await page.keyboard.type(PW);
      await page.keyboard.press('Enter');
      await waitScreen(page, /Command:/, 20_000);
      said = await waitSpoken(page, /Command:/);
      assert.ok(!said.join('\n').includes(PW), 'the password is never read');

      // Lightbar menus: Down moves the highlight, no text changes, and the entry is read.
      await page.keyboard.type('u');
      await waitScreen(page, /Change which\?/);
      await page.keyboard.type('m');
      await waitScreen(page, /Menus\s+lightbar/);
      await backToLightbarMenu(page);
      const heardAfterMove = async (pattern: RegExp): Promise<string[]> => {
        let moves: string[] = [];
        await eventually(
          async () => (moves = await heard(page)).some((p) => pattern.test(p)),
          () => `the log region to read ${pattern} after the move; read since: ${JSON.stringify(moves)}`,
          { timeoutMs: 10_000, intervalMs: 50 },
        );
        return moves;
      };
      await page.keyboard.press('ArrowDown');
      await heardAfterMove(/Chat/);
      await page.keyboard.press('ArrowDown');
      const moves = await heardAfterMove(/Oneliners/);
      assert.equal(moves.length, 2, JSON.stringify(moves));
      assert.ok(moves.every((p) => !p.includes('\n')), `one row each move: ${JSON.stringify(moves)}`);
      // Back to hotkeys for the rest.
      await page.keyboard.press('End');
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('Enter');
      await waitScreen(page, /Change which\?/);
      await page.keyboard.type('m');
      await waitScreen(page, /Menus\s+hotkeys/);
      await page.keyboard.type('q');
      await waitScreen(page, /Command:/);

      // Chat: dave's lines are read as they come, each once, also after the room has scrolled.
      const dave = await TelnetCaller.login(board.ports.telnet!, 'dave', PW);
      telnetCallers.push(dave);
      await enterChat(dave);
      await page.keyboard.type('c');
      await waitScreen(page, /You are in #lobby/);
      await waitSpoken(page, /You are in #lobby/);
      await page.evaluate(RECORD_HEARD);
      // More lines than the room's rows, so it scrolls; paced under chat's flood limit (2 a second).
      const lines = 24;
      for (let i = 1; i <= lines; i++) {
        say(dave, `line number ${i} from dave`);
        await waitScreen(page, new RegExp(`<dave> line number ${i} from dave`));
        await new Promise((r) => setTimeout(r, 500));
      }
      said = await waitSpoken(page, new RegExp(`line number ${lines} from dave`));
      const all = (await heard(page)).join('\n');
      for (const i of [1, 2, 12, 23, 24]) {
        const times = all.split('\n').filter((l) => l.includes(`line number ${i} from dave`)).length;
        assert.equal(times, 1, `line ${i} read ${times} times:\n${all}`);
      }
      assert.ok(said.length <= 30, `the region keeps at most 30 paragraphs (${said.length})`);
    } finally {
      await page.close();
    }
  });
});

function comparePng(ref: PNG, got: PNG): { sameSize: boolean; size: string; refSize: string; share: number } {
  const size = `${got.width}x${got.height}`;
  const refSize = `${ref.width}x${ref.height}`;
  if (size !== refSize) return { sameSize: false, size, refSize, share: 1 };
  let differing = 0;
  for (let i = 0; i < ref.data.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      if (Math.abs(ref.data[i + c]! - got.data[i + c]!) > CHANNEL_TOLERANCE) {
        differing++;
        break;
      }
    }
  }
  return { sameSize: true, size, refSize, share: differing / (ref.width * ref.height) };
}
