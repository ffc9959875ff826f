import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ssh2, { type ClientChannel, type ConnectConfig, type ParsedKey } from 'ssh2';
import { createMemoryLogger, DEFAULT_LIMITS, type Connection } from '@carrier/core';
import type { AuthResult, SshAuthenticator } from './authenticator.js';
import { EXEC_REFUSAL } from './session-requests.js';
import { generateEd25519Key } from './openssh-key.js';
import { SSH_DEFAULT_MAX_OUTPUT_BUFFER } from './ssh-connection.js';
import { MAX_SFTP_PENDING, MAX_SFTP_UNSENT, type SftpBackend } from './sftp-server.js';
import { SshServer, type SshServerOptions } from './ssh-server.js';
import { delay, eventually } from '@carrier/core/testing';

const hostKey = Buffer.from(generateEd25519Key('test').private);
const aliceKey = generateEd25519Key('test');
const strangerKey = generateEd25519Key('test');
const publicBlob = (pub: string): Buffer => (ssh2.utils.parseKey(pub) as ParsedKey).getPublicSSH();

/** A tiny account store: alice/secret with one key. Records every question it is asked. */
function testAuthenticator(delayMs = 0): SshAuthenticator & { calls: string[] } {
  const calls: string[] = [];
  const wait = () => new Promise((r) => setTimeout(r, delayMs));
  return {
    calls,
    async password(user, password): Promise<AuthResult> {
      calls.push(`password ${user}`);
      await wait();
      return user.toLowerCase() === 'alice' && password === 'secret' ? { ok: true, user: 'Alice' } : { ok: false };
    },
    async publicKey(user, key): Promise<AuthResult> {
      calls.push(`publickey ${user}`);
      await wait();
      return user.toLowerCase() === 'alice' && key.data.equals(publicBlob(aliceKey.public)) ? { ok: true, user: 'Alice' } : { ok: false };
    },
  };
}

async function startServer(opts: Partial<SshServerOptions> = {}) {
  const log = createMemoryLogger();
  const authenticator = testAuthenticator();
  const server = new SshServer({
    host: '127.0.0.1',
    port: 0,
    limits: { ...DEFAULT_LIMITS, maxPerIp: 50 },
    log,
    hostKeys: { ed25519: hostKey },
    authenticator,
    ...opts,
  });
  const { port } = await server.listen();
  const connections: Connection[] = [];
  server.on('connection', (c: Connection) => connections.push(c));
  return { server, port, log, connections, authenticator: (opts.authenticator ?? authenticator) as typeof authenticator };
}
type TestServer = Awaited<ReturnType<typeof startServer>>;

/** An ssh2 client, resolved once authenticated; rejected with its error otherwise. */
async function login(port: number, cfg: ConnectConfig): Promise<ssh2.Client> {
  const c = new ssh2.Client();
  const ready = new Promise<void>((resolve, reject) => {
    c.once('ready', resolve);
    c.once('error', reject);
  });
  c.connect({ host: '127.0.0.1', port, readyTimeout: 5000, ...cfg });
  await ready;
  c.on('error', () => {});
  return c;
}

function shell(c: ssh2.Client, window: ssh2.PseudoTtyOptions | false, env?: Record<string, string>): Promise<ClientChannel> {
  return new Promise((resolve, reject) => c.shell(window, env ? { env } : {}, (err, ch) => (err ? reject(err) : resolve(ch))));
}

async function nextConnection(s: TestServer, action: () => Promise<unknown>): Promise<Connection> {
  const before = s.connections.length;
  await action();
  await eventually(() => s.connections.length > before, 'a connection');
  return s.connections[before]!;
}

describe('SshServer with an ssh2 client', { timeout: 20_000 }, () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.server.close());

  it('logs in with a password and hands over a Connection that carries the identity, TERM and pty size', async () => {
    const c = await login(s.port, { username: 'alice', password: 'secret' });
    const conn = await nextConnection(s, () => shell(c, { term: 'ANSI', cols: 132, rows: 50 }));
    assert.deepEqual(conn.identity, { user: 'Alice', via: 'ssh-password' });
    assert.equal(conn.wantsNewUser, false);
    assert.equal(conn.remoteAddress, '127.0.0.1');
    assert.equal(conn.terminal.protocol, 'ssh');
    assert.equal(conn.terminal.type, 'ansi');
    assert.deepEqual(conn.terminal.types, ['ansi']);
    assert.deepEqual([conn.terminal.cols, conn.terminal.rows, conn.terminal.sizeSource], [132, 50, 'pty']);
    assert.deepEqual([conn.terminal.encoding, conn.terminal.encodingSource], ['cp437', 'ttype']);
    c.end();
  });

  it('carries input and output both ways on the shell channel', async () => {
    const c = await login(s.port, { username: 'alice', password: 'secret' });
    let ch!: ClientChannel;
    const conn = await nextConnection(s, async () => (ch = await shell(c, { term: 'xterm', cols: 80, rows: 24 })));
    let out = '';
    ch.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const input: Buffer[] = [];
    conn.on('data', (b) => input.push(b));
    ch.write('hello\r');
    conn.write('wëlcome\r\n');
    await eventually(() => Buffer.concat(input).toString() === 'hello\r' && out === 'wëlcome\r\n', 'both directions');
    c.end();
  });

  it('applies window-change to the live Connection as a resize', async () => {
    const c = await login(s.port, { username: 'alice', password: 'secret' });
    let ch!: ClientChannel;
    const conn = await nextConnection(s, async () => (ch = await shell(c, { term: 'xterm', cols: 80, rows: 24 })));
    const resized = new Promise<number[]>((r) => conn.on('resize', (cols, rows) => r([cols, rows])));
    ch.setWindow(60, 200, 0, 0);
    assert.deepEqual(await resized, [200, 60]);
    assert.equal(conn.terminal.sizeSource, 'pty');
    c.end();
  });

  it('takes the encoding from LANG over the TERM table, and keeps env as untrusted terminal env', async () => {
    const c = await login(s.port, { username: 'alice', password: 'secret' });
    const conn = await nextConnection(s, () =>
      shell(c, { term: 'ansi', cols: 80, rows: 25 }, { LANG: 'en_US.UTF-8', lc_ctype: 'C', 'BAD NAME': 'x', USER: '-f root' }),
    );
    assert.deepEqual([conn.terminal.encoding, conn.terminal.encodingSource], ['utf8', 'lang']);
    assert.deepEqual(conn.terminal.env, { LANG: 'en_US.UTF-8', LC_CTYPE: 'C', USER: '-froot' });
    assert.deepEqual(conn.identity, { user: 'Alice', via: 'ssh-password' }, 'env never decides identity');
    c.end();
  });

  it('clamps a pty of 0 or 65535 columns to the default size and leaves it for the engine to probe', async () => {
    for (const [cols, rows] of [[0, 0], [65535, 65535]] as const) {
      const c = await login(s.port, { username: 'alice', password: 'secret' });
      const conn = await nextConnection(s, () => shell(c, { term: 'xterm', cols, rows }));
      assert.deepEqual([conn.terminal.cols, conn.terminal.rows, conn.terminal.sizeSource], [80, 25, 'default'], `${cols}x${rows}`);
      c.end();
    }
  });

  it('caps a 4 KiB TERM', async () => {
    const c = await login(s.port, { username: 'alice', password: 'secret' });
    const conn = await nextConnection(s, () => shell(c, { term: 'X'.repeat(4096) + '\x1b[2J', cols: 80, rows: 25 }));
    assert.equal(conn.terminal.type, 'x'.repeat(40));
    c.end();
  });

  it('starts a shell without a pty as an unknown terminal of default size', async () => {
    const c = await login(s.port, { username: 'alice', password: 'secret' });
    const conn = await nextConnection(s, () => shell(c, false));
    assert.equal(conn.terminal.type, 'unknown');
    assert.deepEqual(conn.terminal.types, []);
    assert.deepEqual([conn.terminal.cols, conn.terminal.rows, conn.terminal.sizeSource], [80, 25, 'default']);
    assert.equal(conn.terminal.encodingSource, 'default');
    c.end();
  });

  it('refuses exec with a one-line reason on stderr and exit status 1, and keeps serving the connection', async () => {
    const c = await login(s.port, { username: 'alice', password: 'secret' });
    const ch = await new Promise<ClientChannel>((resolve, reject) => c.exec('cat /etc/passwd', (err, x) => (err ? reject(err) : resolve(x))));
    let stderr = '';
    let stdout = '';
    ch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    ch.on('data', (d: Buffer) => (stdout += d.toString()));
    const [code] = (await once(ch, 'close')) as [number];
    assert.equal(code, 1);
    assert.equal(stderr, `${EXEC_REFUSAL}\r\n`);
    assert.equal(stdout, '');
    const conn = await nextConnection(s, () => shell(c, { term: 'xterm', cols: 80, rows: 25 }));
    assert.deepEqual(conn.identity, { user: 'Alice', via: 'ssh-password' });
    assert.ok(s.log.lines.some((l) => l['event'] === 'ssh.request_refused' && l['request'] === 'exec' && l['detail'] === 'cat /etc/passwd'));
    c.end();
  });

  it('refuses sftp, port forwarding both ways, and a second shell, explicitly', async () => {
    const c = await login(s.port, { username: 'alice', password: 'secret' });
    await assert.rejects(new Promise((resolve, reject) => c.sftp((err, x) => (err ? reject(err) : resolve(x)))));
    await assert.rejects(new Promise((resolve, reject) => c.forwardOut('127.0.0.1', 1, '127.0.0.1', 22, (err, x) => (err ? reject(err) : resolve(x)))));
    await assert.rejects(new Promise((resolve, reject) => c.forwardIn('127.0.0.1', 0, (err, x) => (err ? reject(err) : resolve(x)))));
    await nextConnection(s, () => shell(c, { term: 'xterm', cols: 80, rows: 25 }));
    await assert.rejects(shell(c, { term: 'xterm', cols: 80, rows: 25 }));
    const refused = s.log.lines.filter((l) => l['event'] === 'ssh.request_refused').map((l) => l['request']);
    for (const r of ['subsystem', 'direct-tcpip', 'global-request', 'shell']) assert.ok(refused.includes(r), r);
    c.end();
  });

  it('refuses X11 forwarding before the shell', async () => {
    const c = await login(s.port, { username: 'alice', password: 'secret' });
    await assert.rejects(
      new Promise((resolve, reject) => c.shell({ term: 'xterm', cols: 80, rows: 25 }, { x11: true }, (err, ch) => (err ? reject(err) : resolve(ch)))),
    );
    assert.ok(s.log.lines.some((l) => l['event'] === 'ssh.request_refused' && l['request'] === 'x11'));
    c.end();
  });

  it('delivers 16 MiB to a caller who reads, when the writer waits for drain', async () => {
    const c = await login(s.port, { username: 'alice', password: 'secret' });
    let ch!: ClientChannel;
    const conn = await nextConnection(s, async () => (ch = await shell(c, { term: 'xterm', cols: 80, rows: 25 })));
    let received = 0;
    ch.on('data', (d: Buffer) => (received += d.length));
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    for (let i = 0; i < 256; i++) {
      if (conn.writeBytes(chunk)) continue;
      await new Promise<void>((resolve) => {
        const drained = (): void => {
          conn.off('drain', drained);
          resolve();
        };
        conn.on('drain', drained);
      });
    }
    await eventually(() => received === 256 * chunk.length, 'all output');
    assert.equal(conn.closed, false);
    c.end();
  });

  it('closes a caller who stopped reading once 1 MiB of output piles up (the telnet and web bound), with one log line', async () => {
    const c = await login(s.port, { username: 'alice', password: 'secret' });
    let ch!: ClientChannel;
    const conn = await nextConnection(s, async () => (ch = await shell(c, { term: 'xterm', cols: 80, rows: 25 })));
    ch.pause();
    const closed = new Promise<string>((r) => conn.once('close', r));
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    // A writer that ignores backpressure (a chat broadcast, say), giving the network every chance.
    for (let i = 0; i < 1024 && !conn.closed; i++) {
      conn.writeBytes(chunk);
      if (i % 16 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    assert.equal(await closed, 'caller stopped reading');
    const overflow = s.log.lines.filter((l) => l['event'] === 'ssh.output_overflow');
    assert.equal(overflow.length, 1, JSON.stringify(overflow));
    // telnet's and the web's maxOutputBuffer (ssh depends on core only, so the number is restated)
    assert.equal(overflow[0]!['limit'], 1024 * 1024);
    assert.ok((overflow[0]!['buffered'] as number) <= SSH_DEFAULT_MAX_OUTPUT_BUFFER, JSON.stringify(overflow[0]));
    c.end();
  });

  it('reports the caller hanging up as a close of the Connection', async () => {
    const c = await login(s.port, { username: 'alice', password: 'secret' });
    const conn = await nextConnection(s, () => shell(c, { term: 'xterm', cols: 80, rows: 25 }));
    const closed = new Promise<string>((r) => conn.once('close', r));
    c.end();
    await closed;
    assert.equal(conn.closed, true);
  });

  it('closes the shell with exit status 0 when the board closes the Connection', async () => {
    const c = await login(s.port, { username: 'alice', password: 'secret' });
    let ch!: ClientChannel;
    const conn = await nextConnection(s, async () => (ch = await shell(c, { term: 'xterm', cols: 80, rows: 25 })));
    let out = '';
    ch.on('data', (d: Buffer) => (out += d.toString()));
    const exited = once(ch, 'close');
    conn.write('bye\r\n');
    conn.close('logoff');
    const [code] = (await exited) as [number];
    assert.equal(code, 0);
    assert.equal(out, 'bye\r\n');
    await once(c, 'close');
  });
});

describe('SshServer authentication', { timeout: 20_000 }, () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ maxAuthAttempts: 4 });
  });
  after(() => s.server.close());

  it('rejects a wrong password', async () => {
    await assert.rejects(login(s.port, { username: 'alice', password: 'wrong' }), { level: 'client-authentication' });
  });

  it('asks an unknown user the store too, so unknown and known names cost the same', async () => {
    s.authenticator.calls.length = 0;
    await assert.rejects(login(s.port, { username: 'nobody', password: 'x' }));
    assert.deepEqual(s.authenticator.calls, ['password nobody']);
  });

  it('logs in with keyboard-interactive: one "password: " prompt, echo off', async () => {
    const prompts: unknown[] = [];
    const c = new ssh2.Client();
    c.on('keyboard-interactive', (_name, _instr, _lang, p, finish) => {
      prompts.push(...p);
      finish(['secret']);
    });
    const conn = await nextConnection(s, async () => {
      await new Promise<void>((resolve, reject) => {
        c.once('ready', resolve).once('error', reject);
        c.connect({ host: '127.0.0.1', port: s.port, username: 'alice', tryKeyboard: true, authHandler: ['keyboard-interactive'] });
      });
      await shell(c, { term: 'xterm', cols: 80, rows: 25 });
    });
    assert.deepEqual(prompts, [{ prompt: 'password: ', echo: false }]);
    assert.deepEqual(conn.identity, { user: 'Alice', via: 'ssh-keyboard-interactive' });
    c.end();
  });

  it('logs in with a registered public key', async () => {
    const c = await login(s.port, { username: 'alice', privateKey: aliceKey.private });
    const conn = await nextConnection(s, () => shell(c, { term: 'xterm', cols: 80, rows: 25 }));
    assert.deepEqual(conn.identity, { user: 'Alice', via: 'ssh-publickey' });
    c.end();
  });

  it('refuses a key nobody registered', async () => {
    await assert.rejects(login(s.port, { username: 'alice', privateKey: strangerKey.private }));
  });

  it('refuses a registered key whose signature does not verify', async () => {
    class ForgingAgent extends ssh2.BaseAgent {
      override getIdentities(cb: (err: Error | undefined, keys?: ParsedKey[]) => void): void {
        cb(undefined, [ssh2.utils.parseKey(aliceKey.public) as ParsedKey]);
      }
      override sign(_key: unknown, _data: Buffer, opts: unknown, cb?: (err: Error | undefined, sig?: Buffer) => void): void {
        (typeof opts === 'function' ? opts : cb!)(undefined, Buffer.alloc(64, 7));
      }
    }
    s.authenticator.calls.length = 0;
    await assert.rejects(login(s.port, { username: 'alice', agent: new ForgingAgent(), authHandler: ['agent'] }));
    assert.deepEqual(s.authenticator.calls, ['publickey alice', 'publickey alice'], 'the probe, then the signed request');
  });

  it('lets `new` in with no password, only as the new-user application', async () => {
    for (const cfg of [{ username: 'new', authHandler: ['none'] }, { username: 'NEW', password: 'anything' }] as ConnectConfig[]) {
      const c = await login(s.port, cfg);
      const conn = await nextConnection(s, () => shell(c, { term: 'xterm', cols: 80, rows: 25 }));
      assert.equal(conn.wantsNewUser, true);
      assert.equal(conn.identity, undefined);
      c.end();
    }
  });

  it('disconnects after three wrong passwords, keyboard-interactive and password counted together', async () => {
    s.authenticator.calls.length = 0;
    let tries = 0;
    const c = new ssh2.Client();
    const ended = new Promise<void>((resolve) => c.once('close', () => resolve()));
    c.on('error', () => {});
    c.on('keyboard-interactive', (_name, _instr, _lang, _prompts, finish) => finish([`kbd${tries}`]));
    c.connect({
      host: '127.0.0.1',
      port: s.port,
      username: 'alice',
      tryKeyboard: true,
      // OpenSSH's order: keyboard-interactive, then password; alternate to mix both methods.
      authHandler: (_left, _partial, next) =>
        ++tries <= 10
          ? next(
              tries % 2 === 1
                ? ({ type: 'keyboard-interactive', username: 'alice', prompt: (_n: unknown, _i: unknown, _l: unknown, _p: unknown, finish: (a: string[]) => void) => finish([`kbd${tries}`]) } as unknown as Parameters<typeof next>[0])
                : { type: 'password', username: 'alice', password: `guess${tries}` },
            )
          : (next as unknown as (stop: false) => void)(false),
    });
    await ended;
    assert.equal(s.authenticator.calls.length, 3, s.authenticator.calls.join(', '));
    assert.ok(s.log.lines.some((l) => l['event'] === 'ssh.auth_too_many'));
  });

  it('disconnects after maxAuthAttempts failures of any method (unknown keys count there, not as passwords)', async () => {
    s.authenticator.calls.length = 0;
    let tries = 0;
    const c = new ssh2.Client();
    const ended = new Promise<void>((resolve) => c.once('close', () => resolve()));
    c.on('error', () => {});
    const keys = [0, 1, 2, 3, 4].map(() => ssh2.utils.generateKeyPairSync('ed25519').private);
    c.connect({
      host: '127.0.0.1',
      port: s.port,
      username: 'alice',
      authHandler: (_left, _partial, next) =>
        ++tries <= 10
          ? next(tries <= 2 ? { type: 'publickey', username: 'alice', key: keys[tries]! } : { type: 'password', username: 'alice', password: `guess${tries}` })
          : (next as unknown as (stop: false) => void)(false),
    });
    await ended;
    // maxAuthAttempts is 4: the unknown keys and the wrong passwords together make 4. Were
    // keys counted as passwords, the call would end after 3 failures; were they not counted
    // at all, after 5. (Under load ssh2's client sometimes offers only one of its two keys.)
    const pk = s.authenticator.calls.filter((c) => c.startsWith('publickey')).length;
    const pw = s.authenticator.calls.filter((c) => c.startsWith('password')).length;
    assert.ok(pk >= 1, s.authenticator.calls.join(', '));
    assert.equal(pk + pw, 4, s.authenticator.calls.join(', '));
    assert.ok(s.log.lines.some((l) => l['event'] === 'ssh.auth_too_many'));
  });

  it('survives 11 pipelined auth requests and keeps serving others', async () => {
    const slow = await startServer({ authenticator: testAuthenticator(20) });
    try {
      const c = new ssh2.Client();
      const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
      c.on('error', () => {});
      c.connect({
        host: '127.0.0.1',
        port: slow.port,
        username: 'alice',
        authHandler: (_left, _partial, next) => {
          // Reach under the client to send eleven requests back to back, as a bot would.
          const proto = (c as unknown as { _protocol: { authPassword(u: string, p: string): void } })._protocol;
          for (let i = 0; i < 11; i++) proto.authPassword('alice', `guess${i}`);
          next({ type: 'password', username: 'alice', password: 'guess11' });
        },
      });
      await closed;
      assert.ok(slow.authenticator.calls.length <= 6, `store asked ${slow.authenticator.calls.length} times`);
      const ok = await login(slow.port, { username: 'alice', password: 'secret' });
      ok.end();
    } finally {
      await slow.server.close();
    }
  });
});

/** A raw TCP caller on the ssh port, from `localAddress`. */
async function raw(s: TestServer, localAddress = '127.0.0.1'): Promise<{ socket: net.Socket; closed: Promise<unknown>; received: () => string }> {
  const socket = net.connect({ host: '127.0.0.1', port: s.port, localAddress });
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  socket.on('error', () => {});
  return { socket, closed: once(socket, 'close'), received: () => received };
}
/** The server's log lines of `event` for one caller's address. */
const linesFor = (s: TestServer, event: string, remote: string) => s.log.lines.filter((l) => l['event'] === event && l['remote'] === remote);

/**
 * The grace timer is what these tests watch, so it is short; but two of them must reach a
 * stage (key exchange, then login) before it runs out, which on a loaded 2-core CI machine
 * has taken over 300 ms. 2 s leaves that work room to spare, and the three run at once, so
 * the suite waits the grace once.
 */
const GRACE_MS = 2_000;

describe('SshServer grace time', { timeout: 20_000, concurrency: true }, () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ graceTimeMs: GRACE_MS });
  });
  after(() => s.server.close());

  // Each grace test calls from a loopback address of its own and asserts the log line for
  // that address: a line left by another test, or a close for another reason, cannot pass it.
  const graceLines = (remote: string) => linesFor(s, 'ssh.grace_expired', remote);
  // A timer never fires early; the margin is for the clock read before the connect.
  const byTheGraceTimer = (started: number) => assert.ok(Date.now() - started >= GRACE_MS - 50, 'closed by the grace timer, not before it');

  it('closes a caller who connects and sends nothing at the grace time, with one log line', async () => {
    const started = Date.now();
    const r = await raw(s, '127.0.0.12');
    await r.closed;
    assert.match(r.received(), /^SSH-2\.0-/);
    byTheGraceTimer(started);
    assert.deepEqual(graceLines('127.0.0.12').map((l) => l['stage']), ['version']);
    assert.deepEqual(linesFor(s, 'ssh.closed_before_shell', '127.0.0.12'), []);
  });

  it('closes a caller stuck at an unanswered keyboard-interactive prompt at the grace time', async () => {
    const c = new ssh2.Client();
    c.on('keyboard-interactive', () => {
      /* never answer */
    });
    c.on('error', () => {});
    const closed = once(c, 'close');
    const started = Date.now();
    c.connect({ host: '127.0.0.1', localAddress: '127.0.0.13', port: s.port, username: 'alice', tryKeyboard: true, authHandler: ['keyboard-interactive'] });
    await closed;
    byTheGraceTimer(started);
    assert.deepEqual(graceLines('127.0.0.13').map((l) => l['stage']), ['auth']);
  });

  it('closes a caller who authenticates but never opens a shell at the grace time', async () => {
    const started = Date.now();
    const c = await login(s.port, { username: 'alice', password: 'secret', localAddress: '127.0.0.14' });
    await once(c, 'close');
    byTheGraceTimer(started);
    assert.deepEqual(graceLines('127.0.0.14').map((l) => l['stage']), ['shell']);
  });
});

// The default grace (30 s, past the suite's timeout): nothing here can be ended by the grace
// timer, however slow the machine, so a close is the hostile input's doing.
describe('SshServer against hostile transports', { timeout: 20_000 }, () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.server.close());

  it('closes an 8 KiB version line, by the parser', async () => {
    const r = await raw(s, '127.0.0.15');
    r.socket.write(`SSH-2.0-${'A'.repeat(8192)}\r\n`);
    await r.closed;
    // The server logs when its side of the socket closes, which may be after ours.
    const closedLines = () => linesFor(s, 'ssh.closed_before_shell', '127.0.0.15');
    await eventually(() => closedLines().length > 0, 'the server logging the close');
    assert.deepEqual(closedLines().map((l) => l['stage']), ['version']);
    assert.deepEqual(linesFor(s, 'ssh.grace_expired', '127.0.0.15'), []);
  });

  it('closes lines sent before the version line', async () => {
    const r = await raw(s);
    r.socket.write('hello\r\nSSH-2.0-OpenSSH_9.2\r\n');
    await r.closed;
    assert.ok(s.log.lines.some((l) => l['event'] === 'ssh.closed_before_shell' && l['stage'] === 'version'));
  });

  it('closes an HTTP request on the ssh port', async () => {
    const r = await raw(s);
    r.socket.write('GET / HTTP/1.1\r\nHost: bbs\r\n\r\n');
    await r.closed;
  });

  it('disconnects an env flood, and still serves the next caller', async () => {
    const flood = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`VAR${i}`, 'x']));
    const c = await login(s.port, { username: 'alice', password: 'secret' });
    // The server cuts the flood off; under load the client may see that as ECONNRESET.
    c.on('error', () => undefined);
    // Not events.once: it rejects on that 'error', and the close follows it anyway.
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    shell(c, { term: 'xterm', cols: 80, rows: 25 }, flood).catch(() => undefined);
    await closed;
    // Named in the failure: once in CI the call closed with no ssh.flood line (not reproduced in 16 runs since).
    await eventually(() => s.log.lines.some((l) => l['event'] === 'ssh.flood'), () => `ssh.flood in the log; the last lines: ${JSON.stringify(s.log.lines.slice(-8))}`, { timeoutMs: 5_000 });
    const ok = await login(s.port, { username: 'alice', password: 'secret' });
    await nextConnection(s, () => shell(ok, { term: 'xterm', cols: 80, rows: 25 }));
    ok.end();
  });

  it('disconnects a window-change flood on a live shell', async () => {
    const c = await login(s.port, { username: 'alice', password: 'secret' });
    let ch!: ClientChannel;
    const conn = await nextConnection(s, async () => (ch = await shell(c, { term: 'xterm', cols: 80, rows: 25 })));
    const resizes: number[] = [];
    conn.on('resize', (cols) => resizes.push(cols));
    const closed = new Promise<string>((r) => conn.once('close', r));
    for (let i = 0; i < 10_000; i++) ch.setWindow(25, 80 + (i % 2), 0, 0);
    await closed;
    assert.ok(resizes.length <= 300, `${resizes.length} resizes reached the engine`);
  });

  it('keeps at most four session channels open per connection', async () => {
    const c = await login(s.port, { username: 'alice', password: 'secret' });
    // Eight opens sent back to back reach the server before any refused exec can close.
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => new Promise((resolve, reject) => c.exec('x', (err, ch) => (err ? reject(err) : resolve(ch))))),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 4);
    assert.ok(s.log.lines.some((l) => l['event'] === 'ssh.request_refused' && l['detail'] === 'too many open sessions'));
    c.end();
  });
});

describe('SshServer keepalive and banner', { timeout: 20_000 }, () => {
  interface Seen {
    debug: string[];
    banners: string[];
  }
  /** Log in, open a shell, and collect ssh2's record of what the server sent until `settled` resolves. */
  async function observe(opts: Partial<SshServerOptions>, settled: (seen: Seen) => Promise<unknown>): Promise<Seen> {
    const s = await startServer(opts);
    const debug: string[] = [];
    const banners: string[] = [];
    try {
      const c = new ssh2.Client();
      c.on('banner', (m: string) => banners.push(m));
      await new Promise<void>((resolve, reject) => {
        c.once('ready', resolve).once('error', reject);
        c.connect({ host: '127.0.0.1', port: s.port, username: 'alice', password: 'secret', debug: (m: string) => debug.push(m) });
      });
      await nextConnection(s, () => shell(c, { term: 'xterm', cols: 80, rows: 25 }));
      await settled({ debug, banners });
      c.end();
    } finally {
      await s.server.close();
    }
    return { debug, banners };
  }
  const keepalives = (debug: string[]) => debug.filter((m) => m.includes('keepalive@openssh.com')).length;

  it('sends no keepalive and no banner by default (both break BBS terminals)', async () => {
    // Six of the intervals the next test configures.
    const seen = await observe({}, () => delay(300));
    assert.equal(keepalives(seen.debug), 0);
    assert.deepEqual(seen.banners, []);
  });

  it('sends keepalives at a configured interval and a configured banner', async () => {
    // Waits for the keepalives rather than counting them in a fixed time: on a loaded machine
    // the test's timer and the server's interval both run late, and a fixed window can hold none.
    // Two within 10 s: ssh2's own 15 s interval (the configured one ignored) cannot pass.
    const seen = await observe({ keepaliveIntervalMs: 50, banner: 'Welcome to the board' }, (sent) =>
      eventually(() => keepalives(sent.debug) >= 2, () => `2 keepalives; ${keepalives(sent.debug)} seen`, { timeoutMs: 10_000 }),
    );
    assert.deepEqual(seen.banners, ['Welcome to the board\r\n']);
  });
});

describe('SshServer configuration', { timeout: 20_000 }, () => {
  it('refuses an algorithm ssh2 does not support at construction', () => {
    assert.throws(
      () =>
        new SshServer({
          host: '127.0.0.1',
          port: 0,
          limits: DEFAULT_LIMITS,
          log: createMemoryLogger(),
          hostKeys: { ed25519: hostKey },
          authenticator: testAuthenticator(),
          algorithms: { kex: ['sntrup761x25519-sha512@openssh.com'] },
        }),
      { code: 'CONFIG_INVALID' },
    );
  });

  it('refuses to start without a host key', () => {
    assert.throws(
      () => new SshServer({ host: '127.0.0.1', port: 0, limits: DEFAULT_LIMITS, log: createMemoryLogger(), hostKeys: {}, authenticator: testAuthenticator() }),
      { code: 'CONFIG_INVALID' },
    );
  });
});

describe('SFTP bounds (an ssh2 client that asks without reading)', { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'carrier-sftp-bounds-'));
  const file = join(dir, 'big.bin');
  const SIZE = 1024 * 1024;
  writeFileSync(file, Buffer.alloc(SIZE, 0x5a));
  const refused = { error: 'denied', message: 'no' } as const;
  const backend: SftpBackend = {
    list: async () => refused,
    stat: async () => ({ name: 'big.bin', size: SIZE, mtimeMs: 0, directory: false }),
    openRead: async () => ({ path: file, size: SIZE, done: () => undefined }),
    openWrite: async () => refused,
    remove: async () => refused,
  };
  let s: TestServer;
  before(async () => {
    s = await startServer({ sftp: () => backend });
  });
  after(async () => {
    await s.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** alice's SFTP session with big.bin open for reading. */
  async function openBig(): Promise<{ c: ssh2.Client; sftp: ssh2.SFTPWrapper; handle: Buffer; closed: Promise<unknown> }> {
    const c = await login(s.port, { username: 'alice', password: 'secret' });
    const closed = once(c, 'close');
    const sftp = await new Promise<ssh2.SFTPWrapper>((resolve, reject) => c.sftp((err, x) => (err ? reject(err) : resolve(x))));
    const handle = await new Promise<Buffer>((resolve, reject) => sftp.open('/area/big.bin', 'r', (err, h) => (err ? reject(err) : resolve(h))));
    return { c, sftp, handle, closed };
  }
  const read = (sftp: ssh2.SFTPWrapper, handle: Buffer, i: number): void =>
    sftp.read(handle, Buffer.alloc(64 * 1024), 0, 64 * 1024, (i * 64 * 1024) % SIZE, () => undefined);

  /** Pause (or resume) the client's reading of its TCP stream: the server's socket and the client's window fill up. */
  const reading = (c: ssh2.Client, on: boolean): void => {
    const sock = (c as unknown as { _sock: { pause(): void; resume(): void } })._sock;
    if (on) sock.resume();
    else sock.pause();
  };
  const waitingLine = (from: number) =>
    eventually(() => s.log.lines.slice(from).find((l) => l['event'] === 'sftp.waiting'), 'sftp.waiting', { timeoutMs: 20_000 });

  it('a client that asks for reads but reads nothing gets no more answers past the bound; reading again, it gets them all', async () => {
    const { c, sftp, handle } = await openBig();
    const from = s.log.lines.length;
    reading(c, false);
    let answered = 0;
    let wrong = 0;
    const all = Array.from(
      { length: 200 }, // 12.5 MiB asked for, fewer than MAX_SFTP_PENDING at once
      (_, i) =>
        new Promise<void>((resolve) => {
          const buf = Buffer.alloc(64 * 1024);
          sftp.read(handle, buf, 0, buf.length, (i * buf.length) % SIZE, (err, n) => {
            if (err || n !== buf.length || buf.some((b) => b !== 0x5a)) wrong++;
            answered++;
            resolve();
          });
        }),
    );
    const line = await waitingLine(from);
    assert.ok((line['unsent'] as number) <= MAX_SFTP_UNSENT + 64 * 1024 + 64, JSON.stringify(line));
    reading(c, true);
    await Promise.all(all);
    assert.deepEqual({ answered, wrong }, { answered: 200, wrong: 0 });
    assert.equal(s.log.lines.slice(from).filter((l) => l['event'] === 'sftp.flood').length, 0);
    c.end();
    // Never more than the bound (and the one answer that crossed it) waited in the board.
    const end = await eventually(() => s.log.lines.slice(from).find((l) => l['event'] === 'sftp.end'), 'sftp.end', { timeoutMs: 20_000 });
    assert.ok((end['peakUnsent'] as number) <= MAX_SFTP_UNSENT + 64 * 1024 + 64, JSON.stringify(end));
  });

  it('closes a client that sends more requests at once than MAX_SFTP_PENDING, with one log line', async () => {
    const { sftp, handle, closed } = await openBig();
    const from = s.log.lines.length;
    for (let i = 0; i < MAX_SFTP_PENDING * 4; i++) read(sftp, handle, i);
    const line = await eventually(() => s.log.lines.slice(from).find((l) => l['event'] === 'sftp.flood'), 'sftp.flood', { timeoutMs: 20_000 });
    assert.equal(line['limit'], MAX_SFTP_PENDING);
    await closed;
    assert.equal(s.log.lines.slice(from).filter((l) => l['event'] === 'sftp.flood').length, 1);
  });
});
