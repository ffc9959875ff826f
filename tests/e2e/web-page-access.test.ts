// The terminal page as assistive technology reads it (Chromium's accessibility tree, the
// one screen readers are given): the terminal is a landmark named after the board, and the
// status message a refused or dropped connection shows is a live region that is there from
// the start, so its message is announced when it appears (content put into a region that
// was hidden until then is not reliably announced).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { launchBrowser, waitScreen, type Browser } from '../web-browser.js';

describe('the terminal page for assistive technology', () => {
  let board: Carrier;
  let browser: Browser;

  before(async () => {
    board = await startCarrier({ yaml: 'board: { name: "Night Owl BBS" }\nlimits: { maxPerIp: 1 }', logLevel: 'info' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await board?.stop();
  });

  it('names the terminal after the board, and has the status region in place before any message', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`http://127.0.0.1:${board.ports.web}/`);
      await waitScreen(page, /login:/, 20_000);
      assert.equal(await page.title(), 'Night Owl BBS');
      const tree = await page.locator('body').ariaSnapshot();
      assert.match(tree, /^- main "Night Owl BBS terminal":$/m, tree);
      assert.match(tree, /^ {2}- textbox "Terminal input"$/m, tree);
      assert.match(tree, /^- status$/m, `an empty live region waits for messages:\n${tree}`);
    } finally {
      await page.close();
    }
  });

  it('without JavaScript (a text browser, a script blocker) says what the page needs instead of showing nothing', async () => {
    const page = await browser.context.newPage();
    try {
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
      await page.goto(`http://127.0.0.1:${board.ports.web}/`);
      const text = await page.locator('body').innerText();
      assert.match(text, /Night Owl BBS's terminal needs JavaScript/, `the page says so:\n${text}`);
      assert.ok(await page.getByText(/needs JavaScript/).isVisible());
    } finally {
      await page.close();
    }
  });

  it('a second tab over the per-address cap hears the board\'s reason in that region', async () => {
    const first = await browser.context.newPage();
    const second = await browser.context.newPage();
    try {
      await first.goto(`http://127.0.0.1:${board.ports.web}/`);
      await waitScreen(first, /login:/, 20_000);
      await second.goto(`http://127.0.0.1:${board.ports.web}/`);
      await second.getByRole('status').filter({ hasText: /too many connections from your address/ }).waitFor({ timeout: 15_000 });
      const tree = await second.locator('body').ariaSnapshot();
      assert.match(tree, /^- status: "disconnected \(carrier: too many connections from your address\. Please call again later\.\), press a key to reconnect"$/m, tree);
      assert.equal(await first.getByRole('status').isVisible(), false, 'the first tab, connected, shows no status box');
    } finally {
      await second.close();
      await first.close();
    }
  });
});

describe('the terminal page when the board cannot be reached', () => {
  let board: Carrier;
  let browser: Browser;

  before(async () => {
    board = await startCarrier({ logLevel: 'info' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await board?.stop();
  });

  it('says the line dropped once, and that the board cannot be reached when a new connection never opens', async () => {
    const page = await browser.context.newPage();
    await page.goto(`http://127.0.0.1:${board.ports.web}/`);
    await waitScreen(page, /login:/, 20_000);
    await board.stop();
    const status = page.getByRole('status');
    await status.filter({ hasText: /^disconnected/ }).waitFor({ timeout: 15_000 });
    // The key reconnects; the board is gone, so that connection never opens.
    await page.keyboard.press('Enter');
    await status.filter({ hasText: /cannot reach the board/ }).waitFor({ timeout: 15_000 });
    assert.match((await status.textContent()) ?? '', /^cannot reach the board, press a key to try again$/);
    await waitScreen(page, /cannot reach the board, press a key to try again/);
  });
});
