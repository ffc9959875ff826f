// Reconnecting from the page on a slow line: a window resized while the new connection
// is still opening. The page asked for its size in the URL when it began to connect; a
// resize meanwhile went nowhere (the socket was not open), so the board kept drawing for
// the old size. The page now tells the board its size once the socket opens, when it
// changed since it asked.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { launchBrowser, waitScreen, webLogin, type Browser } from '../web-browser.js';

const PW = 'reconnect-slowly-5';

describe('reconnecting from the page', () => {
  let board: Carrier;
  let browser: Browser;

  before(async () => {
    board = await startCarrier({ logLevel: 'debug' });
    await board.addUser('alice', PW);
    browser = await launchBrowser({ width: 800, height: 600 });
  });
  after(async () => {
    await browser?.close();
    await board?.stop();
  });

  it('a window resized while the new connection opens reaches the board once it is open', async () => {
    const page = await browser.context.newPage();
    try {
      await webLogin(page, board.ports.web!, 'alice', PW);
      await page.keyboard.type('g');
      await page.getByRole('status').filter({ hasText: /press a key to reconnect/ }).waitFor({ timeout: 15_000 });
      // A slow line: the next connection takes a while to open.
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 1500, downloadThroughput: -1, uploadThroughput: -1 });
      const mark = board.logs.length;
      await page.keyboard.press('Enter');
      await page.setViewportSize({ width: 1100, height: 700 });
      await waitScreen(page, /login:/, 30_000);

      // What the page shows: 8x16 cells at this window's scale (1).
      const shown = await page.evaluate<{ cols: number; rows: number }>(
        `(() => { const s = document.querySelector('.xterm-screen').getBoundingClientRect(); return { cols: Math.round(s.width / 8), rows: document.querySelectorAll('.xterm-rows > div').length }; })()`,
      );
      assert.ok(shown.cols > 100, `the wider window has more columns (${shown.cols})`);
      // What the board has for the new connection: its ready size, then any resize.
      let told = { cols: 0, rows: 0 };
      await eventually(
        () => {
          const ready = board.logs.slice(mark).find((l) => l['event'] === 'websocket.ready');
          if (!ready) return false;
          const sizes = board.logs.slice(mark).filter((l) => l['conn'] === ready['conn'] && (l['event'] === 'websocket.ready' || l['event'] === 'websocket.resize'));
          const last = sizes[sizes.length - 1]!;
          told = { cols: Number(last['cols']), rows: Number(last['rows']) };
          return told.cols === shown.cols && told.rows === shown.rows;
        },
        () => `the board to have the page's size ${shown.cols}x${shown.rows}, not ${told.cols}x${told.rows}`,
        { timeoutMs: 15_000, intervalMs: 100 },
      );
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    } finally {
      await page.close();
    }
  });
});
