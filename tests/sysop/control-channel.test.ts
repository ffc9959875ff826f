// The control channel end to end: a board with real telnet callers on it, driven by a raw
// socket client speaking the frame protocol by hand. Every verb, the caps one by one
// (oversized, truncated, invalid JSON, unknown verb, wrong types, flood, silence, the
// 11th client), the audit trail, and the one-shot CLI verbs.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { TelnetCaller } from '../e2e/social-callers.js';
import { RawControl, socketOf } from './control-support.js';

const PW = 'correct-horse-7';

describe('control channel', () => {
  let board: Carrier;
  let alice: TelnetCaller;
  let bob: TelnetCaller;
  const opened: RawControl[] = [];
  const open = async (): Promise<RawControl> => {
    const c = await RawControl.connect(board.dataDir);
    opened.push(c);
    return c;
  };

  before(async () => {
    board = await startCarrier({ logLevel: 'info', yaml: 'control: { idleTimeout: 4s }' });
    await board.addUser('alice', PW);
    await board.addUser('bob', PW);
    alice = await TelnetCaller.login(board.ports.telnet!, 'alice', PW, '127.0.0.2');
    bob = await TelnetCaller.login(board.ports.telnet!, 'bob', PW, '127.0.0.3');
  });
  after(async () => {
    for (const c of opened) c.close();
    alice?.hangup();
    bob?.hangup();
    await board?.stop();
  });

  it('listens on <dataDir>/control.sock with mode 0600', () => {
    assert.equal(statSync(socketOf(board.dataDir)).mode & 0o777, 0o600);
  });

  it('who lists both callers with handle, protocol, idle and address', async () => {
    const c = await open();
    const who = (await c.ok('who')) as { node: number; handle: string; protocol: string; from: string; idle: number }[];
    const byHandle = new Map(who.map((n) => [n.handle, n]));
    assert.equal(byHandle.get('alice')?.protocol, 'telnet');
    assert.equal(byHandle.get('alice')?.from, '127.0.0.2');
    assert.equal(byHandle.get('bob')?.from, '127.0.0.3');
    assert.equal(typeof byHandle.get('bob')?.idle, 'number');
    c.close();
  });

  it('message, broadcast and chat reach the callers; spy streams what a caller types', async () => {
    const c = await open();
    c.keepAlive();
    const who = (await c.ok('who')) as { node: number; handle: string }[];
    const aliceNode = who.find((n) => n.handle === 'alice')!.node;
    const bobNode = who.find((n) => n.handle === 'bob')!.node;

    const mark = alice.raw().length;
    await c.ok('message', { node: aliceNode, text: 'hello alice from the console' });
    await alice.waitRaw('hello alice from the console', 15_000, mark);

    const bobMark = bob.raw().length;
    await c.ok('broadcast', { text: 'board-wide notice 42' });
    await bob.waitRaw('board-wide notice 42', 15_000, bobMark);
    await alice.waitRaw('board-wide notice 42', 15_000, mark);

    const spy = (await c.ok('spy', { node: bobNode })) as { cols: number; rows: number; encoding: string; stream: number };
    assert.equal(spy.cols, 80);
    assert.equal(spy.rows, 25);
    assert.ok(spy.encoding === 'utf8' || spy.encoding === 'cp437');
    bob.send('w');
    let seen = '';
    await eventually(
      () => {
        seen = c.messages
          .filter((m) => m['stream'] === spy.stream && m['event'] === 'data')
          .map((m) => Buffer.from(m['data'] as string, 'base64').toString('latin1'))
          .join('');
        return /online/i.test(seen);
      },
      "the spy to show bob's who's-online screen",
      { timeoutMs: 15_000 },
    );
    // The spy starts with bob's screen drawn again (the main menu, whose 'Who's online' item
    // matches above), so the chat often opens between bob's key and who's online taking the
    // screen: the view then waits under the chat rather than drawing over it (this failed
    // 4 of 4 runs without that, the chat's lines hidden under the list).
    await c.ok('chat', { node: bobNode, action: 'open' });
    await c.ok('chat', { node: bobNode, action: 'say', text: 'sysop here, can you hear me' });
    await bob.waitScreen(/sysop here, can you hear me/);
    await c.ok('unspy', { node: bobNode });
    await c.waitFor((m) => m['stream'] === spy.stream && m['event'] === 'end');
    c.close();
  });

  it('user verbs: show, set-level, lock, unlock, reset-password, notes, flags, delete', async () => {
    await board.addUser('carol', PW);
    const c = await open();
    c.keepAlive();
    const shown = (await c.ok('user.show', { handle: 'carol' })) as { level: number; locked: boolean; calls: unknown[] };
    assert.equal(shown.locked, false);
    assert.deepEqual(((await c.ok('user.set-level', { handle: 'carol', level: 30 })) as { level: number }).level, 30);
    assert.equal(((await c.ok('user.lock', { handle: 'carol' })) as { locked: boolean }).locked, true);
    assert.equal(((await c.ok('user.unlock', { handle: 'carol' })) as { locked: boolean }).locked, false);
    assert.equal(((await c.ok('user.set-notes', { handle: 'carol', notes: 'met at the meetup' })) as { notes: string }).notes, 'met at the meetup');
    assert.equal(((await c.ok('user.set-flags', { handle: 'carol', flags: 'DA' })) as { flags: string }).flags, 'AD');
    assert.equal(((await c.ok('user.set-location', { handle: 'carol', location: ' Cork, Ireland ' })) as { location: string }).location, 'Cork, Ireland');
    const tooLong = await c.call('user.set-location', { handle: 'carol', location: 'x'.repeat(41) });
    assert.equal((tooLong['error'] as { code: string }).code, 'bad_args');
    assert.equal(((await c.ok('user.set-location', { handle: 'carol', location: '' })) as { location: string | null }).location, null);
    const reset = (await c.ok('user.reset-password', { handle: 'carol' })) as { password: string; generated: boolean };
    assert.equal(reset.generated, true);
    const list = (await c.ok('user.list', { search: 'car' })) as { handle: string }[];
    assert.deepEqual(list.map((u) => u.handle), ['carol']);
    // The new password works for a real login.
    const carol = await TelnetCaller.login(board.ports.telnet!, 'carol', reset.password, '127.0.0.4');
    carol.hangup();
    const missing = await c.call('user.show', { handle: 'nobody-here' });
    assert.equal((missing['error'] as { code: string }).code, 'not_found');
    const del = (await c.ok('user.delete', { handle: 'carol' })) as { handle: string };
    assert.equal(del.handle, 'carol');
    assert.equal(((await c.call('user.show', { handle: 'carol' }))['error'] as { code: string }).code, 'not_found');
    c.close();
  });

  it('a locked account cannot log in', async () => {
    await board.addUser('dave', PW);
    const c = await open();
    await c.ok('user.lock', { handle: 'dave' });
    c.close();
    const refused = TelnetCaller.login(board.ports.telnet!, 'dave', PW, '127.0.0.5');
    refused.catch(() => undefined);
    await board.waitForLog((l) => l['event'] === 'login.locked', 20_000);
    const again = await open();
    await again.ok('user.unlock', { handle: 'dave' });
    again.close();
    const dave = await TelnetCaller.login(board.ports.telnet!, 'dave', PW, '127.0.0.5');
    dave.hangup();
  });

  it('ban, bans, unban, stats and reload', async () => {
    const c = await open();
    await c.ok('ban', { target: '192.0.2.0/24', for: '1h', reason: 'test ban' });
    const bans = (await c.ok('bans')) as { target: string }[];
    assert.ok(bans.some((b) => b.target === '192.0.2.0/24'));
    await c.ok('unban', { target: '192.0.2.0/24' });
    assert.equal(((await c.call('unban', { target: '192.0.2.0/24' }))['error'] as { code: string }).code, 'not_found');
    const stats = (await c.ok('stats')) as { today: { name: string; count: number }[] };
    assert.ok((stats.today.find((s) => s.name === 'calls')?.count ?? 0) >= 2);
    assert.ok((stats.today.find((s) => s.name === 'new users')?.count ?? 0) >= 2);
    const reload = (await c.ok('reload')) as { checked: string[]; problems: string[] };
    assert.deepEqual(reload.problems, []);
    assert.ok(reload.checked.includes('menus'));
    c.close();
  });

  it('log follow streams each new warning as a line event (the console log panel lives on these)', async () => {
    const c = await open();
    const r = await c.call('log', { follow: true });
    assert.equal(r['ok'], true, JSON.stringify(r));
    const stream = (r['result'] as { stream: number }).stream;
    const from = c.messages.length;
    await c.ok('ban', { target: '198.51.100.7', for: '1h', reason: 'followed live' });
    const ev = await c.waitFor((m) => m['stream'] === stream && m['event'] === 'line' && String(m['line']).includes('198.51.100.7'), 15_000, from);
    assert.equal(ev['level'], 'warn');
    assert.equal(ev['logEvent'], 'security.ban');
    await c.ok('unban', { target: '198.51.100.7' });
    c.close();
  });

  it('kick hangs the caller up', async () => {
    const c = await open();
    const bobNode = ((await c.ok('who')) as { node: number; handle: string }[]).find((n) => n.handle === 'bob')!.node;
    // Naming who is meant: a node that is someone else now (its caller left, a new one got
    // the number between the sysop's look and the kick) is not hung up, nor sent a message.
    const notBob = await c.call('kick', { node: bobNode, handle: 'somebody-else' });
    assert.equal((notBob['error'] as { code: string; message: string }).code, 'not_found', JSON.stringify(notBob));
    assert.match((notBob['error'] as { message: string }).message, /not somebody-else/);
    assert.equal(((await c.call('message', { node: bobNode, handle: 'somebody-else', text: 'hi' }))['error'] as { code: string }).code, 'not_found');
    assert.equal(bob.closed, false);
    await c.ok('kick', { node: bobNode, handle: 'BOB', reason: 'testing kicks' });
    await eventually(() => bob.closed, 'the kick to hang up bob', { timeoutMs: 15_000 });
    assert.equal(((await c.call('kick', { node: 999 }))['error'] as { code: string }).code, 'not_found');
    c.close();
  });

  it('unknown verbs and wrong argument types are errors, and the client may go on', async () => {
    const c = await open();
    const unknown = await c.call('eval', { code: 'process.exit(1)' });
    assert.equal((unknown['error'] as { code: string }).code, 'unknown_verb');
    const wrong = await c.call('kick', { node: 'two' });
    assert.equal((wrong['error'] as { code: string }).code, 'bad_args');
    const extra = await c.call('who', { sneaky: true });
    assert.equal((extra['error'] as { code: string }).code, 'bad_args');
    assert.ok(Array.isArray(await c.ok('who')));
    c.close();
    await board.waitForLog((l) => l['event'] === 'control.unknown_verb');
    await board.waitForLog((l) => l['event'] === 'control.bad_args');
  });

  it('the one-shot CLI verbs: who, broadcast, kick, status', async () => {
    const who = await board.cli(['who']);
    assert.equal(who.code, 0, who.stderr);
    assert.match(who.stdout, /alice +telnet/);
    const b = await board.cli(['broadcast', 'from', 'the', 'cli']);
    assert.equal(b.code, 0, b.stderr);
    const mark = alice.raw().length;
    await alice.waitRaw('from the cli', 15_000, mark - 200 > 0 ? mark - 200 : 0);
    const status = await board.cli(['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /online: alice \(node \d+, telnet\)/);
    const usage = await board.cli(['kick', '#2']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /kick needs a node number/);
    const aliceNode = /(\d+) +alice/.exec(who.stdout)![1]!;
    const k = await board.cli(['kick', aliceNode]);
    assert.equal(k.code, 0, k.stderr);
    await eventually(() => alice.closed, '`carrier kick` to hang up alice', { timeoutMs: 15_000 });
  });
});
