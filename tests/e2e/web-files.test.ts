// A browser caller in the file area. A browser cannot speak ZMODEM: `D` and `U` start a
// transfer the page cannot answer, and the caller sat in front of the raw ZMODEM header
// while the board waited out its retries (about a minute). The page now recognises the
// header, as a terminal program does, cancels the transfer at once (ZMODEM's five Ctrl-X)
// and says what to use instead; the board says `Transfer cancelled.` and the menu is back.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startCarrier, type Carrier } from '../harness.js';
import { launchBrowser, screenText, waitScreen, webLogin, type Browser } from '../web-browser.js';

const PW = 'files-in-a-browser-7';

describe('the file area in a browser', () => {
  let board: Carrier;
  let browser: Browser;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carrier-web-files-'));
    await mkdir(join(dir, 'general'));
    await writeFile(join(dir, 'general', 'readme.txt'), 'a file for the browser\n');
    await writeFile(
      join(dir, 'files.yaml'),
      [
        `quarantine: ${JSON.stringify(join(dir, 'quarantine'))}`,
        'areas:',
        `  - { tag: general, name: General, folder: ${JSON.stringify(join(dir, 'general'))}, list: 10 }`,
      ].join('\n'),
    );
    board = await startCarrier({ ssh: true, yaml: `files: { file: ${JSON.stringify(join(dir, 'files.yaml'))} }`, logLevel: 'info' });
    await board.waitForLog((l) => l['event'] === 'files.scanned' && l['area'] === 'general', 30_000);
    await board.addUser('alice', PW);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await board?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A new tab, logged in, in the file area. */
  async function atFiles(): Promise<Page> {
    const page = await browser.context.newPage();
    await webLogin(page, board.ports.web!, 'alice', PW);
    await page.keyboard.type('f');
    await waitScreen(page, /File area: General/);
    return page;
  }

  it('D: the page cancels the ZMODEM download at once and points to W; the menu comes back', async () => {
    const page = await atFiles();
    try {
      await page.keyboard.type('d');
      await waitScreen(page, /to download from this area:/);
      const mark = board.logs.length;
      await page.keyboard.type('readme.txt');
      await page.keyboard.press('Enter');
      const screen = await waitScreen(page, /cannot receive files by ZMODEM[\s\S]*Transfer cancelled\.[\s\S]*uit:\s*$/);
      assert.match(screen, /W gives a web download link/);
      assert.doesNotMatch(screen, /\*\*B0/, 'the raw ZMODEM header is not shown');
      assert.ok(!board.logs.slice(mark).some((l) => l['event'] === 'files.downloaded'), 'nothing was sent');
      // The menu takes keys again: W gives the link the note names.
      await page.keyboard.type('w');
      await waitScreen(page, /web download link:/);
      await page.keyboard.type('readme.txt');
      await page.keyboard.press('Enter');
      await waitScreen(page, /It works until/);
    } finally {
      await page.close();
    }
  });

  it('U: the page cancels the ZMODEM upload at once and says so; the menu comes back', async () => {
    const page = await atFiles();
    try {
      await page.keyboard.type('u');
      const screen = await waitScreen(page, /cannot send files by ZMODEM[\s\S]*uit:\s*$/);
      assert.doesNotMatch(screen, /\*\*B0/, 'the raw ZMODEM header is not shown');
      // SFTP is on (ssh is): the note says how to reach it, with the board's ssh port.
      assert.ok(screen.replace(/\n/g, '').includes(`or over SFTP (sftp -P ${board.ports.ssh} <handle>@127.0.0.1).`), screen);
      // One cancel, not one per header the board repeats: the menu takes the next key.
      await page.keyboard.type('l');
      await waitScreen(page, /readme\.txt/);
      assert.doesNotMatch(await screenText(page), /disconnected/);
    } finally {
      await page.close();
    }
  });
});
