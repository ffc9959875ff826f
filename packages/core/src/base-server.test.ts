import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { Admission } from './admission.js';
import { BaseServer, DEFAULT_LIMITS, type AcceptContext } from './base-server.js';
import { BaseConnection } from './connection.js';
import { createMemoryLogger } from './log.js';
import { RefusalLog } from './refusal-log.js';
import { eventually } from './testing.js';

/** The smallest front end: every socket is a Connection at once, bytes in and out as they are. */
class EchoConnection extends BaseConnection {
  constructor(private readonly socket: net.Socket, remoteAddress: string) {
    super({ protocol: 'telnet', remoteAddress });
    socket.on('data', (d: Buffer) => this.pushInput(d));
    socket.on('close', () => this.transportClosed('peer closed'));
  }
  protected sendRaw(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }
  protected endTransport(): void {
    this.socket.destroy();
  }
}

class TinyServer extends BaseServer {
  constructor(opts: { admission?: Admission; refusals?: RefusalLog; passCtx: boolean; log: ReturnType<typeof createMemoryLogger> }) {
    super({
      protocol: 'telnet',
      host: '127.0.0.1',
      port: 0,
      limits: DEFAULT_LIMITS,
      log: opts.log,
      ...(opts.admission ? { admission: opts.admission } : {}),
      ...(opts.refusals ? { refusals: opts.refusals } : {}),
    });
    this.passCtx = opts.passCtx;
  }
  private readonly passCtx: boolean;
  protected override refusalText(reason: string): string {
    return `no: ${reason}\r\n`;
  }
  protected handleSocket(socket: net.Socket, ctx: AcceptContext): void {
    const conn = new EchoConnection(socket, ctx.remoteAddress);
    socket.write('hello\r\n');
    if (this.passCtx) this.resolve(conn, ctx);
    else this.resolve(conn);
  }
}

const servers: TinyServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function start(opts: ConstructorParameters<typeof TinyServer>[0]): Promise<{ server: TinyServer; port: number }> {
  const server = new TinyServer(opts);
  servers.push(server);
  const { port } = await server.listen();
  return { server, port };
}

function dial(port: number, localAddress = '127.0.0.1'): Promise<{ socket: net.Socket; first: string; closed: Promise<void> }> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => undefined);
    socket.once('data', (d: Buffer) => resolve({ socket, first: d.toString(), closed }));
    socket.once('close', () => resolve({ socket, first: '', closed }));
  });
}

describe('BaseServer with a shared admission', () => {
  it('applies one per-address cap across two front ends', async () => {
    const log = createMemoryLogger();
    const admission = new Admission({ maxConnections: 100, maxPerIp: 2, maxPerSubnet: 100 });
    const a = await start({ admission, passCtx: true, log });
    const b = await start({ admission, passCtx: true, log });
    const one = await dial(a.port, '127.0.0.2');
    const two = await dial(b.port, '127.0.0.2');
    const three = await dial(b.port, '127.0.0.2');
    assert.deepEqual([one.first, two.first, three.first], ['hello\r\n', 'hello\r\n', 'no: too many connections from your address\r\n']);
    for (const c of [one, two, three]) c.socket.destroy();
  });

  it('a login on the Connection frees its start-up slot, with or without ctx', async () => {
    for (const passCtx of [true, false]) {
      const log = createMemoryLogger();
      const admission = new Admission({ maxConnections: 100, maxPerIp: 100, maxPerSubnet: 100, startups: { start: 1, rate: 100, full: 1 } });
      const { server, port } = await start({ admission, passCtx, log });
      const conns: BaseConnection[] = [];
      server.on('connection', (c: BaseConnection) => conns.push(c));
      const first = await dial(port, '127.0.0.3');
      assert.equal(first.first, 'hello\r\n');
      const blocked = await dial(port, '127.0.0.3');
      assert.equal(blocked.first, 'no: too many callers logging in right now\r\n', 'one unauthenticated socket fills start=full=1');
      await eventually(() => conns.length === 1, 'the connection was handed over');
      conns[0]!.markAuthenticated();
      assert.deepEqual(admission.counts(), { open: 1, unauthenticated: 0, authenticated: 1 });
      const next = await dial(port, '127.0.0.3');
      assert.equal(next.first, 'hello\r\n', `after the login a new caller gets in (ctx passed: ${passCtx})`);
      first.socket.destroy();
      next.socket.destroy();
      blocked.socket.destroy();
      await eventually(() => admission.counts().open === 0, 'every ticket is released when its socket closes');
    }
  });

  it('tells the observer which sockets closed without a login', async () => {
    const log = createMemoryLogger();
    const admission = new Admission({ maxConnections: 100, maxPerIp: 100, maxPerSubnet: 100 });
    const released: string[] = [];
    admission.observe({ released: (t) => released.push(`${t.remoteAddress} ${t.authenticated ? 'logged in' : 'never logged in'}`) });
    const { server, port } = await start({ admission, passCtx: true, log });
    server.once('connection', (c: BaseConnection) => c.markAuthenticated());
    const caller = await dial(port, '127.0.0.4');
    await eventually(() => admission.counts().authenticated === 1, 'marked');
    const scanner = await dial(port, '127.0.0.5');
    caller.socket.destroy();
    scanner.socket.destroy();
    await eventually(() => released.length === 2, 'both released');
    assert.deepEqual(released.sort(), ['127.0.0.4 logged in', '127.0.0.5 never logged in']);
  });

  it('closes the open sockets of an address on request, session first', async () => {
    const log = createMemoryLogger();
    const admission = new Admission({ maxConnections: 100, maxPerIp: 100, maxPerSubnet: 100 });
    const { server, port } = await start({ admission, passCtx: true, log });
    const reasons: string[] = [];
    server.on('connection', (c: BaseConnection) => c.once('close', (why: string) => reasons.push(why)));
    const victim = await dial(port, '127.0.0.6');
    const bystander = await dial(port, '127.0.0.7');
    await eventually(() => server.clientList().length === 2, 'both handed over');
    assert.equal(admission.disconnectWhere((addr) => addr === '127.0.0.6', 'banned'), 1);
    await victim.closed;
    assert.deepEqual(reasons, ['banned']);
    assert.equal(bystander.socket.destroyed, false);
    bystander.socket.destroy();
  });

  it('closes a gated (banned) socket without a byte and logs a flood of them once', async () => {
    const log = createMemoryLogger();
    const refusals = new RefusalLog(log);
    const { server, port } = await start({ passCtx: true, log, refusals });
    server.setGate((addr) => (addr === '127.0.0.8' ? { allow: false, reason: 'banned', quiet: true } : { allow: true }));
    for (let i = 0; i < 20; i++) {
      const r = await dial(port, '127.0.0.8');
      assert.equal(r.first, '');
    }
    assert.equal(log.lines.filter((l) => l['event'] === 'connect.refused').length, 1);
    assert.equal(log.lines.filter((l) => l['event'] === 'connect').length, 0);
    refusals.close();
    assert.equal(log.lines.filter((l) => l['event'] === 'connect.refused').at(-1)!['count'], 19);
  });
});
