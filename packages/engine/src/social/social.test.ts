import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { TopicPayload } from '../topics.js';
import { createTestBoard, delay, FakeConnection, type TestBoard } from '../test-support.js';

const PASSWORD = 'tuba-lamp-7x';
/** blessed moves over blank cells instead of printing spaces: match words with either between. */
const words = (text: string): RegExp => new RegExp(text.split(' ').join('(?: |\\x1b\\[\\d*C)'));
const boards: TestBoard[] = [];
afterEach(async () => {
  for (const b of boards.splice(0)) await b.close();
});

async function board(main: string): Promise<TestBoard> {
  const b = await createTestBoard({ main });
  boards.push(b);
  for (const handle of ['Ann', 'Mallory']) await b.store.users.create({ handle, password: PASSWORD });
  return b;
}

/** A caller the front end already logged in as `user`, running the board's main script. */
function call(b: TestBoard, user = 'ann') {
  return b.connect(new FakeConnection({ identity: { user, via: 'ssh-password' } }));
}

const page = (toSessionId: string, text: string): TopicPayload<'page'> => ({
  toSessionId,
  fromSessionId: 's-elsewhere',
  fromHandle: 'Mallory',
  fromNode: 7,
  text,
  at: Date.now(),
});

describe('notices reach a caller wherever they are', () => {
  it('a page prints above the prompt and the half-typed line comes back below it, cursor in place', async () => {
    const b = await board(`export default async (s) => { s.print('Name: '); s.println('[' + await s.readLine() + ']'); };`);
    const { conn, session } = call(b);
    await conn.waitFor('Name: ');
    conn.type('hal');
    await conn.waitFor('hal');
    const mark = conn.screen.length;
    b.bus.publish('page', page(session.id, 'lunch? \x1b[2J'));
    const after = (await conn.waitFor('Page from')).slice(mark);
    assert.equal(after, '\r\x1b[K\x1b[0;1;33m*** Page from Mallory (node 7): \x1b[0;37mlunch?\x1b[0m\x1b[0m\r\nName: hal');
    conn.type('f\r');
    await conn.waitFor('[half]');
    await session.done;
  });

  it('do-not-disturb turns pages and chat requests away, but not broadcasts or sysop messages', async () => {
    const b = await board(`export default async (s) => { s.social.setDoNotDisturb(true); s.println('quiet please'); await s.readKey(); };`);
    const answers: Array<TopicPayload<'private.answer'>> = [];
    b.bus.subscribe('private.answer', (a) => answers.push(a));
    const { conn, session } = call(b);
    await conn.waitFor('quiet please');
    b.bus.publish('page', page(session.id, 'are you there'));
    b.bus.publish('private.request', { chatId: 'c-1', toSessionId: session.id, fromSessionId: 's-m', fromHandle: 'Mallory', fromNode: 7, at: Date.now() });
    b.bus.publish('broadcast', { from: 'Sysop', text: 'maintenance at noon', at: Date.now() });
    b.bus.publish('session.message', { sessionId: session.id, from: 'Sysop', text: 'hello you' });
    await conn.waitFor('hello you');
    assert.doesNotMatch(conn.screen, /are you there|wants to chat/);
    assert.match(conn.screen, /Broadcast from Sysop: .*maintenance at noon/);
    assert.deepEqual(
      answers.map((a) => [a.chatId, a.toSessionId, a.accepted, a.reason]),
      [['c-1', 's-m', false, 'do not disturb']],
    );
    assert.equal((await b.bus.presence.snapshot())[0]?.dnd, true);
    conn.type('x');
    await session.done;
  });

  it('notices wait while a full-screen view that cannot show them has the screen, and show at the next prompt after it', async () => {
    const b = await board(`export default async (s) => {
      const v = s.view();
      v.screen.key('x', () => v.close());
      s.println('view open');
      await v.result;
      s.clear();
      s.print('Command: ');
      await s.readKey();
    };`);
    const { conn, session } = call(b);
    await conn.waitFor('view open');
    const mark = conn.screen.length;
    b.bus.publish('page', page(session.id, 'held for later'));
    await delay(50);
    assert.doesNotMatch(conn.screen.slice(mark), /held for later/);
    conn.type('x');
    await conn.waitFor('held for later');
    // Not as the view closed (the clear that follows would wipe it): above the next prompt, which is drawn again below.
    const shown = conn.screen.slice(conn.screen.lastIndexOf('\x1b[2J'));
    assert.match(shown, /held for later[^]*\r\nCommand: $/);
    conn.type('q');
    await session.done;
  });

  it('a view that shows one notice at a time shows them all again as lines once it closes, when one hid another', async () => {
    const b = await board(`export default async (s) => { s.println('pick:'); const i = await s.lightbar(['one', 'two']); s.println('picked ' + i); await s.readKey(); };`);
    const { conn, session } = call(b);
    await conn.waitFor('two');
    b.bus.publish('page', page(session.id, 'first of two'));
    await conn.waitFor('first of two');
    b.bus.publish('broadcast', { from: 'Sysop', text: 'second hides it', at: Date.now() });
    await conn.waitFor('second hides it');
    const mark = conn.screen.length;
    conn.type('\r');
    await conn.waitFor('picked 0');
    const after = (await conn.waitFor(/second hides it[^]*second hides it/)).slice(mark);
    const first = after.indexOf('*** Page from Mallory (node 7): \x1b[0;37mfirst of two');
    const second = after.indexOf('*** Broadcast from Sysop: \x1b[0;37msecond hides it');
    assert.ok(first >= 0 && second > first, `both notices again, in order: ${JSON.stringify(after)}`);
    conn.type('q');
    await session.done;
  });

  it('a single notice in a one-notice view is not shown twice', async () => {
    const b = await board(`export default async (s) => { s.println('pick:'); const i = await s.lightbar(['one', 'two']); s.println('picked ' + i); await s.readKey(); };`);
    const { conn, session } = call(b);
    await conn.waitFor('two');
    b.bus.publish('page', page(session.id, 'only one'));
    await conn.waitFor('only one');
    const mark = conn.screen.length;
    conn.type('\r');
    await conn.waitFor('picked 0');
    assert.doesNotMatch(conn.screen.slice(mark), /only one/);
    conn.type('q');
    await session.done;
  });

  it('presence carries the chat room a caller is in', async () => {
    const b = await board(`export default async (s) => { s.social.setRoom('retro'); s.println('in retro'); await s.readKey(); };`);
    const { conn, session } = call(b);
    await conn.waitFor('in retro');
    await delay(20);
    assert.equal((await b.bus.presence.snapshot())[0]?.room, 'retro');
    conn.type('x');
    await session.done;
  });
});

describe('answering a chat request from a plain prompt', () => {
  it('^Y opens the split screen, the two exchange lines over the bus, and the prompt comes back after', async () => {
    const b = await board(`export default async (s) => { s.print('Command: '); const k = await s.readKey(); s.println('got ' + k); };`);
    const seen: Array<{ topic: string; payload: unknown }> = [];
    for (const topic of ['private.answer', 'private.line', 'private.end'] as const) b.bus.subscribe(topic, (p) => seen.push({ topic, payload: p }));
    const { conn, session } = call(b);
    await conn.waitFor('Command: ');
    b.bus.publish('private.request', { chatId: 'c-9', toSessionId: session.id, fromSessionId: 's-m', fromHandle: 'Mallory', fromNode: 7, at: Date.now() });
    await conn.waitFor('Mallory (node 7) wants to chat with you');
    conn.type('\x19');
    await conn.waitFor(words('chatting with Mallory'));
    assert.deepEqual(seen.shift()?.payload, { chatId: 'c-9', toSessionId: 's-m', fromSessionId: session.id, fromHandle: 'Ann', fromNode: session.node, accepted: true });

    b.bus.publish('private.line', { chatId: 'c-9', toSessionId: session.id, fromSessionId: 's-m', text: 'hi from below \x1b[2J', at: Date.now() });
    await conn.waitFor(words('hi from below'));
    conn.type('hello up here\r');
    await delay(50);
    const line = seen.find((e) => e.topic === 'private.line' && (e.payload as TopicPayload<'private.line'>).fromSessionId === session.id)?.payload as TopicPayload<'private.line'> | undefined;
    assert.deepEqual(line && { chatId: line.chatId, to: line.toSessionId, text: line.text }, { chatId: 'c-9', to: 's-m', text: 'hello up here' });

    b.bus.publish('private.end', { chatId: 'c-9', toSessionId: session.id, fromSessionId: 's-m', reason: 'left' });
    // blessed redraws only changed cells, so the status words arrive in pieces: the e2e
    // tests read them off a terminal emulator; here the end only has to be taken in.
    await delay(50);
    conn.type('\x1b');
    await conn.waitFor('(back where you were)');
    assert.match(conn.screen.slice(conn.screen.lastIndexOf('(back where you were)')), /Command: $/);
    assert.ok(!seen.some((e) => e.topic === 'private.end' && (e.payload as TopicPayload<'private.end'>).fromSessionId === session.id), 'the side that stayed does not announce an end the other already sent');
    conn.type('q');
    await conn.waitFor('got q');
    await session.done;
  });

  it("a request lapses after the board's chatRequestTimeoutMs (config limits.chatRequestTimeout), not a fixed minute", async () => {
    const b = await createTestBoard({ main: `export default async (s) => { s.print('Command: '); await s.readKey(); };` }, { chatRequestTimeoutMs: 5_000 });
    boards.push(b);
    await b.store.users.create({ handle: 'Ann', password: PASSWORD });
    const { conn, session } = call(b);
    await conn.waitFor('Command: ');
    const request = (chatId: string) => ({ chatId, toSessionId: session.id, fromSessionId: 's-m', fromHandle: 'Mallory', fromNode: 7, at: 1_000 });
    assert.equal(session.social.invite(request('c-1'), 1_000), true);
    assert.equal(session.social.takeInvitation('c-1', 6_000)?.chatId, 'c-1', 'still waiting at the timeout');
    assert.equal(session.social.invite(request('c-2'), 1_000), true);
    assert.equal(session.social.takeInvitation('c-2', 6_001), undefined, 'lapsed past it');
    conn.type('q');
    await session.done;
  });

  it('in a lightbar the request shows below the list and ^Y still answers it', async () => {
    const b = await board(`export default async (s) => { s.println('pick:'); const i = await s.lightbar(['one', 'two']); s.println('picked ' + i); };`);
    const { conn, session } = call(b);
    await conn.waitFor('two');
    b.bus.publish('private.request', { chatId: 'c-8', toSessionId: session.id, fromSessionId: 's-m', fromHandle: 'Mallory', fromNode: 7, at: Date.now() });
    const shown = await conn.waitFor('Mallory (node 7) wants to chat with you');
    // From the highlight (row 0) down to the last row, then the new row below it.
    assert.match(shown.slice(shown.lastIndexOf('two')), /\x1b\[1B\x1b\[0m\r\n\x1b\[K/);
    conn.type('\x19');
    await conn.waitFor(words('chatting with Mallory'));
  });

  it('a caller who hangs up mid-chat tells the other side', async () => {
    const b = await board(`export default async (s) => { s.print('Command: '); await s.readKey(); };`);
    const ends: Array<TopicPayload<'private.end'>> = [];
    b.bus.subscribe('private.end', (e) => ends.push(e));
    const { conn, session } = call(b);
    await conn.waitFor('Command: ');
    b.bus.publish('private.request', { chatId: 'c-5', toSessionId: session.id, fromSessionId: 's-m', fromHandle: 'Mallory', fromNode: 7, at: Date.now() });
    conn.type('\x19');
    await conn.waitFor(words('chatting with Mallory'));
    conn.reset();
    await session.done;
    assert.deepEqual(ends.map((e) => [e.chatId, e.toSessionId, e.reason]), [['c-5', 's-m', 'hung up']]);
  });
});

describe('a chat room fed from the bus', () => {
  it('a line from another process is shown with its escape sequences removed', async () => {
    const b = await board(`import { chatRoom } from '@carrier/engine'; export default async (s) => { await chatRoom(s); };`);
    const { conn, session } = call(b);
    await conn.waitFor('You are in #lobby');
    const mark = conn.screen.length;
    b.bus.publish('chat.line', { id: 'x1', room: 'lobby', sessionId: 's-m', node: 7, handle: 'Mallory', kind: 'say', text: 'x\x1b[2J\x1b]0;t\x07y', at: Date.now() });
    await conn.waitFor('Mallory');
    const after = conn.screen.slice(mark);
    assert.match(after, /<Mallory> \x1b\[0;37mxy/);
    assert.ok(!after.includes('\x1b[2J') && !after.includes('\x1b]'));
    conn.type('/quit\r');
    await session.done;
  });
});
