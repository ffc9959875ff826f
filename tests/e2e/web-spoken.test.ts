// The page's text for screen readers (packages/web/assets/spoken.js) in a real browser:
// headless Chromium reads the log region a screen reader would announce while a caller
// logs in and chats with a telnet caller.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import type { Page } from 'playwright-core';
import { startCarrier, type Carrier } from '../harness.js';
import { launchBrowser, waitScreen, type Browser } from '../web-browser.js';
import { enterChat, say, TelnetCaller } from './social-callers.js';

const PW = 'spoken-pass-4';

/** The paragraphs in the log region now, oldest first. */
async function spoken(page: Page): Promise<string[]> {
  return page.evaluate<string[]>("Array.from(document.querySelectorAll('#spoken > p')).map((p) => p.textContent || '')");
}

/** Every paragraph ever added to the region, also those it has since let go (a screen reader heard them all). */
async function heard(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('window.__heard');
}

const RECORD_HEARD = `
  window.__heard = [];
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) window.__heard.push(n.textContent || '');
  }).observe(document.getElementById('spoken'), { childList: true });
`;

async function waitSpoken(page: Page, pattern: RegExp): Promise<string[]> {
  let said: string[] = [];
  await eventually(
    async () => (said = await spoken(page)).some((p) => pattern.test(p)),
    () => `the log region to say ${pattern}; it holds:\n${said.join('\n---\n')}`,
    { timeoutMs: 15_000, intervalMs: 50 },
  );
  return said;
}

describe('the page as a screen reader reads it', () => {
  let board: Carrier;
  let browser: Browser;
  let bob: TelnetCaller | undefined;

  before(async () => {
    board = await startCarrier({ logLevel: 'info' });
    await board.addUser('alice', PW);
    await board.addUser('bob', PW);
    browser = await launchBrowser();
  });
  after(async () => {
    bob?.hangup();
    await browser?.close();
    await board?.stop();
  });

  it('reads each new screen and each new chat line once, leaves out the art and the echo of typing', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`http://127.0.0.1:${board.ports.web}/`);
      assert.equal(await page.getAttribute('#spoken', 'role'), 'log');
      await waitScreen(page, /login:/, 20_000);
      let said = await waitSpoken(page, /login:/);
      assert.ok(!said.join('\n').match(/[\u2500-\u25ff]/), `no box drawing or shades are read:\n${said.join('\n')}`);

      // Typed slowly: the board echoes each key on the prompt's row; none of it is read.
      await page.keyboard.type('alice', { delay: 120 });
      await waitScreen(page, /login: alice/);
      await new Promise((r) => setTimeout(r, 400));
      said = await spoken(page);
      assert.ok(!said.some((p) => /login: (a|al|ali|alic)$/m.test(p)), `the echo is not read:\n${said.join('\n---\n')}`);
      await page.keyboard.press('Enter');
      await waitSpoken(page, /password:/);
      await page.keyboard.type(PW);
      await page.keyboard.press('Enter');
      await waitScreen(page, /Command:/, 20_000);
      said = await waitSpoken(page, /Command:/);
      assert.ok(!said.join('\n').includes(PW), 'the password is never read');

      // Chat: bob's lines are read as they come, each once, also after the room has scrolled.
      bob = await TelnetCaller.login(board.ports.telnet!, 'bob', PW);
      await enterChat(bob);
      await page.keyboard.type('c');
      await waitScreen(page, /You are in #lobby/);
      await waitSpoken(page, /You are in #lobby/);
      await page.evaluate(RECORD_HEARD);
      // More lines than the room's rows, so it scrolls; paced under chat's flood limit (2 a second).
      const lines = 24;
      for (let i = 1; i <= lines; i++) {
        say(bob, `line number ${i} from bob`);
        await waitScreen(page, new RegExp(`<bob> line number ${i} from bob`));
        await new Promise((r) => setTimeout(r, 500));
      }
      said = await waitSpoken(page, new RegExp(`line number ${lines} from bob`));
      const all = (await heard(page)).join('\n');
      for (const i of [1, 2, 12, 23, 24]) {
        const times = all.split('\n').filter((l) => l.includes(`line number ${i} from bob`)).length;
        assert.equal(times, 1, `line ${i} read ${times} times:\n${all}`);
      }
      assert.ok(said.length <= 30, `the region keeps at most 30 paragraphs (${said.length})`);
    } finally {
      await page.close();
    }
  });
});
