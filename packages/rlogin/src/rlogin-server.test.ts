import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { once } from 'node:events';
import { createMemoryLogger, DEFAULT_LIMITS, type Connection } from '@carrier/core';
import { RloginConnection } from './rlogin-connection.js';
import { RloginServer, type RloginServerOptions } from './rlogin-server.js';
import { eventually } from '@carrier/core/testing';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

async function startServer(opts: Partial<RloginServerOptions> = {}) {
  const log = createMemoryLogger();
  const server = new RloginServer({ host: '127.0.0.1', port: 0, limits: DEFAULT_LIMITS, log, ...opts });
  const { port } = await server.listen();
  const connections: Connection[] = [];
  server.on('connection', (c: Connection) => connections.push(c));
  return { server, port, log, connections };
}

/** A raw TCP caller; `received` collects everything the server sends. */
async function dial(port: number, localAddress = '127.0.0.1') {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress });
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  const closed = once(socket, 'close');
  socket.on('error', () => {});
  return { socket, closed, received: () => Buffer.concat(chunks) };
}

describe('RloginServer', { timeout: 20_000 }, () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  // The default handshake deadline (10 s): a handshake sent at once is never beaten to it by a
  // loaded machine's pause (at 400 ms, SyncTERM's settle of half of it had 200 ms to spare).
  before(async () => {
    s = await startServer({ trusted: ['127.0.0.1'], synctermOrder: ['127.0.0.3'] });
  });
  after(() => s.server.close());

  it('answers the handshake with one NUL and hands over a trusted caller with an identity', async () => {
    const c = await dial(s.port);
    const before = s.connections.length;
    c.socket.write(bytes('\0root\0bob\0ansi/115200\0'));
    await eventually(() => s.connections.length > before, 'connection');
    const conn = s.connections.at(-1)!;
    await eventually(() => c.received().length > 0, 'NUL answer');
    assert.deepEqual(c.received(), Buffer.from([0]));
    assert.deepEqual(conn.identity, { user: 'bob', via: 'rlogin-trusted' });
    assert.equal(conn.loginHint, undefined);
    assert.equal(conn.terminal.protocol, 'rlogin');
    assert.equal(conn.terminal.type, 'ansi');
    assert.deepEqual(conn.terminal.types, ['ansi']);
    assert.equal(conn.terminal.encoding, 'cp437');
    assert.equal(conn.terminal.encodingSource, 'ttype');
    assert.equal(conn.terminal.sizeSource, 'default');
    assert.deepEqual(conn.terminal.env, { RLOGIN_TERM: 'ansi/115200' });
    c.socket.destroy();
  });

  it('gives an untrusted caller only a login hint', async () => {
    const c = await dial(s.port, '127.0.0.2');
    const before = s.connections.length;
    c.socket.write(bytes('\0root\0bob\0XTERM-256COLOR/38400\0'));
    await eventually(() => s.connections.length > before, 'connection');
    const conn = s.connections.at(-1)!;
    assert.equal(conn.remoteAddress, '127.0.0.2');
    assert.equal(conn.identity, undefined);
    assert.equal(conn.loginHint, 'bob');
    assert.equal(conn.terminal.type, 'xterm-256color');
    assert.equal(conn.terminal.encoding, 'utf8');
    c.socket.destroy();
  });

  it('delivers the caller’s input, including bytes sent with the handshake, and writes output in the terminal’s encoding', async () => {
    const c = await dial(s.port, '127.0.0.2');
    const before = s.connections.length;
    c.socket.write(bytes('\0root\0bob\0ansi/9600\0hi'));
    await eventually(() => s.connections.length > before, 'connection');
    const conn = s.connections.at(-1)!;
    const input: Buffer[] = [];
    conn.on('data', (b) => input.push(b));
    c.socket.write(bytes(' there\r'));
    await eventually(() => Buffer.concat(input).toString('latin1') === 'hi there\r', 'input');
    conn.write('Grüße ░');
    await eventually(() => c.received().length >= 8, 'output');
    assert.deepEqual(c.received(), Buffer.from([0, 0x47, 0x72, 0x81, 0xe1, 0x65, 0x20, 0xb0]));
    c.socket.destroy();
    await new Promise<string>((r) => conn.once('close', r));
  });

  it('turns an in-band window-size report into a resize and keeps it out of the input; ignores 0 and 65535', async () => {
    const c = await dial(s.port);
    const before = s.connections.length;
    c.socket.write(bytes('\0root\0bob\0ansi/9600\0'));
    await eventually(() => s.connections.length > before, 'connection');
    const conn = s.connections.at(-1)!;
    const input: Buffer[] = [];
    const sizes: string[] = [];
    conn.on('data', (b) => input.push(b));
    conn.on('resize', (cols, rows) => sizes.push(`${cols}x${rows}`));
    const report = (rows: number, cols: number) => {
      const b = Buffer.from([0xff, 0xff, 0x73, 0x73, 0, 0, 0, 0, 0, 0, 0, 0]);
      b.writeUInt16BE(rows, 4);
      b.writeUInt16BE(cols, 6);
      return b;
    };
    c.socket.write(Buffer.concat([bytes('a'), report(40, 100), bytes('b'), report(0, 0), report(65535, 65535), bytes('c\xff')]));
    await eventually(() => Buffer.concat(input).length === 4, 'input');
    assert.deepEqual(Buffer.concat(input), bytes('abc\xff'), 'a lone trailing 0xFF is data once nothing follows');
    assert.deepEqual(sizes, ['100x40']);
    assert.equal(conn.terminal.sizeSource, 'rlogin');
    c.socket.destroy();
  });

  it('accepts a handshake without its final NUL after a short settle (old SyncTERM)', async () => {
    const c = await dial(s.port, '127.0.0.2');
    const before = s.connections.length;
    c.socket.write(bytes('\0pw\0bob\0syncterm/115200'));
    await eventually(() => s.connections.length > before, 'connection');
    await eventually(() => c.received().length > 0, 'NUL answer');
    assert.deepEqual(c.received(), Buffer.from([0]));
    assert.equal(s.connections.at(-1)!.terminal.type, 'syncterm');
    c.socket.destroy();
  });

  it('passes SyncTERM’s password to the engine from a SyncTERM-order host, and never logs it', async () => {
    const c = await dial(s.port, '127.0.0.3');
    const before = s.connections.length;
    c.socket.write(bytes('\0hunter2-secret\0bob\0syncterm/115200\0'));
    await eventually(() => s.connections.length > before, 'connection');
    const conn = s.connections.at(-1)!;
    assert.ok(conn instanceof RloginConnection);
    assert.equal(conn.loginPassword, 'hunter2-secret');
    assert.equal(conn.loginHint, 'bob');
    assert.equal(JSON.stringify(s.log.lines).includes('hunter2'), false, 'password in a log line');
    assert.equal(JSON.stringify(conn).includes('hunter2'), false, 'password in the serialized connection');
    c.socket.destroy();
  });

  it('closes a handshake sent byte by byte that stalls, at the deadline, without a connection', async () => {
    // A short deadline of its own: this handshake can never complete, so nothing races it.
    const short = await startServer({ handshakeTimeoutMs: 400 });
    try {
      const c = await dial(short.port, '127.0.0.2');
      let stop = false;
      void (async () => {
        for (const b of bytes('\0root\0bo')) {
          if (stop) return;
          c.socket.write(Buffer.from([b]));
          await new Promise((r) => setTimeout(r, 30));
        }
      })();
      await c.closed;
      stop = true;
      assert.equal(short.connections.length, 0);
      assert.deepEqual(c.received(), Buffer.alloc(0), 'no NUL answer');
      assert.ok(short.log.lines.some((l) => l['event'] === 'rlogin.handshake_timeout' && l['remote'] === '127.0.0.2'));
    } finally {
      await short.server.close();
    }
  });

  it('closes an HTTP request at once and answers nothing', async () => {
    const c = await dial(s.port, '127.0.0.2');
    c.socket.write(bytes('GET / HTTP/1.1\r\nHost: bbs\r\n\r\n'));
    await c.closed;
    assert.deepEqual(c.received(), Buffer.alloc(0));
    assert.ok(s.log.lines.some((l) => l['event'] === 'rlogin.handshake_invalid' && l['code'] === 'RLOGIN_NOT_A_HANDSHAKE'));
  });

  it('closes an over-long field without waiting for the deadline', async () => {
    const c = await dial(s.port, '127.0.0.2');
    c.socket.write(Buffer.concat([bytes('\0'), Buffer.alloc(300, 0x61)]));
    await c.closed;
    assert.ok(s.log.lines.some((l) => l['event'] === 'rlogin.handshake_invalid' && l['code'] === 'RLOGIN_FIELD_TOO_LONG'));
  });

  it('closes a caller who stopped reading once a MiB of output piles up', async () => {
    const c = await dial(s.port, '127.0.0.2');
    const before = s.connections.length;
    c.socket.write(bytes('\0root\0bob\0ansi\0'));
    await eventually(() => s.connections.length > before, 'connection');
    const conn = s.connections.at(-1)!;
    c.socket.pause();
    const closed = new Promise<string>((r) => conn.once('close', r));
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    for (let i = 0; i < 4096 && !conn.closed; i++) {
      conn.writeBytes(chunk);
      // let the kernel take what it will, as it would between an engine's writes
      if (i % 16 === 0) await new Promise((r) => setImmediate(r));
    }
    assert.equal(await closed, 'caller stopped reading');
    c.socket.destroy();
  });

  it('reports the caller hanging up as a close', async () => {
    const c = await dial(s.port, '127.0.0.2');
    const before = s.connections.length;
    c.socket.write(bytes('\0root\0bob\0ansi\0'));
    await eventually(() => s.connections.length > before, 'connection');
    const conn = s.connections.at(-1)!;
    const closed = new Promise<string>((r) => conn.once('close', r));
    c.socket.end();
    assert.equal(await closed, 'client closed');
    assert.equal(conn.closed, true);
  });

  it('refuses a bad trusted entry at construction', () => {
    assert.throws(
      () => new RloginServer({ host: '127.0.0.1', port: 0, limits: DEFAULT_LIMITS, log: s.log, trusted: ['not-an-ip'] }),
      { code: 'CONFIG_INVALID' },
    );
  });
});

describe('RloginServer with netkit rlogin', { timeout: 20_000 }, () => {
  const rlogin = '/usr/bin/rlogin';
  // netkit binds a source port below 1024 (rresvport), which takes root.
  const skip = !existsSync(rlogin)
    ? `${rlogin} is not installed (Debian package rsh-client)`
    : process.getuid?.() !== 0
      ? 'netkit rlogin binds a privileged source port and needs root'
      : false;

  it('connects and the server sees the remote user and the terminal type', { skip }, async () => {
    const s = await startServer();
    try {
      const child = spawn(rlogin, ['-l', 'bob', '-p', String(s.port), '127.0.0.1'], {
        env: { ...process.env, TERM: 'xterm-256color' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
      child.stderr.on('data', (d: Buffer) => (err += d.toString('latin1')));
      const exited = once(child, 'exit');
      await eventually(() => s.connections.length > 0 || child.exitCode !== null, 'netkit rlogin to connect');
      assert.equal(s.connections.length, 1, `rlogin exited early: ${err}`);
      const conn = s.connections[0]!;
      assert.equal(conn.loginHint, 'bob');
      assert.equal(conn.identity, undefined);
      assert.equal(conn.terminal.type, 'xterm-256color');
      assert.equal(conn.terminal.encoding, 'utf8');
      conn.write('hello from carrier\r\n');
      await eventually(() => out.includes('hello from carrier'), 'rlogin to print the output');
      conn.close('test done');
      await exited;
    } finally {
      await s.server.close();
    }
  });
});
