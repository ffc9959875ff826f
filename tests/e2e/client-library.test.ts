// @carrier/client against carrier itself: a script logs in, reads who's online, expects
// prompts, resizes, times out with the text it did get, sees the screen as a person
// would, and talks raw.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, TimeoutError, type ConnectOptions } from '@carrier/client';
import { startCarrier, type Carrier } from '../harness.js';

describe('the client library against carrier', () => {
  let board: Carrier;
  before(async () => {
    board = await startCarrier();
    await board.addUser('alice', 'wonderland7');
  });
  after(() => board.stop());

  const call = (opts: ConnectOptions = {}) => connect({ port: board.ports.telnet!, ...opts });

  it('logs in and reads who\'s online, after a negotiation that finished on answers alone', async () => {
    const c = await call({ terminalType: 'xterm-256color', cols: 100, rows: 30 });
    await c.readUntil('login:');
    c.writeLine('alice');
    await c.readUntil('password:');
    c.writeLine('wonderland7');
    await c.readUntil('Command:');
    c.write('w');
    const list = await c.readUntil(/press a key/i);
    assert.match(list, /Who's online/);
    assert.match(list, /alice\s+telnet/);
    c.write(' ');
    await c.readUntil('Command:');
    c.write('g');
    assert.match(await c.readAll(), /Goodbye, .*alice/);
    assert.equal(c.closeReason, 'remote hung up');
    const n = board.logs.find((l) => l['event'] === 'telnet.negotiated' && l['type'] === 'xterm-256color' && l['cols'] === 100);
    assert.ok(n, 'negotiated as xterm-256color at 100 columns');
    assert.equal(n['rows'], 30);
    assert.equal(n['settledBy'], 'answers', 'every question answered: no deadline waited out');
    assert.equal(n['encoding'], 'utf8');
  });

  it('expects whichever prompt comes: Login incorrect after a wrong password', async () => {
    const c = await call();
    await c.readUntil('login:');
    c.writeLine('alice');
    await c.readUntil('password:');
    c.writeLine('not-her-password');
    const r = await c.expect([/Command:/, /Login incorrect/]);
    assert.equal(r.index, 1);
    await c.close();
  });

  it('tells the board about a resize with NAWS', async () => {
    const c = await call({ cols: 80, rows: 25 });
    await c.readUntil('login:');
    c.writeLine('alice');
    await c.readUntil('password:');
    c.writeLine('wonderland7');
    await c.readUntil('Command:');
    c.resize(132, 50);
    await board.waitForLog((l) => l['event'] === 'session.resize' && l['cols'] === 132 && l['rows'] === 50);
    await c.close();
  });

  it('times out with the text received so far attached', async () => {
    const c = await call();
    await assert.rejects(c.readUntil('this prompt never comes', { timeout: 1500 }), (err: unknown) => {
      assert.ok(err instanceof TimeoutError);
      assert.match(err.received, /welcome[\s\S]*login:/);
      return true;
    });
    await c.close();
  });

  it('answers the board\'s size probe with its own size when it refuses NAWS', async () => {
    const c = await call({ cols: 120, rows: 40, onOption: (cmd, option) => (cmd === 'DO' && option === 31 ? false : undefined) });
    await c.readUntil('login:');
    await board.waitForLog((l) => l['event'] === 'session.probed' && l['cols'] === 120 && l['rows'] === 40);
    await c.close();
  });

  it('reads the CP437 welcome art as box drawing, and a screen model shows it where a person would see it', async () => {
    const c = await call({ encoding: 'cp437', screen: true, cols: 80, rows: 25 });
    const text = await c.readUntil('login:');
    assert.match(text, /╔══\x1b\[1;37m welcome/);
    await c.screen!.settle();
    const lines = c.screen!.lines();
    assert.match(lines[0]!, /^╔══ welcome ═+╗$/);
    assert.match(lines[10]!, /^╚═+╝$/);
    const loginRow = lines.findIndex((l) => l.startsWith('login:'));
    assert.deepEqual(c.screen!.cursor(), { row: loginRow, col: 'login: '.length });
    await c.close();
  });

  it('in raw mode gets the board\'s negotiation as bytes and answers nothing', async () => {
    const c = await call({ raw: true, encoding: 'cp437' });
    const text = await c.readUntil('login:');
    // IAC WILL ECHO, as CP437 reads those bytes: 0xFF 0xFB 0x01.
    assert.ok(text.startsWith('\u00a0√\x01'), JSON.stringify(text.slice(0, 12)));
    await c.close();
    const silent = await board.waitForLog((l) => l['event'] === 'telnet.negotiated' && l['settledBy'] === 'deadline');
    assert.equal(silent['type'], 'unknown', 'the board heard no terminal type from a raw client');
  });
});
