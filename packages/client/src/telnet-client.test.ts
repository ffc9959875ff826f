import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ErrorCodes, TimeoutError, isCarrierError } from '@carrier/core';
import { Opt } from '@carrier/telnet';
import { eventually } from '@carrier/core/testing';
import { connect } from './telnet-client.js';
import { DO, DONT, IAC, SB, SE, WILL, WONT, ScriptedServer } from './test-support.js';

describe('the client against a byte-scripted server', () => {
  let server: ScriptedServer;
  before(async () => {
    server = await ScriptedServer.start();
  });
  after(() => server.close());

  const open = async (opts: Parameters<typeof connect>[0] = {}) => {
    const c = await connect({ port: server.port, timeout: 2000, ...opts });
    await server.accepted();
    return c;
  };

  it('answers DO TTYPE and SEND with its terminal type, and DO NAWS with its size', async () => {
    const c = await open({ terminalType: 'syncterm', cols: 132, rows: 50 });
    server.send([IAC, DO, Opt.TTYPE, IAC, DO, Opt.NAWS]);
    await server.waitFor([IAC, SB, Opt.NAWS, 0, 132, 0, 50, IAC, SE]);
    server.send([IAC, SB, Opt.TTYPE, 1, IAC, SE]);
    await server.waitFor([IAC, SB, Opt.TTYPE, 0, ...Buffer.from('syncterm'), IAC, SE]);
    assert.ok(server.received.includes(Buffer.from([IAC, WILL, Opt.TTYPE, IAC, WILL, Opt.NAWS])));
    await c.close();
  });

  it('sends what the option callback decides, in place of its own decision', async () => {
    const c = await open({ onOption: (cmd, option) => (option === Opt.NAWS ? false : option === 99 ? true : undefined) });
    server.send([IAC, DO, Opt.NAWS, IAC, WILL, 99, IAC, WILL, Opt.ECHO]);
    await server.waitFor([IAC, DO, Opt.ECHO]);
    assert.deepEqual([...server.received], [IAC, WONT, Opt.NAWS, IAC, DO, 99, IAC, DO, Opt.ECHO]);
    assert.equal(c.optionEnabled('him', 99), true);
    assert.equal(c.optionEnabled('us', Opt.NAWS), false);
    await c.close();
  });

  it('refuses TSPEED agreed by the callback when nothing can answer its SEND, and answers it through onSubnegotiation', async () => {
    const refused = await open({ onOption: (_cmd, option) => (option === Opt.TSPEED ? true : undefined) });
    server.clear();
    server.send([IAC, DO, Opt.TSPEED]);
    await server.waitFor([IAC, WONT, Opt.TSPEED]);
    await refused.close();
    const answering = await open({
      onOption: (_cmd, option) => (option === Opt.TSPEED ? true : undefined),
      onSubnegotiation: (option, data) => (option === Opt.TSPEED && data[0] === 1 ? Buffer.from('\x0038400,38400') : undefined),
    });
    server.clear();
    server.send([IAC, DO, Opt.TSPEED]);
    await server.waitFor([IAC, WILL, Opt.TSPEED]);
    server.send([IAC, SB, Opt.TSPEED, 1, IAC, SE]);
    await server.waitFor([IAC, SB, Opt.TSPEED, 0, ...Buffer.from('38400,38400'), IAC, SE]);
    await answering.close();
  });

  it('interact() hands the call to a terminal until the escape byte, with Enter as the modes ask', async () => {
    const { PassThrough } = await import('node:stream');
    const c = await open();
    server.send(Buffer.from('before\r\n'));
    const input = new PassThrough();
    let shown = '';
    const done = c.interact({ input, output: { write: (t: string) => (shown += t) } });
    server.clear();
    input.write('HELO x\r');
    await server.waitFor('HELO x\r\n');
    server.send(Buffer.from('250 ok\r\n'));
    await eventually(() => shown.includes('250 ok'), "the board's answer on the terminal", { timeoutMs: 10_000, intervalMs: 10 });
    assert.match(shown, /before\r\n[\s\S]*250 ok/);
    input.write(Buffer.from([0x71, 0x1d, 0x72]));
    assert.equal(await done, 'escape');
    await server.waitFor('q');
    assert.equal(server.received.includes(Buffer.from('r')), false, 'keys after the escape byte stay local');
    await c.close();
  });

  it('switches the byte trace on and off on an open connection', async () => {
    const c = await open();
    const lines: string[] = [];
    c.setDebug((l) => lines.push(l));
    c.write('ping');
    await server.waitFor('ping');
    assert.ok(lines.some((l) => l.includes('> data 4 "ping"')), lines.join('\n'));
    c.setDebug(false);
    const n = lines.length;
    c.write('pong');
    await server.waitFor('pong');
    assert.equal(lines.length, n);
    await c.close();
  });

  it('doubles IAC in what it writes, reads a doubled IAC as one 0xFF, and writeRaw leaves bytes alone', async () => {
    const c = await open({ encoding: 'cp437' });
    server.clear();
    c.write(Buffer.from([0x41, 0xff, 0x42]));
    await server.waitFor([0x41, 0xff, 0xff, 0x42]);
    server.clear();
    c.writeRaw(Buffer.from([IAC, 246]));
    await server.waitFor([IAC, 246]);
    assert.deepEqual([...server.received], [IAC, 246]);
    server.send([0x61, IAC, IAC, 0x62, 0x0a]);
    // 0xFF is a non-breaking space in CP437.
    assert.equal(await c.readUntil('\n'), 'a\u00a0b\n');
    await c.close();
  });

  it("drops a telnetd's bare data mark (0xF2 after an interrupt) until the server sends in BINARY, then reads it as data", async () => {
    const c = await open({ encoding: 'cp437' });
    // inetutils telnetd after Ctrl-C: IAC goes as TCP urgent data, the DM arrives alone.
    server.send([0xf2, 0x5e, 0x43, 0x0a]);
    assert.equal(await c.readUntil('\n'), '^C\n');
    server.send([IAC, WILL, Opt.BINARY]);
    await server.waitFor([IAC, DO, Opt.BINARY]);
    server.send([0xf2, 0x0a]);
    assert.equal(await c.readUntil('\n'), '\u2265\n', "in BINARY, 0xF2 is CP437 '≥'");
    await c.close();
  });

  it('handles a negotiation, a UTF-8 character and a cursor probe split at every byte', async () => {
    const c = await open({ terminalType: 'xterm', cols: 90, rows: 33 });
    await server.sendSplit(
      Buffer.concat([
        Buffer.from([IAC, DO, Opt.TTYPE, IAC, SB, Opt.TTYPE, 1, IAC, SE]),
        Buffer.from('╔═╗ \x1b[6n ok\n', 'utf8'),
      ]),
    );
    assert.equal(await c.readUntil('ok\n'), '╔═╗ \x1b[6n ok\n');
    await server.waitFor('\x1b[33;90R');
    assert.ok(server.received.includes(Buffer.from([IAC, SB, Opt.TTYPE, 0, ...Buffer.from('xterm'), IAC, SE])));
    await c.close();
  });

  it('answers a cursor-position probe with its size, and the new size after a resize', async () => {
    const c = await open({ cols: 80, rows: 25 });
    server.send('\x1b[999;999H\x1b[6n');
    await server.waitFor('\x1b[25;80R');
    server.clear();
    c.resize(120, 40);
    server.send('\x1b[6n');
    await server.waitFor('\x1b[40;120R');
    assert.equal(server.received.includes(Buffer.from([IAC, SB])), false, 'no NAWS: the server never asked for it');
    await c.close();
  });

  it('times out a read with the text that did arrive, and keeps that text readable', async () => {
    const c = await open();
    server.send('Welcome. Say the magic word: ');
    await assert.rejects(c.readUntil('login:', { timeout: 150 }), (err: unknown) => {
      assert.ok(err instanceof TimeoutError);
      assert.equal(err.code, ErrorCodes.TIMEOUT);
      assert.equal(err.received, 'Welcome. Say the magic word: ');
      return true;
    });
    assert.equal(c.readAvailable(), 'Welcome. Say the magic word: ');
    await c.close();
  });

  it('expect says which pattern matched first and what came before it', async () => {
    const c = await open();
    server.send('Bad password.\r\nLogin incorrect\r\nlogin: ');
    const r = await c.expect([/login:/, /Login incorrect/, 'password']);
    assert.equal(r.index, 2);
    assert.equal(r.before, 'Bad ');
    const next = await c.expect([/login:/, /Login incorrect/]);
    assert.equal(next.index, 1);
    assert.equal(next.match[0], 'Login incorrect');
    await c.close();
  });

  it('fails a waiting read with CONNECTION_CLOSED when the server hangs up', async () => {
    const c = await open();
    const read = c.readUntil('never');
    server.send('bye\r\n');
    server.hangUp();
    await assert.rejects(read, (err: unknown) => isCarrierError(err, ErrorCodes.CONNECTION_CLOSED));
    assert.equal(c.closeReason, 'remote hung up');
    assert.equal(c.readAvailable(), 'bye\r\n');
    assert.throws(() => c.write('x'), (err: unknown) => isCarrierError(err, ErrorCodes.CONNECTION_CLOSED));
  });

  it('refuses a second read while one is waiting', async () => {
    const c = await open();
    const first = c.readUntil('x', { timeout: 1000 });
    await assert.rejects(c.readUntil('y'), (err: unknown) => isCarrierError(err, ErrorCodes.VALIDATION));
    server.send('x');
    assert.equal(await first, 'x');
    await c.close();
  });

  it('iterates over incoming text until the server hangs up', async () => {
    const c = await open();
    server.send('one ');
    const chunks: string[] = [];
    const done = (async () => {
      for await (const text of c) {
        chunks.push(text);
        if (text.includes('one')) {
          server.send('two');
          server.hangUp();
        }
      }
    })();
    await done;
    assert.equal(chunks.join(''), 'one two');
  });

  it('reads everything until close with readAll', async () => {
    const c = await open();
    server.send('who is online:\r\n  alice\r\n');
    server.hangUp();
    assert.equal(await c.readAll(), 'who is online:\r\n  alice\r\n');
  });

  it('logs every byte in debug mode with telnet commands named', async () => {
    const lines: string[] = [];
    const c = await open({ debug: (l) => lines.push(l) });
    server.send([IAC, DO, Opt.NAWS, 0x68, 0x69]);
    await c.readUntil('hi');
    await server.waitFor([IAC, SE]);
    const shown = lines.map((l) => l.replace(/^\s*[\d.]+ms /, ''));
    assert.deepEqual(shown.slice(0, 4), ['< IAC DO NAWS', '< data 2 "hi"', '> IAC WILL NAWS', '> IAC SB NAWS 80x25 IAC SE']);
    await c.close();
  });

  it('feeds a screen model that shows the screen and answers its own cursor probes', async () => {
    const c = await open({ screen: true, cols: 40, rows: 12, encoding: 'cp437' });
    server.send(Buffer.concat([Buffer.from('\x1b[2J\x1b[2;3H'), Buffer.from([0xc9, 0xcd, 0xbb]), Buffer.from(' menu\x1b[6n')]));
    await server.waitFor('\x1b[2;11R');
    await c.screen!.settle();
    assert.equal(c.screen!.lines()[1], '  ╔═╗ menu');
    assert.deepEqual(c.screen!.cursor(), { row: 1, col: 10 });
    await c.close();
  });
});

describe('the client in raw mode', () => {
  it('talks to a line server with no telnet processing, 0xFF untouched both ways', async () => {
    const got: Buffer[] = [];
    const line = net.createServer((s) => {
      s.write('220 ready\r\n');
      s.on('data', (d: Buffer) => {
        got.push(d);
        if (d.includes(0x0a)) s.end(Buffer.concat([Buffer.from('250 '), Buffer.from([IAC, DONT, 1]), Buffer.from(' done\r\n')]));
      });
    });
    await new Promise<void>((r) => line.listen(0, '127.0.0.1', r));
    try {
      const c = await connect({ port: (line.address() as net.AddressInfo).port, raw: true, encoding: 'cp437' });
      assert.equal(await c.readUntil('\r\n'), '220 ready\r\n');
      c.write(Buffer.from([0x48, 0xff]));
      c.writeLine('');
      assert.equal(await c.readUntil('done\r\n'), '250 \u00a0■\x01 done\r\n');
      assert.deepEqual([...Buffer.concat(got)], [0x48, 0xff, 0x0d, 0x0a]);
      await c.whenClosed();
    } finally {
      line.close();
    }
  });

  it('rejects a connection refused with the socket error', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await assert.rejects(connect({ port }), { code: 'ECONNREFUSED' });
  });
});
