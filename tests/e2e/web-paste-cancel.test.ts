// Ctrl-C stops a paste in the browser as it does over telnet and ssh (paste-cancel.test.ts):
// a long paste into the message editor is typed in at the key rate, and Ctrl-C drops what
// still waits, also behind more than the 32 KiB at which the board stops reading a paste.
// Headless Chromium on the board's page, the paste through the clipboard (Ctrl-V), which the
// page sends up in 16 KiB frames.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { postedBody } from './messages-callers.js';
import { launchBrowser, waitScreen, webLogin, type Browser } from '../web-browser.js';

const PW = 'browser-paste-9';
/** 1,000 lines of 60 characters (61,000 bytes): the board stops reading it at 32 KiB, and typing it takes ten minutes. */
const LINES = Array.from({ length: 1000 }, (_, i) => `long ${String(i + 1).padStart(4, '0')} ${'y'.repeat(50)}`);
const PASTE = `${LINES.join('\n')}\n`;

describe('Ctrl-C stops a paste in the browser (headless Chromium)', { timeout: 120_000 }, () => {
  let board: Carrier;
  let browser: Browser;

  before(async () => {
    board = await startCarrier({ logLevel: 'info', yaml: 'chat: { floodRate: 5, floodBurst: 5, historyLines: 0 }' });
    await board.addUser('wendy', PW);
    await board.addUser('xena', PW);
    browser = await launchBrowser();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${board.ports.web}` });
  });
  after(async () => {
    await browser?.close();
    await board?.stop();
  });

  it('a Ctrl-C behind more than 32 KiB of paste stops it at once: what waits is dropped, what was typed is saved', async () => {
    const page = await browser.context.newPage();
    try {
      await webLogin(page, board.ports.web!, 'wendy', PW);
      await page.keyboard.type('m');
      await waitScreen(page, /Area: General/);
      await page.keyboard.type('p');
      await waitScreen(page, /To:/);
      await page.keyboard.press('Enter');
      await waitScreen(page, /Subject:/);
      await page.keyboard.type('A stopped paste');
      await page.keyboard.press('Enter');
      await waitScreen(page, /Ctrl-Z save/);
      await page.evaluate<void>(`navigator.clipboard.writeText(${JSON.stringify(PASTE)})`);
      await page.keyboard.press('Control+V');
      // The burst is in; the rest comes at the rate. Ctrl-C now (fails without: its frame waited
      // unread behind the paste until the board had typed it down to 32 KiB, minutes later).
      await waitScreen(page, /long 00[2-9]\d y/);
      await page.keyboard.press('Control+C');
      const screen = await waitScreen(page, /Paste stopped: (\d+) pasted characters were not typed \(Ctrl-C\)/, 30_000);
      const notTyped = Number(/Paste stopped: (\d+) pasted/.exec(screen)![1]);
      assert.ok(notTyped > 32 * 1024, `${notTyped} not typed`);
      await page.keyboard.press('Control+Z');
      const body = await postedBody(board.dataDir, await waitScreen(page, /Message #(\d+) posted in General/, 30_000));
      assert.ok(body.includes(LINES[0]!), 'the start of the paste is there');
      assert.ok(!body.includes(LINES[999]!), 'its end was not typed');
      assert.ok(body.length + notTyped <= PASTE.length, 'nothing dropped was typed');
      assert.ok(board.logs.some((l) => l['event'] === 'input.paste_cancelled'));
    } finally {
      await page.close();
    }
  });

  it('in chat, Ctrl-C while pasted keys still wait stops them and the lines already typed that wait to go out', async () => {
    const page = await browser.context.newPage();
    try {
      await webLogin(page, board.ports.web!, 'xena', PW);
      await page.keyboard.type('c');
      await waitScreen(page, /#lobby \| \d+ here/);
      // 40 lines of 60 characters: 1,000 keys at once, the rest at 100 a second; the lines
      // typed go out at 5 a second.
      const lines = Array.from({ length: 40 }, (_, i) => `chat ${String(i + 1).padStart(2, '0')} ${'z'.repeat(52)}`);
      await page.evaluate<void>(`navigator.clipboard.writeText(${JSON.stringify(`${lines.join('\n')}\n`)})`);
      await page.keyboard.press('Control+V');
      await waitScreen(page, /Sending at 5\/s: \d+ lines? waiting/);
      // Fails without: the keys stopped, but every line typed before the Ctrl-C still went out.
      await page.keyboard.press('Control+C');
      const screen = await waitScreen(page, /\d+ waiting lines? dropped: not sent\./, 20_000);
      assert.match(screen, /Paste stopped: \d+ pasted characters were not typed/);
      await waitScreen(page, /\/help for commands/);
      assert.doesNotMatch(await page.evaluate<string>('document.body.innerText'), /chat 40 z/);
    } finally {
      await page.close();
    }
  });
});
