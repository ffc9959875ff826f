// Download links over HTTP: a telnet caller in the file area asks for a link (W), a real
// HTTP GET on the web port fetches the bytes; a tampered link, an expired one (signed here
// with the board's own secret, so only the expiry is wrong) and a link of a locked account
// are refused with a short body and one log line each.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TelnetClient } from '@carrier/client';
import type { Page } from 'playwright-core';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { launchBrowser, waitScreen } from '../web-browser.js';
import { telnetToFiles } from './files-support.js';

const sha = (b: Buffer | Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('download links over HTTP', () => {
  let board: Carrier;
  let dir: string;
  const data = randomBytes(2 * 1024 * 1024 + 77);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carrier-links-'));
    await mkdir(join(dir, 'general'));
    await mkdir(join(dir, 'secret'));
    await mkdir(join(dir, 'docs'));
    await writeFile(join(dir, 'docs', 'notes (v2).txt'), 'notes for the browser\n');
    await writeFile(join(dir, 'general', 'noise file.bin'), data);
    await writeFile(join(dir, 'secret', 'plans.txt'), 'sysop only');
    await writeFile(
      join(dir, 'files.yaml'),
      [
        `quarantine: ${JSON.stringify(join(dir, 'quarantine'))}`,
        'linkMinutes: 30',
        'areas:',
        `  - { tag: general, name: General, folder: ${JSON.stringify(join(dir, 'general'))}, list: 10 }`,
        `  - { tag: secret, name: Secret, folder: ${JSON.stringify(join(dir, 'secret'))}, list: 10, download: sysop }`,
        `  - { tag: docs, name: Docs, folder: ${JSON.stringify(join(dir, 'docs'))}, list: 10 }`,
      ].join('\n'),
    );
    board = await startCarrier({ yaml: `files: { file: ${JSON.stringify(join(dir, 'files.yaml'))} }`, logLevel: 'info' });
    await board.waitForLog((l) => l.event === 'files.scanned' && l.area === 'general', 30_000);
    await board.waitForLog((l) => l.event === 'files.scanned' && l.area === 'secret', 30_000);
    await board.waitForLog((l) => l.event === 'files.scanned' && l.area === 'docs', 30_000);
    await board.addUser('alice', 'correct horse battery');
    await board.addUser('bob', 'correct horse battery');
    await board.addUser('carol', 'correct horse battery');
  });
  after(async () => {
    await board?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function caller(handle: string): Promise<TelnetClient> {
    return (await telnetToFiles({ port: board.ports.telnet!, timeout: 30_000, localAddress: '127.0.0.2', handle, password: 'correct horse battery' })).c;
  }

  /** Ask for a link to `name` in the current area; the URL, or the refusal text. */
  async function askLink(c: TelnetClient, name: string): Promise<string> {
    c.write('w');
    await c.readUntil('web download link: ');
    c.writeLine(name);
    return c.readUntil('uit: ');
  }

  const urlIn = (text: string): string => {
    const m = /(http:\/\/127\.0\.0\.1:\d+\/dl\/[^\s\x1b]+)/.exec(text);
    assert.ok(m, text);
    return m[1]!;
  };

  it('a caller gets a link that serves the file byte for byte over HTTP', async () => {
    const c = await caller('alice');
    const menu = await askLink(c, 'noise file.bin');
    const url = urlIn(menu);
    assert.ok(url.startsWith(`http://127.0.0.1:${board.ports.web}/dl/`));
    assert.match(menu, /It works until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    const created = await board.waitForLog((l) => l.event === 'files.link_created' && l.user === 'alice');
    const minutes = ((created.expiresAt as number) - Date.now()) / 60_000;
    assert.ok(minutes > 28 && minutes <= 30, `expires in ${minutes} minutes`);

    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(data.length));
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="noise file\.bin"/);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(sha(body), sha(data));
    const served = await board.waitForLog((l) => l.event === 'files.link_download' && l.user === 'alice');
    assert.equal(served.complete, true);
    assert.equal(served.bytes, data.length);
    // The download is counted in the listing.
    c.write('l');
    assert.match(await c.readUntil('uit: '), /noise file\.bin\s+2\.0M \d{4}-\d\d-\d\d\s+1 /);
    c.write('q');
    await c.readUntil('uit: ');
    // By the listing's number, as D and T take it: the area's one file is number 1.
    const byNumber = urlIn(await askLink(c, '1'));
    assert.match(byNumber, /\/noise%20file\.bin$|\/noise file\.bin$/, byNumber);
    await c.close();
  });

  it('a broken download resumes with Range (fetch and curl -C -), a link counts one download however often it is fetched, and a wrong name redirects', async () => {
    // bob: a link of alice's made in the same second as the first test's would be that very link, counted already.
    const c = await caller('bob');
    const url = urlIn(await askLink(c, 'noise file.bin'));
    await c.close();
    const token = /\/dl\/([^/]+)\//.exec(url)![1]!;
    /** The log line of the next fetch of this link that ends (the board logs when the response closes). */
    let seen = board.logs.length;
    const served = async (): Promise<Record<string, unknown>> => {
      const line = await board.waitForLog((l) => board.logs.indexOf(l) >= seen && l.event === 'files.link_download');
      seen = board.logs.indexOf(line) + 1;
      return line;
    };
    const counted = (): number => board.logs.filter((l) => l.event === 'files.downloaded' && l.via === 'web' && l.user === 'bob').length;
    const before = counted();

    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.headers.get('accept-ranges'), 'bytes');
    const etag = head.headers.get('etag');
    assert.ok(etag);

    // The first 100 bytes, as a download broken off early: 206, not counted.
    const first = await fetch(url, { headers: { range: 'bytes=0-99' } });
    assert.equal(first.status, 206);
    assert.equal(first.headers.get('content-range'), `bytes 0-99/${data.length}`);
    assert.equal(first.headers.get('content-length'), '100');
    const part = Buffer.from(await first.arrayBuffer());
    assert.deepEqual(part, data.subarray(0, 100));
    assert.equal((await served()).counted, false);

    // The rest, for the copy the browser started (If-Range): the whole file adds up, and it is counted once.
    const rest = await fetch(url, { headers: { range: 'bytes=100-', 'if-range': etag } });
    assert.equal(rest.status, 206);
    assert.equal(rest.headers.get('content-range'), `bytes 100-${data.length - 1}/${data.length}`);
    assert.equal(sha(Buffer.concat([part, Buffer.from(await rest.arrayBuffer())])), sha(data));
    const whole = await served();
    assert.equal(whole.counted, true, JSON.stringify(whole));
    await board.waitForLog(() => counted() === before + 1);

    // Fetched again, whole and by curl's resume: the bytes come, the count stays.
    const again = await fetch(url);
    assert.equal(again.status, 200);
    assert.equal(sha(Buffer.from(await again.arrayBuffer())), sha(data));
    assert.equal((await served()).counted, false);
    const out = join(dir, 'resumed.bin');
    await writeFile(out, data.subarray(0, 1024 * 1024));
    const curl = spawnSync('curl', ['-sS', '-f', '-C', '-', '-o', out, url], { encoding: 'utf8' });
    assert.equal(curl.status, 0, curl.stderr);
    assert.equal(sha(await readFile(out)), sha(data));
    const resumed = await served();
    assert.deepEqual([resumed.from, resumed.counted], [1024 * 1024, false]);
    assert.equal(counted(), before + 1);

    // A range past the end is 416; a stale If-Range gets the whole file.
    const past = await fetch(url, { headers: { range: `bytes=${data.length}-` } });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `bytes */${data.length}`);
    await past.text();
    const stale = await fetch(url, { headers: { range: 'bytes=0-9', 'if-range': '"older"' } });
    assert.equal(stale.status, 200);
    assert.equal(stale.headers.get('content-length'), String(data.length));
    await stale.arrayBuffer();
    await served();

    // Another name in the URL: redirected to the link's own.
    for (const tail of ['other.bin', 'noise%20file.bin/x', '%E0%A4%A']) {
      const wrong = await fetch(`http://127.0.0.1:${board.ports.web}/dl/${token}/${tail}`, { redirect: 'manual' });
      assert.equal(wrong.status, 308, tail);
      assert.equal(wrong.headers.get('location'), `/dl/${token}/noise%20file.bin`);
      await wrong.text();
    }
    assert.equal(counted(), before + 1);
  });

  it('a tampered link is 403 and an expired one 410, each with a short body and one log line', async () => {
    const c = await caller('bob');
    const url = urlIn(await askLink(c, 'noise file.bin'));
    await c.close();
    const token = /\/dl\/([^/]+)\//.exec(url)![1]!;
    const [payload, mac] = token.split('.') as [string, string];

    // Another file named in the payload, the old signature kept.
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), a: 'secret', n: 'plans.txt' })).toString('base64url');
    const before403 = board.logs.filter((l) => l.event === 'files.link_refused' && l.status === 403).length;
    for (const bad of [`${forged}.${mac}`, `${payload}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`, 'garbage', `${payload}.${'A'.repeat(43)}`]) {
      const res = await fetch(`http://127.0.0.1:${board.ports.web}/dl/${bad}/x`);
      assert.equal(res.status, 403, bad);
      const text = await res.text();
      assert.equal(text, 'this download link is not valid\n');
    }
    await board.waitForLog(() => board.logs.filter((l) => l.event === 'files.link_refused' && l.status === 403).length >= before403 + 4);

    // Signed with the board's own secret, so only the expiry is wrong.
    const secret = Buffer.from((await readFile(join(board.dataDir, 'download-links.key'), 'utf8')).trim(), 'hex');
    assert.equal((await stat(join(board.dataDir, 'download-links.key'))).mode & 0o777, 0o600);
    const p = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const sign = (body: string): string => createHmac('sha256', secret).update(`carrier-download-link-v1.${body}`).digest('base64url');
    const expired = Buffer.from(JSON.stringify({ ...p, x: Math.floor(Date.now() / 1000) - 5 })).toString('base64url');
    const res = await fetch(`http://127.0.0.1:${board.ports.web}/dl/${expired}.${sign(expired)}/noise%20file.bin`);
    assert.equal(res.status, 410);
    assert.match(await res.text(), /^this download link has expired/);
    const line = await board.waitForLog((l) => l.event === 'files.link_refused' && l.status === 410);
    assert.equal(line.reason, 'expired');
    assert.equal(line.remote, '127.0.0.1');

    // A properly signed link to a file bob may not download (the secret area) is still refused.
    const other = Buffer.from(JSON.stringify({ ...p, a: 'secret', n: 'plans.txt' })).toString('base64url');
    const denied = await fetch(`http://127.0.0.1:${board.ports.web}/dl/${other}.${sign(other)}/plans.txt`);
    assert.equal(denied.status, 403);
    assert.equal(await denied.text(), 'this download link is no longer valid\n');
  });

  it('a caller in a browser gets the link as one link over the rows it wraps to: hovering any row underlines all of it, a click opens it whole', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      const requested: string[] = [];
      browser.context.on('request', (r) => {
        if (r.url().includes('/dl/')) requested.push(r.url());
      });
      await page.goto(`http://127.0.0.1:${board.ports.web}/`);
      await waitScreen(page, /login:/, 20_000);
      await page.keyboard.type('carol');
      await page.keyboard.press('Enter');
      await waitScreen(page, /password:/);
      await page.keyboard.type('correct horse battery');
      await page.keyboard.press('Enter');
      await waitScreen(page, /Command:/, 20_000);
      await page.keyboard.type('f');
      await waitScreen(page, /File area: General/);
      await page.keyboard.type('j');
      await waitScreen(page, /Jump to which area/);
      await page.keyboard.type('docs');
      await page.keyboard.press('Enter');
      await waitScreen(page, /File area: Docs/);
      await page.keyboard.type('w');
      await waitScreen(page, /web download link:/);
      // A name with parentheses: where a terminal's URL detection would end the link.
      await page.keyboard.type('notes (v2).txt');
      await page.keyboard.press('Enter');
      const rows = (await waitScreen(page, /It works until/)).split('\n');

      // The URL wraps softly: no line break inside it, so its rows join into the whole URL.
      const first = rows.findIndex((r) => r.startsWith(`http://127.0.0.1:${board.ports.web}/dl/`));
      const after = rows.findIndex((r) => r.includes('It works until'));
      assert.ok(first >= 0 && after - first >= 2, `the link spans rows:\n${rows.join('\n')}`);
      const url = rows.slice(first, after).join('');
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/dl\/[\w.-]+\/notes%20%28v2%29\.txt$/, url);
      const res = await fetch(url, { method: 'HEAD' });
      assert.equal(res.status, 200, 'the printed URL is the link, whole');

      const box = (await page.locator('.xterm-screen').boundingBox())!;
      // The page's cells are 8x16 (the VGA font), scaled alike to fit the window.
      const cell = { w: box.height / rows.length / 2, h: box.height / rows.length };
      const at = (row: number, col: number): { x: number; y: number } => ({ x: box.x + (col + 0.5) * cell.w, y: box.y + (row + 0.5) * cell.h });
      for (const row of [after - 1, first]) {
        // Hover: the underline covers the link on every row it spans.
        const p = at(row, 2);
        await page.mouse.move(p.x, p.y);
        await eventually(async () => (await underlined(page)) === url, async () => `the underlined text to be the URL, not ${JSON.stringify(await underlined(page))}`, { timeoutMs: 10_000 });
        // Click: the browser opens the whole URL.
        const seen = requested.length;
        await page.mouse.click(p.x, p.y);
        await eventually(() => requested.length > seen, 'a request for the link', { timeoutMs: 15_000 });
        assert.equal(requested[seen], url);
        await page.mouse.move(box.x + 2, box.y + box.height - 2);
      }
    } finally {
      await browser.close();
    }
  });

  it('no link for a file the caller may not download; a locked account\'s links stop working', async () => {
    const c = await caller('bob');
    c.write('j');
    await c.readUntil('Jump to which area');
    c.writeLine('secret');
    await c.readUntil('uit: ');
    assert.match(await askLink(c, 'plans.txt'), /plans\.txt: your level may not download from Secret/);
    c.write('j');
    await c.readUntil('Jump to which area');
    c.writeLine('general');
    await c.readUntil('uit: ');
    assert.match(await askLink(c, 'nothere.zip'), /nothere\.zip: no such file/);
    const url = urlIn(await askLink(c, 'noise file.bin'));
    await c.close();
    assert.equal((await fetch(url, { method: 'HEAD' })).status, 200);
    const locked = await board.cli(['user', 'lock', 'bob']);
    assert.equal(locked.code, 0, locked.stderr);
    const res = await fetch(url);
    assert.equal(res.status, 403);
    assert.equal(await res.text(), 'this download link is no longer valid\n');
    await board.waitForLog((l) => l.event === 'files.link_refused' && l.reason === 'account locked');
  });
});

/** The text xterm.js underlines as the hovered link (DOM renderer: an inline style), row after row. */
function underlined(page: Page): Promise<string> {
  // A string, so this file type-checks without the DOM library.
  return page.evaluate<string>(
    "Array.from(document.querySelectorAll('.xterm-rows > div')).map((row) => Array.from(row.querySelectorAll('span')).filter((s) => s.style.textDecoration.includes('underline')).map((s) => s.textContent || '').join('')).join('')",
  );
}
