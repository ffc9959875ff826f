import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { DEFAULT_LIMITS, createMemoryLogger, type Connection } from '@carrier/core';
import { Cmd, Opt, Ttype } from './constants.js';
import { TelnetDecoder, type TelnetEvent } from './decoder.js';
import { encodeCommand, encodeNaws, encodeTtypeIs } from './encoder.js';
import { TelnetServer, type TelnetServerOptions } from './telnet-server.js';
import { delay, eventually } from '@carrier/core/testing';

const servers: TelnetServer[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.close();
});

async function startServer(opts: Partial<TelnetServerOptions> = {}) {
  const log = createMemoryLogger();
  const server = new TelnetServer({ host: '127.0.0.1', port: 0, limits: DEFAULT_LIMITS, log, ...opts });
  servers.push(server);
  const { port } = await server.listen();
  return { server, port, log };
}

/** A raw TCP caller that decodes what the server sends, as a telnet client would. */
class RawClient {
  readonly socket: net.Socket;
  readonly events: TelnetEvent[] = [];
  private readonly decoder = new TelnetDecoder({ normalizeEnter: false, dropBareDataMark: false });
  private waiters: (() => void)[] = [];
  closed = false;

  constructor(port: number, respond?: (ev: TelnetEvent, c: RawClient) => void) {
    this.socket = net.connect(port, '127.0.0.1');
    sockets.push(this.socket);
    this.socket.on('error', () => {
      /* the server may cut us off mid-write: that is what some tests want */
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    this.socket.on('data', (chunk) => {
      for (const ev of this.decoder.push(chunk)) {
        this.events.push(ev);
        respond?.(ev, this);
      }
      this.wake();
    });
  }

  send(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  data(): Buffer {
    return Buffer.concat(this.events.flatMap((e) => (e.type === 'data' ? [e.bytes] : [])));
  }

  async until(test: () => boolean, what: string, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** Answers like SyncTERM: TTYPE "syncterm", NAWS 80x25, refuses the rest, answers TM. */
function syncTermLike(size: [number, number] = [80, 25]) {
  const answered = new Set<string>();
  return (ev: TelnetEvent, c: RawClient): void => {
    if (ev.type === 'command' && ev.option !== undefined) {
      const o = ev.option;
      if (ev.command === Cmd.DO && o === Opt.TIMING_MARK) return c.send(encodeCommand(Cmd.WILL, o));
      const key = `${ev.command}:${o}`;
      if (answered.has(key)) return;
      answered.add(key);
      if (ev.command === Cmd.DO) {
        const will = o === Opt.TTYPE || o === Opt.NAWS || o === Opt.SGA || o === Opt.BINARY;
        c.send(encodeCommand(will ? Cmd.WILL : Cmd.WONT, o));
        if (o === Opt.NAWS) c.send(encodeNaws(...size));
      } else if (ev.command === Cmd.WILL) {
        const ok = o === Opt.ECHO || o === Opt.SGA || o === Opt.BINARY;
        c.send(encodeCommand(ok ? Cmd.DO : Cmd.DONT, o));
      }
    } else if (ev.type === 'subnegotiation' && ev.option === Opt.TTYPE && ev.data[0] === Ttype.SEND) {
      c.send(encodeTtypeIs('syncterm'));
    }
  };
}

function nextConnection(server: TelnetServer): Promise<Connection> {
  return once(server, 'connection').then(([conn]) => conn as Connection);
}

function closeOf(conn: Connection): Promise<string> {
  return new Promise((resolve) => conn.once('close', resolve));
}

function negotiatedLine(log: { lines: Record<string, unknown>[] }, conn: Connection): Record<string, unknown> {
  const line = log.lines.find((l) => l['event'] === 'telnet.negotiated' && l['conn'] === conn.id);
  assert.ok(line, 'a telnet.negotiated line');
  return line;
}

describe('TelnetServer over loopback', () => {
  it('hands over as soon as a client has answered everything', async () => {
    const { server, port, log } = await startServer({ negotiationTimeoutMs: 30_000 });
    const accepted = nextConnection(server);
    new RawClient(port, syncTermLike([100, 30]));
    const conn = await accepted;
    assert.equal(conn.terminal.protocol, 'telnet');
    assert.equal(conn.terminal.type, 'syncterm');
    assert.deepEqual(conn.terminal.types, ['syncterm']);
    assert.deepEqual([conn.terminal.cols, conn.terminal.rows, conn.terminal.sizeSource], [100, 30, 'naws']);
    assert.deepEqual([conn.terminal.encoding, conn.terminal.encodingSource], ['cp437', 'ttype']);
    const line = negotiatedLine(log, conn);
    assert.equal(line['settledBy'], 'answers');
    assert.equal(line['type'], 'syncterm');
    assert.equal(line['remote'], '127.0.0.1');
  });

  it('hands a silent client over at the deadline, with defaults', async () => {
    const { server, port, log } = await startServer({ negotiationTimeoutMs: 200, defaultEncoding: 'utf8' });
    const accepted = nextConnection(server);
    new RawClient(port);
    const conn = await accepted;
    const line = negotiatedLine(log, conn);
    assert.equal(line['settledBy'], 'deadline');
    assert.ok((line['ms'] as number) >= 190, `settled after ${String(line['ms'])} ms`);
    assert.deepEqual([conn.terminal.type, conn.terminal.encoding, conn.terminal.encodingSource], ['unknown', 'utf8', 'default']);
    assert.deepEqual([conn.terminal.cols, conn.terminal.rows, conn.terminal.sizeSource], [80, 25, 'default']);
  });

  it('delivers bytes typed during negotiation to the session, Enter normalized', async () => {
    const { server, port } = await startServer({ negotiationTimeoutMs: 200 });
    const accepted = nextConnection(server);
    const client = new RawClient(port);
    client.send('early\r\n');
    const conn = await accepted;
    const got: Buffer[] = [];
    conn.on('data', (b) => got.push(b));
    await client.until(() => Buffer.concat(got).toString() === 'early\r', 'the early bytes');
  });

  it('emits resize for a NAWS update after hand-over, once for a report sent twice', async () => {
    const { server, port } = await startServer({ negotiationTimeoutMs: 30_000 });
    const accepted = nextConnection(server);
    const client = new RawClient(port, syncTermLike());
    const conn = await accepted;
    const resizes: [number, number][] = [];
    conn.on('resize', (c, r) => resizes.push([c, r]));
    // inetutils sends each resize twice.
    client.send(Buffer.concat([encodeNaws(132, 43), encodeNaws(132, 43)]));
    await client.until(() => resizes.length > 0, 'a resize');
    client.send(encodeNaws(0, 0));
    client.send(encodeNaws(90, 30));
    await client.until(() => resizes.length > 1, 'a second resize');
    assert.deepEqual(resizes, [[132, 43], [90, 30]]);
    assert.deepEqual([conn.terminal.cols, conn.terminal.rows], [90, 30]);
  });

  it('doubles IAC in what the session writes', async () => {
    const { server, port } = await startServer({ negotiationTimeoutMs: 100 });
    const accepted = nextConnection(server);
    const client = new RawClient(port);
    const conn = await accepted;
    conn.writeBytes(Buffer.from([0x41, 0xff, 0x42]));
    await client.until(() => client.data().length >= 3, 'the written bytes');
    assert.deepEqual([...client.data()], [0x41, 0xff, 0x42], 'the client decodes IAC IAC back to one 0xFF');
  });

  it('answers AYT and turns IAC IP into ^C for the session', async () => {
    const { server, port } = await startServer({ negotiationTimeoutMs: 100 });
    const accepted = nextConnection(server);
    const client = new RawClient(port);
    const conn = await accepted;
    const got: Buffer[] = [];
    conn.on('data', (b) => got.push(b));
    client.send(Buffer.from([Cmd.IAC, Cmd.AYT, Cmd.IAC, Cmd.IP]));
    await client.until(() => client.data().toString().includes('yes') && got.length > 0, 'the AYT reply and ^C');
    assert.deepEqual([...Buffer.concat(got)], [0x03]);
  });

  it('closes a connection that sends 10 MiB of unterminated SB, and another connection still works', async () => {
    const { server, port, log } = await startServer({ negotiationTimeoutMs: 100 });
    let accepted = nextConnection(server);
    const good = new RawClient(port);
    const goodConn = await accepted;
    accepted = nextConnection(server);
    const bad = new RawClient(port);
    const badConn = await accepted;
    const badClosed = closeOf(badConn);

    bad.send(Buffer.from([Cmd.IAC, Cmd.SB, Opt.TTYPE, Ttype.IS]));
    const mib = Buffer.alloc(1024 * 1024, 0x41);
    for (let i = 0; i < 10 && !bad.closed; i++) bad.send(mib);
    const reason = await badClosed;
    assert.equal(reason, 'subnegotiation too long');
    await bad.until(() => bad.closed, 'the server to drop the flooding socket');
    const overflow = log.lines.filter((l) => l['event'] === 'telnet.sb_overflow');
    assert.equal(overflow.length, 1);
    assert.equal(overflow[0]!['remote'], '127.0.0.1');
    assert.equal(overflow[0]!['option'], 'ttype');

    const got: Buffer[] = [];
    goodConn.on('data', (b) => got.push(b));
    good.send('still here\r');
    goodConn.write('hello');
    await good.until(() => Buffer.concat(got).toString() === 'still here\r', 'input on the other connection');
    await good.until(() => good.data().toString() === 'hello', 'output on the other connection');
    assert.equal(goodConn.closed, false);
  });

  it('closes a caller that stopped reading once unsent output passes the cap, with one log line', async () => {
    const { server, port, log } = await startServer({ negotiationTimeoutMs: 100, maxOutputBuffer: 256 * 1024 });
    const accepted = nextConnection(server);
    const client = new RawClient(port);
    const conn = await accepted;
    client.socket.pause();
    const closed = closeOf(conn);
    const chunk = Buffer.alloc(64 * 1024, 0x2e);
    for (let i = 0; i < 2000 && !conn.closed; i++) {
      conn.writeBytes(chunk);
      if (i % 16 === 15) await new Promise((r) => setImmediate(r));
    }
    assert.match(await closed, /stopped reading/);
    assert.equal(log.lines.filter((l) => l['event'] === 'telnet.output_overflow').length, 1);
  });

  it('costs nothing more when a caller hangs up mid-negotiation', async () => {
    // Long enough that the hang-up comes first however loaded the machine (at 150 ms it need not).
    const negotiationTimeoutMs = 1_000;
    const { server, port } = await startServer({ negotiationTimeoutMs });
    let handedOver = 0;
    server.on('connection', () => handedOver++);
    const client = new RawClient(port);
    await client.until(() => client.events.length > 0, 'the opening questions');
    client.socket.destroy();
    // The server lets the caller go when it reads the hang-up: waited for, not timed (a fixed
    // 300 ms could end, on a loaded machine, before the server had read it).
    await eventually(() => server.clientCount() === 0, 'the server to let the caller go');
    // Then past the negotiation deadline, which was set before this wait and so fires first:
    // nothing is handed over for a caller who is gone.
    await delay(negotiationTimeoutMs);
    assert.equal(handedOver, 0);
    assert.equal(server.clientCount(), 0);
  });

  it('closes only that caller when a session listener throws, and logs it', async () => {
    const { server, port, log } = await startServer({ negotiationTimeoutMs: 100 });
    server.once('connection', () => {
      throw new Error('session failed to start');
    });
    const client = new RawClient(port);
    await client.until(() => client.closed, 'the server to hang up');
    const crash = log.lines.find((l) => l['event'] === 'telnet.crash');
    assert.match(String((crash?.['err'] as { message?: string } | undefined)?.message), /session failed to start/);
  });

  it('tells a refused caller why in one short line', async () => {
    const { server, port } = await startServer({ gate: () => ({ allow: false, reason: 'banned for flooding' }) });
    const client = new RawClient(port);
    await client.until(() => client.closed, 'the server to hang up');
    assert.equal(client.data().toString(), 'carrier: banned for flooding. Please call again later.\r\n');
    // Core leaves a refused socket paused until its unref'd 2 s timer, so BaseServer.close()
    // would wait on it with nothing keeping the event loop alive: close without awaiting.
    servers.splice(servers.indexOf(server), 1);
    void server.close();
  });
});
