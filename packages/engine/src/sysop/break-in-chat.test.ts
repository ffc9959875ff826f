import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import type { BreakInEvent } from '../topics.js';
import { createTestBoard, type TestBoard } from '../test-support.js';
import { BreakInChat } from './break-in-chat.js';

const boards: TestBoard[] = [];
const chats: BreakInChat[] = [];
afterEach(async () => {
  for (const c of chats.splice(0)) c.dispose();
  for (const b of boards.splice(0)) await b.close();
});

/** What the test shares with the script (both run in this process). */
interface Probe {
  /** the view is created once this resolves: the test decides when it takes the screen */
  gate: Promise<void>;
  opened: boolean;
  keys: string[];
}
const probe = (): Probe => (globalThis as unknown as { breakInProbe: Probe }).breakInProbe;

/** `w` starts opening a full-screen view that takes the screen only when the test lets it (as who's online does after its fetch). */
const OPENING_VIEW = `export default async (s) => {
  const probe = globalThis.breakInProbe;
  s.println('at-the-menu');
  await s.readKey();
  s.println('opening-the-view');
  await probe.gate;
  const v = s.view();
  v.blessed.box({ parent: v.screen, top: 1, left: 2, width: 30, height: 3, content: 'the-view-screen' });
  v.screen.on('keypress', (ch) => probe.keys.push(ch));
  v.screen.render();
  probe.opened = true;
  await v.result;
};`;

describe('break-in chat and a view that was opening', () => {
  it('a view that takes the screen after the chat began waits under it, gets none of its keys, and is drawn whole when it ends', async () => {
    let letIn!: () => void;
    const shared: Probe = { gate: new Promise<void>((r) => (letIn = r)), opened: false, keys: [] };
    (globalThis as unknown as { breakInProbe: Probe }).breakInProbe = shared;
    const b = await createTestBoard({ matrix: OPENING_VIEW });
    boards.push(b);
    const { conn, session } = b.connect();
    await conn.waitFor('at-the-menu');
    conn.type('w');
    await conn.waitFor('opening-the-view');

    const chat = new BreakInChat(b.board, b.bus, b.log);
    chats.push(chat);
    const events: Omit<BreakInEvent, 'chatId' | 'sessionId'>[] = [];
    const chatId = chat.open(session.id, { event: (e) => events.push(e) });
    await conn.waitFor('is breaking in to chat with you');
    assert.deepEqual(events.map((e) => e.kind), ['opened']);

    // The view takes the screen now, under the chat.
    const underChat = conn.screen.length;
    letIn();
    await eventually(() => probe().opened, 'the view to be created');
    // Its first draw (blessed renders on the next turn) and the screen set-up it flushes.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    // Fails without: the view drew itself (and switched the terminal's screen) over the chat.
    assert.doesNotMatch(conn.screen.slice(underChat), /the-view-screen|\x1b\[\?1049h/);

    // The caller's keys are the chat's, not the view's.
    conn.type('hello there\r');
    await eventually(() => events.some((e) => e.kind === 'line'), 'the caller\'s line to reach the sysop');
    assert.deepEqual(events.find((e) => e.kind === 'line')?.text, 'hello there');
    assert.deepEqual(shared.keys, []);
    assert.doesNotMatch(conn.screen.slice(underChat), /the-view-screen/);

    // The sysop ends the chat: the view draws itself whole, on the screen it set up.
    const ending = conn.screen.length;
    chat.close(chatId, session.id);
    const after = await conn.waitFor('the-view-screen', 3000, ending);
    assert.match(after.slice(ending), /\x1b\[\?1049h/);
    // ...with no line-mode note under it (the caller is in the view, not at a prompt).
    assert.doesNotMatch(after.slice(ending), /back to where you were/);
    assert.deepEqual(events.map((e) => e.kind), ['opened', 'line', 'ended']);

    // From now on the view has the keys.
    conn.type('k');
    await eventually(() => shared.keys.includes('k'), 'the view to get its key');
  });
});

/** The full-screen editor opens after an await (editText measures an rlogin window first; a reply reads its quote). */
const OPENING_EDITOR = `import { editText } from '@carrier/engine';
export default async (s) => {
  s.println('at-the-menu');
  await s.readKey();
  s.println('opening-the-editor');
  await globalThis.breakInProbe.gate;
  const text = await editText(s, { title: 'Under the chat' });
  s.println('saved: ' + text);
};`;

describe('break-in chat and the editor that was opening', () => {
  it('the editor opened under the chat draws nothing until it ends, then draws itself whole and takes the keys', async () => {
    let letIn!: () => void;
    (globalThis as unknown as { breakInProbe: Probe }).breakInProbe = { gate: new Promise<void>((r) => (letIn = r)), opened: false, keys: [] };
    const b = await createTestBoard({ matrix: OPENING_EDITOR });
    boards.push(b);
    const { conn, session } = b.connect();
    await conn.waitFor('at-the-menu');
    conn.type('e');
    await conn.waitFor('opening-the-editor');
    const chat = new BreakInChat(b.board, b.bus, b.log);
    chats.push(chat);
    const events: Omit<BreakInEvent, 'chatId' | 'sessionId'>[] = [];
    const chatId = chat.open(session.id, { event: (e) => events.push(e) });
    await conn.waitFor('is breaking in to chat with you');

    const underChat = conn.screen.length;
    letIn();
    // The editor registers and would draw in the turns after the gate opens; the chat's line is the deterministic mark after them.
    conn.type('still here\r');
    await eventually(() => events.some((e) => e.kind === 'line'), "the caller's line to reach the sysop");
    assert.equal(events.find((e) => e.kind === 'line')?.text, 'still here');
    await eventually(() => session.social.showsNotices, 'the editor to be open');
    // Fails without: the editor's screen (its status row's INS) was drawn over the chat.
    assert.doesNotMatch(conn.screen.slice(underChat), /INS/);

    const ending = conn.screen.length;
    chat.close(chatId, session.id);
    await conn.waitFor('INS', 3000, ending);
    assert.doesNotMatch(conn.screen.slice(ending), /back to where you were/);
    conn.type('ok\x1a');
    await conn.waitFor('saved: ok', 3000, ending);
  });
});
