// Download links over HTTP: a telnet caller in the file area asks for a link (W), a real
// HTTP GET on the web port fetches the bytes; a tampered link, an expired one (signed here
// with the board's own secret, so only the expiry is wrong) and a link of a locked account
// are refused with a short body and one log line each.
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TelnetClient } from '@carrier/client';
import { startCarrier, type Carrier } from '../harness.js';
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
      ].join('\n'),
    );
    board = await startCarrier({ yaml: `files: { file: ${JSON.stringify(join(dir, 'files.yaml'))} }`, logLevel: 'info' });
    await board.waitForLog((l) => l.event === 'files.scanned' && l.area === 'general', 30_000);
    await board.waitForLog((l) => l.event === 'files.scanned' && l.area === 'secret', 30_000);
    await board.addUser('alice', 'correct horse battery');
    await board.addUser('bob', 'correct horse battery');
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
    const m = /(http:\/\/127\.0\.0\.1:\d+\/dl\/\S+)/.exec(text);
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
    await c.close();
  });

  it('a tampered link is 403 and an expired one 410, each with a short body and one log line', async () => {
    const c = await caller('bob');
    const url = urlIn(await askLink(c, 'noise file.bin'));
    await c.close();
    const token = /\/dl\/([^/]+)\//.exec(url)![1]!;
    const [payload, mac] = token.split('.') as [string, string];

    // Another file named in the payload, the old signature kept.
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), a: 'secret', n: 'plans.txt' })).toString('base64url');
    const before403 = board.logs.filter((l) => l.event === 'files.link_refused').length;
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
