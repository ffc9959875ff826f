import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { Admission, createMemoryLogger, DEFAULT_LIMITS, type Connection } from '@carrier/core';
import { delay, eventually } from '@carrier/core/testing';
import { WebServer, type WebServerOptions } from './web-server.js';
import type { WebConnection } from './web-connection.js';
import { ForwardedResolver } from './forwarded.js';

type Log = ReturnType<typeof createMemoryLogger>;

const servers: WebServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function start(extra: Partial<WebServerOptions> = {}): Promise<{ server: WebServer; port: number; log: Log; conns: Connection[] }> {
  const log = createMemoryLogger();
  const server = new WebServer({
    host: '127.0.0.1',
    port: 0,
    limits: DEFAULT_LIMITS,
    log,
    title: 'Test <Board>',
    frameRate: { perSecond: 100, burst: 1000 },
    ...extra,
  });
  servers.push(server);
  const conns: Connection[] = [];
  // The smallest engine: greet, echo input, report resizes.
  server.on('connection', (c: Connection) => {
    conns.push(c);
    c.write(`hello ${c.terminal.cols}x${c.terminal.rows} ${c.terminal.type} ${c.terminal.encoding}\r\n`);
    c.on('data', (d) => c.writeBytes(d));
    c.on('resize', (cols, rows) => c.write(`resized ${cols}x${rows}\r\n`));
  });
  const { port } = await server.listen();
  return { server, port, log, conns };
}

interface Caller {
  ws: WebSocket;
  out(): string;
  until(text: string, timeoutMs?: number): Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
}

function open(port: number, opts: { query?: string; headers?: Record<string, string>; localAddress?: string } = {}): Promise<Caller> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws${opts.query ?? '?cols=100&rows=30&term=xterm-256color&encoding=utf8'}`, {
    headers: opts.headers ?? {},
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    maxPayload: 1 << 24,
  });
  let buf = Buffer.alloc(0);
  const waiters = new Set<() => void>();
  ws.on('message', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (const w of waiters) w();
  });
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
  const caller: Caller = {
    ws,
    out: () => buf.toString('utf8'),
    closed,
    until: (text, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (buf.toString('utf8').includes(text)) {
            waiters.delete(check);
            clearTimeout(t);
            resolve();
          }
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${JSON.stringify(text)}; got ${JSON.stringify(buf.toString('utf8'))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(caller));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('the web front end', () => {
  it('serves the page with a strict CSP, no cookies, and the board name as title', async () => {
    const { port } = await start();
    const r = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(r.status, 200);
    const body = await r.text();
    assert.match(body, /<title>Test &#60;Board&#62;<\/title>/);
    const policy = r.headers.get('content-security-policy') ?? '';
    assert.match(policy, /default-src 'none'/);
    assert.match(policy, /script-src 'self'(;|$)/);
    assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|https?:/);
    assert.equal(r.headers.get('set-cookie'), null);
    const nonce = /name="carrier-nonce" content="([^"]+)"/.exec(body)?.[1];
    assert.ok(nonce && policy.includes(`'nonce-${nonce}'`), 'the page carries the nonce its CSP names');
    assert.doesNotMatch(body, /https?:\/\//, 'no third-party URL in the page');
    for (const a of ['/assets/xterm.js', '/assets/addon-fit.js', '/assets/addon-web-links.js', '/assets/early.js', '/assets/spoken.js', '/assets/page.js', '/assets/xterm.css', '/assets/page.css', '/assets/vga8.ttf']) {
      const res = await fetch(`http://127.0.0.1:${port}${a}`);
      assert.equal(res.status, 200, a);
      assert.ok((await res.arrayBuffer()).byteLength > 100, a);
    }
  });

  it('tells the page the ssh port for its upload note only when SFTP is on, as bound at the time', async () => {
    let sshPort: number | undefined;
    const { port } = await start({ sftpPort: () => sshPort });
    assert.doesNotMatch(await (await fetch(`http://127.0.0.1:${port}/`)).text(), /carrier-sftp-port/, 'ssh off (or not listening yet): no SFTP to name');
    sshPort = 2222;
    assert.match(await (await fetch(`http://127.0.0.1:${port}/`)).text(), /<meta name="carrier-sftp-port" content="2222">/);
    const { port: plain } = await start();
    assert.doesNotMatch(await (await fetch(`http://127.0.0.1:${plain}/`)).text(), /carrier-sftp-port/);
  });

  it('links each asset by a versioned URL that is cached immutable, and revalidates any other URL of it', async () => {
    const { port } = await start();
    const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    const linked = [...body.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
    assert.ok(linked.length >= 8, `the page links its assets: ${linked.join(' ')}`);
    for (const url of linked) {
      assert.match(url, /^\/assets\/[\w.-]+\?v=[\w-]+$/, `${url} names its version`);
      const r = await fetch(`http://127.0.0.1:${port}${url}`);
      assert.equal(r.status, 200, url);
      assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable', url);
      // The version is the ETag's content hash; a conditional request keeps the policy.
      const etag = r.headers.get('etag') ?? '';
      assert.equal(etag, `"${url.split('?v=')[1]}"`, url);
      const again = await fetch(`http://127.0.0.1:${port}${url}`, { headers: { 'if-none-match': etag } });
      assert.equal(again.status, 304, url);
      assert.equal(again.headers.get('cache-control'), 'public, max-age=31536000, immutable', url);
      const bare = url.split('?')[0] ?? '';
      for (const other of [bare, `${bare}?v=0000`]) {
        const o = await fetch(`http://127.0.0.1:${port}${other}`);
        assert.equal(o.status, 200, other);
        assert.equal(o.headers.get('cache-control'), 'no-cache', `${other} is revalidated`);
      }
    }
    // The stylesheet names the font by the URL the page preloads, so it is fetched once.
    const fontUrl = linked.find((u) => u.startsWith('/assets/vga8.ttf?v='));
    const cssUrl = linked.find((u) => u.startsWith('/assets/page.css?v='));
    assert.ok(fontUrl && cssUrl);
    const css = await (await fetch(`http://127.0.0.1:${port}${cssUrl}`)).text();
    assert.ok(css.includes(`url("${fontUrl}")`), 'page.css names the preloaded font URL');
  });

  it("serves a sysop's CSS as it is at its first request, gzipped when asked, and keeps that copy", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carrier-css-'));
    try {
      const path = join(dir, 'custom.css');
      const first = `body { color: #0f0; }\n/* ${'padding '.repeat(200)} */\n`;
      writeFileSync(path, first);
      const { port } = await start({ customCss: path });
      const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      const url = /href="(\/assets\/custom\.css\?v=[\w-]+)"/.exec(page)?.[1];
      assert.ok(url, 'the page links the custom CSS by its version');
      // Edited after start-up and before anyone asked: the edit is served, under its own
      // ETag, and the start-up version's URL is no longer cached for good.
      const edited = first.replace('#0f0', '#ff0');
      writeFileSync(path, edited);
      const r = await fetch(`http://127.0.0.1:${port}${url}`, { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-encoding'), 'gzip');
      assert.equal(await r.text(), edited);
      assert.equal(r.headers.get('cache-control'), 'no-cache');
      assert.notEqual(r.headers.get('etag'), `"${url.split('?v=')[1]}"`);
      // Read once: a later edit waits for the next start.
      writeFileSync(path, first.replace('#0f0', '#f00'));
      const plain = await fetch(`http://127.0.0.1:${port}/assets/custom.css`, { headers: { 'accept-encoding': 'identity' } });
      assert.equal(plain.headers.get('content-encoding'), null);
      assert.equal(await plain.text(), edited);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers a path outside the assets with 404 and one log line, never reading the filesystem', async () => {
    const { port, log } = await start();
    for (const p of ['/assets/../package.json', '/etc/passwd', '/assets/%2e%2e/%2e%2e/package.json', '/assets/fonts/Px_IBM_VGA8.ttf']) {
      const r = await fetch(`http://127.0.0.1:${port}${p}`);
      assert.equal(r.status, 404, p);
    }
    // fetch() normalizes `..`; a raw request keeps it
    const raw = await rawHttp(port, 'GET /assets/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(raw, /^HTTP\/1\.1 404/);
    assert.ok(log.lines.filter((l) => l['event'] === 'web.not_found').length >= 4);
  });

  it('hands the engine one websocket Connection with the page\'s terminal, and resizes reach it', async () => {
    const { port, conns } = await start();
    const c = await open(port, { headers: { origin: `http://127.0.0.1:${port}` } });
    await c.until('hello 100x30 xterm-256color utf8');
    assert.equal(conns.length, 1);
    assert.equal(conns[0]!.terminal.protocol, 'websocket');
    assert.equal(conns[0]!.terminal.sizeSource, 'pty');
    c.ws.send(Buffer.from('abc'));
    await c.until('abc');
    // a storm of resizes: the session sees the last, not one per message
    for (let i = 0; i < 50; i++) c.ws.send(JSON.stringify({ type: 'resize', cols: 60 + i, rows: 20 }));
    await c.until('resized 109x20');
    const resizes = (c.out().match(/resized/g) ?? []).length;
    assert.ok(resizes <= 5, `resizes coalesced (${resizes})`);
    c.ws.close();
    await c.closed;
  });

  it('takes the terminal from a hello message when the query string has none, and closes a page that never says it', async () => {
    // The page that says hello has the default 10 s to say it (at 300 ms a loaded machine's
    // pause could beat it); the silent one a server of its own with a short wait.
    const { port } = await start();
    const c = await open(port, { query: '' });
    c.ws.send(JSON.stringify({ type: 'hello', cols: 132, rows: 40, term: 'xterm', encoding: 'utf8' }));
    await c.until('hello 132x40 xterm utf8');
    c.ws.close();
    const { port: shortPort, log } = await start({ helloTimeoutMs: 300 });
    const silent = await open(shortPort, { query: '' });
    const { code, reason } = await silent.closed;
    assert.equal(code, 1000);
    assert.match(reason, /no terminal hello/);
    assert.ok(log.lines.some((l) => l['event'] === 'websocket.hello_timeout'));
  });

  it('closes on an oversized frame before buffering it (1009), with one log line', async () => {
    const { port, log } = await start();
    const c = await open(port);
    await c.until('hello');
    c.ws.send(Buffer.alloc(200 * 1024, 0x41));
    const { code } = await c.closed;
    assert.equal(code, 1009);
    await eventually(() => log.lines.some((l) => l['event'] === 'websocket.oversized_frame'), 'the log line', { timeoutMs: 10_000 });
  });

  it('cuts off a ping flood with the reason and one log line, not as a caller who hung up', async () => {
    const { port, log, conns } = await start();
    const c = await open(port);
    await c.until('hello');
    let why = '';
    conns[0]!.once('close', (r: string) => (why = r));
    // 100 masked pings in one write: more unanswered at once than ws answers (60), so ws
    // cuts the socket itself.
    const ping = Buffer.concat([Buffer.from([0x89, 0x80 | 4]), Buffer.alloc(4), Buffer.from('ping')]);
    (c.ws as unknown as { _socket: net.Socket })._socket.write(Buffer.concat(Array<Buffer>(100).fill(ping)));
    await c.closed;
    await eventually(() => why !== '', 'the connection to close', { timeoutMs: 10_000 });
    assert.equal(why, 'ping flood');
    assert.equal(log.lines.filter((l) => l['event'] === 'websocket.ping_flood').length, 1);
  });

  it('closes on garbage: a text frame that is not a control message, and invalid UTF-8', async () => {
    const { port, log } = await start();
    const c = await open(port);
    await c.until('hello');
    c.ws.send('\u0000\u0001 not json at all');
    const first = await c.closed;
    assert.equal(first.code, 1000);
    assert.match(first.reason, /bad control message/);
    assert.ok(log.lines.some((l) => l['event'] === 'websocket.bad_message'));
    // invalid UTF-8 in a text frame: ws answers 1007
    const d = await open(port);
    await d.until('hello');
    const socket = (d.ws as unknown as { _socket: net.Socket })._socket;
    const payload = Buffer.from([0xc3, 0x28, 0xff, 0xfe]);
    const mask = Buffer.from([1, 2, 3, 4]);
    const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
    socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
    const second = await d.closed;
    assert.equal(second.code, 1007);
    await eventually(() => log.lines.some((l) => l['event'] === 'websocket.bad_frame'), 'the bad-frame log line', { timeoutMs: 10_000 });
  });

  it('holds frames past the key rate and passes them on in order: 3,000 one-byte frames sent at once all arrive', async () => {
    const { port, log, conns } = await start();
    const c = await open(port);
    await c.until('hello');
    let received = '';
    conns[0]!.on('data', (d: Buffer) => (received += d.toString('latin1')));
    // 3,000 frames against a burst of 1,000: the rest wait behind the rate, none is dropped.
    const sent = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(0x21 + (i % 90))).join('');
    for (const ch of sent) c.ws.send(Buffer.from(ch, 'latin1'));
    await eventually(() => received.length >= sent.length, () => `all 3,000 bytes reach the session (${received.length} so far)`, { timeoutMs: 30_000 });
    assert.equal(received, sent, 'every byte, in the order sent');
    assert.ok((conns[0] as WebConnection).framesHeld > 0, 'some frames waited behind the rate');
    assert.equal(log.lines.filter((l) => l['event'] === 'websocket.frames_held').length, 1);
    assert.equal(log.lines.filter((l) => l['event'] === 'websocket.frame_backlog_full').length, 0);
    assert.equal(conns[0]!.closed, false);
    c.ws.close();
    await c.closed;
  });

  it('cuts off a caller whose frames past the rate overrun the backlog, with the reason and one log line', async () => {
    const { port, log, conns } = await start({ frameRate: { perSecond: 10, burst: 20 }, frameBacklog: { frames: 100, bytes: 64 * 1024 } });
    const c = await open(port);
    await c.until('hello');
    let received = 0;
    conns[0]!.on('data', (d: Buffer) => (received += d.length));
    // 500 frames in one socket write: they are read at once, before the pause can stop them.
    rawFrames(c.ws, Array.from({ length: 500 }, () => Buffer.from('x')));
    const { code, reason } = await Promise.race([c.closed, delay(15_000).then(() => assert.fail('the flooder is still connected after 15 s'))]);
    assert.equal(code, 1000);
    assert.match(reason, /input flood/);
    await eventually(() => log.lines.some((l) => l['event'] === 'websocket.frame_backlog_full'), 'the log line', { timeoutMs: 10_000 });
    assert.equal(log.lines.filter((l) => l['event'] === 'websocket.frame_backlog_full').length, 1);
    assert.ok(received <= 20, `only the burst reached the session (${received})`);
  });

  it('a resize behind keys waiting on the key rate reaches the session before them', async () => {
    const { port, conns } = await start({ frameRate: { perSecond: 10, burst: 20 } });
    const c = await open(port);
    await c.until('hello');
    let received = 0;
    conns[0]!.on('data', (d: Buffer) => (received += d.length));
    const keysAtResize = new Promise<number>((resolve) => conns[0]!.on('resize', () => resolve(received)));
    // A paste of 100 one-key frames, then a resize, in one socket write: 80 keys wait.
    rawFrames(c.ws, [...Array.from({ length: 100 }, () => Buffer.from('x')), JSON.stringify({ type: 'resize', cols: 90, rows: 33 })]);
    assert.equal(await keysAtResize, 20, 'only the burst had arrived: the resize did not queue behind the paste');
    await eventually(() => received === 100, () => `the paste arrives whole (${received} so far)`);
    c.ws.close();
    await c.closed;
  });

  it('leaves nothing holding a web connection once the caller has answered its close', async () => {
    const gc = fullCollection();
    const { port, conns } = await start();
    const c = await open(port);
    await c.until('hello');
    const conn = new WeakRef(conns[0]!);
    const socket = new WeakRef((conns[0] as unknown as { ws: WebSocket }).ws);
    conns[0]!.close('Goodbye');
    conns.length = 0;
    const { code, reason } = await c.closed;
    assert.deepEqual([code, reason], [1000, 'Goodbye']);
    // The server's side has seen the close too ('close' has run: ws sets CLOSED just before).
    await eventually(() => socket.deref()?.readyState !== WebSocket.OPEN && socket.deref()?.readyState !== WebSocket.CLOSING, 'the server socket closed', { timeoutMs: 10_000, intervalMs: 5 });
    // The close handshake is done on both sides; a timer still pending (the 2 s grace to cut
    // a peer that never answers) would keep the socket and, through it, the connection.
    let collected = false;
    for (let i = 0; i < 5 && !collected; i++) {
      await new Promise((r) => setImmediate(r));
      gc();
      await new Promise((r) => setImmediate(r));
      collected = conn.deref() === undefined;
    }
    assert.ok(collected, 'the closed connection was collected');
  });

  it('refuses an upgrade from a foreign Origin unless it is allowed', async () => {
    const { port, log } = await start({ allowedOrigins: ['https://bbs.example.org'] });
    await assert.rejects(open(port, { headers: { origin: 'https://evil.example.com' } }), /HTTP 403/);
    assert.ok(log.lines.some((l) => l['event'] === 'websocket.origin_refused'));
    const ok = await open(port, { headers: { origin: 'https://bbs.example.org' } });
    await ok.until('hello');
    ok.ws.close();
  });

  it('applies the ban gate at upgrade, and a new ban closes a caller already on', async () => {
    const admission = new Admission({ maxConnections: 100, maxPerIp: 10, maxPerSubnet: 100 });
    const { server, port, conns } = await start({ admission });
    const banned = new Set<string>();
    server.setGate((addr) => (banned.has(addr) ? { allow: false, reason: 'banned', quiet: true } : { allow: true }));
    const c = await open(port, { localAddress: '127.0.0.3' });
    await c.until('hello');
    banned.add('127.0.0.2');
    await assert.rejects(open(port, { localAddress: '127.0.0.2' }));
    // a ban made now reaches the caller already on
    let why = '';
    conns[0]!.once('close', (r) => (why = r));
    assert.equal(admission.disconnectWhere((a) => a === '127.0.0.3', 'banned by the sysop'), 1);
    await c.closed;
    assert.equal(why, 'banned by the sysop');
  });

  it('counts callers in Admission: a per-address cap closes the extra one with the reason', async () => {
    const admission = new Admission({ maxConnections: 100, maxPerIp: 2, maxPerSubnet: 100 });
    const { port } = await start({ admission });
    const a = await open(port, { localAddress: '127.0.0.4' });
    const b = await open(port, { localAddress: '127.0.0.4' });
    await a.until('hello');
    await b.until('hello');
    assert.equal(admission.openFrom('127.0.0.4'), 2);
    const c = await open(port, { localAddress: '127.0.0.4' });
    const { code, reason } = await c.closed;
    assert.equal(code, 1013);
    assert.match(reason, /too many connections from your address/);
    a.ws.close();
    b.ws.close();
    await eventually(() => admission.openFrom('127.0.0.4') === 0, 'tickets released', { timeoutMs: 10_000 });
  });

  it('believes X-Forwarded-For only from a trusted proxy', async () => {
    const admission = new Admission({ maxConnections: 100, maxPerIp: 10, maxPerSubnet: 100 });
    const { port, conns } = await start({ admission, trustedProxies: ['127.0.0.5'] });
    const viaProxy = await open(port, { localAddress: '127.0.0.5', headers: { 'x-forwarded-for': '198.51.100.7, 127.0.0.5' } });
    await viaProxy.until('hello');
    assert.equal(conns.at(-1)!.remoteAddress, '198.51.100.7');
    const forged = await open(port, { localAddress: '127.0.0.6', headers: { 'x-forwarded-for': '198.51.100.8' } });
    await forged.until('hello');
    assert.equal(conns.at(-1)!.remoteAddress, '127.0.0.6');
    viaProxy.ws.close();
    forged.ws.close();
    const r = new ForwardedResolver(['10.0.0.0/8']);
    assert.equal(r.resolve('10.1.1.1', '203.0.113.9, 10.2.2.2'), '203.0.113.9');
    assert.equal(r.resolve('10.1.1.1', 'garbage'), '10.1.1.1');
    assert.equal(r.resolve('192.0.2.1', '203.0.113.9'), '192.0.2.1');
  });

  it('cuts off an HTTP slowloris and an upgrade whose headers never finish', async () => {
    const { port, log } = await start({ headersTimeoutMs: 500 });
    const started = Date.now();
    const answer = await rawHttp(port, 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nX-Slow: a', 20_000);
    assert.ok(Date.now() - started < 15_000, 'closed by the header timeout');
    assert.match(answer, /^(HTTP\/1\.1 408|$)/);
    await eventually(() => log.lines.some((l) => l['event'] === 'web.bad_request'), 'the log line', { timeoutMs: 10_000 });
  });

  it('speaks HTTPS and WSS when given a certificate and key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carrier-web-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      const { port } = await start({ tls: { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) } });
      const page = await new Promise<string>((resolve, reject) => {
        https.get({ host: '127.0.0.1', port, path: '/', rejectUnauthorized: false }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve(body));
        }).on('error', reject);
      });
      assert.match(page, /<title>Test &#60;Board&#62;<\/title>/);
      const ws = new WebSocket(`wss://127.0.0.1:${port}/ws?cols=80&rows=25`, { rejectUnauthorized: false });
      const got = await new Promise<string>((resolve, reject) => {
        ws.on('message', (d: Buffer) => resolve(d.toString()));
        ws.on('error', reject);
      });
      assert.match(got, /hello 80x25/);
      ws.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves registered routes and refuses to let them take the page\'s paths', async () => {
    const { server, port } = await start();
    server.route('/files/', (_req, res, ctx) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`file ${ctx.path}`);
    });
    const r = await fetch(`http://127.0.0.1:${port}/files/abc`);
    assert.equal(await r.text(), 'file /files/abc');
    assert.throws(() => server.route('/assets/x', () => undefined));
    assert.throws(() => server.route('/ws', () => undefined));
  });
});

function rawHttp(port: number, request: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(t);
      resolve(out);
    });
    const t = setTimeout(() => s.destroy(), timeoutMs);
    s.write(request);
  });
}

/** Masked frames (binary; a string is a text frame) written to the client's socket in one write (one read for the server). */
function rawFrames(ws: WebSocket, payloads: Array<Buffer | string>): void {
  const socket = (ws as unknown as { _socket: net.Socket })._socket;
  const mask = Buffer.from([1, 2, 3, 4]);
  const frames = payloads.map((p) => {
    const body = typeof p === 'string' ? Buffer.from(p) : p;
    return Buffer.concat([Buffer.from([typeof p === 'string' ? 0x81 : 0x82, 0x80 | body.length]), mask, Buffer.from(body.map((b, i) => b ^ mask[i % 4]!))]);
  });
  socket.write(Buffer.concat(frames));
}

/** V8's full collection without --expose-gc (the flag applies to contexts made after it is set). */
function fullCollection(): () => void {
  setFlagsFromString('--expose-gc');
  return () => (runInNewContext('gc') as () => void)();
}
