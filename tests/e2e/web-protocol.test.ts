// The web front end's /ws against a running carrier, with a raw WebSocket client: the
// terminal the page states reaches the session (and a resize), an oversized frame, a
// foreign Origin, a sysop's ban applied at upgrade and to a caller already on, and a
// paste sent as thousands of one-key frames, past the key rate, saved whole.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@carrier/core';
import { eventually } from '@carrier/core/testing';
import { openStore } from '@carrier/store';
import { startCarrier, type Carrier } from '../harness.js';
import { WebCaller } from '../web-caller.js';

const PW = 'ws-proto-pass-3';

describe('the /ws protocol on a running board', () => {
  let board: Carrier;
  before(async () => {
    board = await startCarrier({ logLevel: 'debug', web: 'allowedOrigins: [https://bbs.example.org]', yaml: 'security: { banRefresh: 200ms }' });
    await board.addUser('carol', PW);
  });
  after(async () => {
    await board.stop();
  });

  /** carol, logged in, at the main menu. */
  async function logIn(c: WebCaller): Promise<WebCaller> {
    await c.readUntil('login:', { timeout: 20_000 });
    c.line('carol');
    await c.readUntil('password:');
    c.line(PW);
    await c.readUntil('Command:', { timeout: 20_000 });
    return c;
  }

  it('logs in at the size the page stated, and a resize reaches the session', async () => {
    const c = await logIn(await WebCaller.connect({ port: board.ports.web!, localAddress: '127.0.0.2', query: { term: 'xterm-256color', encoding: 'utf8', cols: '100', rows: '40' } }));
    const ready = await board.waitForLog((l) => l['event'] === 'websocket.ready' && l['remote'] === '127.0.0.2');
    assert.equal(ready['cols'], 100);
    assert.equal(ready['rows'], 40);
    // who's online lists the caller with the terminal the page named
    const mark = c.text().length;
    c.type('w');
    await c.readUntil(/carol +websoc/, { from: mark });
    c.type(' ');
    await c.readUntil('Command:', { from: mark });
    // A resize reaches the connection the session listens to.
    c.control({ type: 'resize', cols: 60, rows: 20 });
    const resized = await board.waitForLog((l) => l['event'] === 'websocket.resize' && l['conn'] === ready['conn']);
    assert.equal(resized['cols'], 60);
    assert.equal(resized['rows'], 20);
    c.close();
    await c.waitClosed();
  });

  it("a browser caller's protocol, 'websocket', keeps its column apart in last callers and `carrier who`", async () => {
    const c = await logIn(await WebCaller.connect({ port: board.ports.web!, localAddress: '127.0.0.5' }));
    const mark = c.text().length;
    c.type('l');
    await c.readUntil(/carol +websocket +\d{4}-\d\d-\d\d \d\d:\d\d +online/, { from: mark });
    const who = await board.cli(['who']);
    assert.equal(who.code, 0, who.stderr);
    assert.match(who.stdout, /^\d+ +carol +websocket +\d+s +\d+[smh]\S* +127\.0\.0\.5 /m);
    c.close();
    await c.waitClosed();
  });

  it('a paste typed as 2,115 one-key frames, past the key rate, reaches the message editor whole: frames over the rate wait, none is dropped', async () => {
    const paste = `${Array.from({ length: 5 }, (_, i) => `Paragraph ${i}: ${Array.from({ length: 60 }, (_, j) => `word${j}`).join(' ')}`).join('\n')}\n`;
    const c = await logIn(await WebCaller.connect({ port: board.ports.web!, localAddress: '127.0.0.6' }));
    const mark = board.logs.length;
    c.type('m');
    await c.readUntil('Area: General');
    c.type('p');
    await c.readUntil('To:');
    c.type('\r');
    await c.readUntil('Subject:');
    c.line('Pasted over frames');
    await c.readUntil('Ctrl-Z save');
    // One frame per key, as a script or a slow paste would send them, then Ctrl-Z to save.
    for (const ch of paste) c.type(ch);
    c.type('\x1a');
    const at = await c.readUntil(/Message #\d+ posted in General/, { timeout: 90_000 });
    const id = Number(/Message #(\d+) posted in General/.exec(c.text().slice(0, at))![1]);
    const store = await openStore({ dataDir: board.dataDir, log: silentLogger });
    try {
      const words = (t: string): string => t.replace(/\s+/g, ' ').trim();
      assert.equal(words((await store.messages.get(id))!.body), words(paste));
    } finally {
      await store.close();
    }
    const lines = board.logs.slice(mark);
    assert.ok(lines.some((l) => l['event'] === 'websocket.frames_held'), 'frames waited behind the rate');
    for (const event of ['websocket.frame_backlog_full', 'input.flood_dropped']) assert.ok(!lines.some((l) => l['event'] === event), `no ${event}`);
    c.close();
    await c.waitClosed();
  });

  it('closes on a frame over 64 KiB with 1009', async () => {
    const c = await WebCaller.connect({ port: board.ports.web!, localAddress: '127.0.0.3' });
    await c.readUntil('login:', { timeout: 20_000 });
    c.ws.send(Buffer.alloc(100 * 1024, 0x61));
    await c.waitClosed();
    assert.equal(c.closeCode, 1009);
    await board.waitForLog((l) => l['event'] === 'websocket.oversized_frame');
  });

  it('refuses a foreign Origin with 403, and lets a listed one in', async () => {
    await assert.rejects(WebCaller.connect({ port: board.ports.web!, headers: { origin: 'https://evil.example.com' } }), /HTTP 403/);
    await board.waitForLog((l) => l['event'] === 'websocket.origin_refused');
    const ok = await WebCaller.connect({ port: board.ports.web!, headers: { origin: 'https://bbs.example.org' } });
    await ok.readUntil('login:', { timeout: 20_000 });
    ok.close();
  });

  it('applies a sysop\'s ban at upgrade, and to a caller already on', async () => {
    const on = await WebCaller.connect({ port: board.ports.web!, localAddress: '127.0.0.44' });
    await on.readUntil('login:', { timeout: 20_000 });
    const add = await board.cli(['ban', 'add', '127.0.0.44', '--for', '1h', '--reason', 'test ban']);
    assert.equal(add.code, 0, add.stderr);
    await on.readUntil('This address is banned.', { timeout: 10_000 });
    await on.waitClosed(10_000);
    await eventually(
      async () => {
        try {
          const c = await WebCaller.connect({ port: board.ports.web!, localAddress: '127.0.0.44' });
          c.close();
          return false;
        } catch {
          return true;
        }
      },
      'the ban to refuse new upgrades',
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    const other = await WebCaller.connect({ port: board.ports.web!, localAddress: '127.0.0.45' });
    await other.readUntil('login:', { timeout: 20_000 });
    other.close();
  });
});
