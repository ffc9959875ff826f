import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { BoardDoors } from '../doors/board-doors.js';
import type { BreakInEvent } from '../topics.js';
import { createTestBoard, events as logEvents, type FakeConnection, type TestBoard } from '../test-support.js';
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

/** A fresh probe for the next script; letIn() opens its gate. */
function newProbe(): { shared: Probe; letIn: () => void } {
  let letIn!: () => void;
  const shared: Probe = { gate: new Promise<void>((r) => (letIn = r)), opened: false, keys: [] };
  (globalThis as unknown as { breakInProbe: Probe }).breakInProbe = shared;
  return { shared, letIn };
}

/** The caller presses `key` at the menu; once the script says `preparing`, the sysop breaks in. */
async function breakInWhile(b: TestBoard, key: string, preparing: string) {
  const { conn, session } = b.connect();
  await conn.waitFor('at-the-menu');
  conn.type(key);
  await conn.waitFor(preparing);
  const chat = new BreakInChat(b.board, b.bus, b.log);
  chats.push(chat);
  const chatEvents: Omit<BreakInEvent, 'chatId' | 'sessionId'>[] = [];
  const chatId = chat.open(session.id, { event: (e) => chatEvents.push(e) });
  await conn.waitFor('is breaking in to chat with you');
  return { conn, session, chat, chatId, chatEvents, underChat: conn.screen.length };
}

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
  it('a view that takes the screen after the chat began waits under it, gets none of its keys (nor the ones typed ahead) until it is drawn whole when the chat ends', async () => {
    const { shared, letIn } = newProbe();
    const b = await createTestBoard({ matrix: OPENING_VIEW });
    boards.push(b);
    const { conn, session, chat, chatId, chatEvents: events, underChat } = await breakInWhile(b, 'wz', 'opening-the-view');
    assert.deepEqual(events.map((e) => e.kind), ['opened']);

    // The view takes the screen now, under the chat.
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
    // ...with the keypad and cursor keys in application mode, as blessed set them on opening
    // (ESC O A arrows). Fails without: the view never sent them (it opened suspended), so the
    // terminal sent the keys in the other form for as long as the view was up.
    assert.match(after.slice(ending), /\x1b\[\?1h\x1b=/);
    // ...with no line-mode note under it (the caller is in the view, not at a prompt).
    assert.doesNotMatch(after.slice(ending), /back to where you were/);
    assert.deepEqual(events.map((e) => e.kind), ['opened', 'line', 'ended']);

    // The key typed after W, before the chat, acts on the view once it is shown; from now on the view has the keys.
    await eventually(() => shared.keys.length > 0, 'the view to get the key typed ahead');
    conn.type('k');
    await eventually(() => shared.keys.includes('k'), 'the view to get its key');
    assert.deepEqual(shared.keys, ['z', 'k']);
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
    const { letIn } = newProbe();
    const b = await createTestBoard({ matrix: OPENING_EDITOR });
    boards.push(b);
    const { conn, session, chat, chatId, chatEvents: events, underChat } = await breakInWhile(b, 'e', 'opening-the-editor');
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

describe('break-in chat and a transfer or a door that was starting', () => {
  it('a file transfer waits for the chat to end, then runs (it failed with the input busy)', async () => {
    const { shared, letIn } = newProbe();
    const b = await createTestBoard({
      matrix: `import { withTransferWire } from '@carrier/engine';
export default async (s) => {
  s.println('at-the-menu');
  await s.readKey();
  s.println('preparing-the-transfer');
  await globalThis.breakInProbe.gate;
  globalThis.breakInProbe.opened = true;
  try {
    await withTransferWire(s, async (wire) => {
      wire.write(Buffer.from('transfer-running'));
      await new Promise((r) => wire.onData((bytes) => { globalThis.breakInProbe.keys.push(bytes.toString()); r(); }));
    });
    s.println('transfer-done');
  } catch (err) {
    s.println('transfer-failed: ' + err.message);
  }
  await s.readKey();
};`,
    });
    boards.push(b);
    const { conn, session, chat, chatId, chatEvents, underChat } = await breakInWhile(b, 'd', 'preparing-the-transfer');
    letIn();
    await eventually(() => shared.opened, 'the script to start the transfer');
    await eventually(() => logEvents(b.log, 'session.waits_for_chat').length > 0 || /transfer-/.test(conn.screen.slice(underChat)), 'the transfer to start or wait');
    // Fails without: takeRawInput threw InputBusyError ("another sink already has the input").
    assert.doesNotMatch(conn.screen.slice(underChat), /transfer-/);
    conn.type('typed in the chat\r');
    await eventually(() => chatEvents.some((e) => e.kind === 'line'), "the caller's line to reach the sysop");
    assert.deepEqual(shared.keys, []);

    const ending = conn.screen.length;
    chat.close(chatId, session.id);
    await conn.waitFor('transfer-running', 3000, ending);
    conn.type('Z');
    await conn.waitFor('transfer-done', 5000, ending);
    assert.deepEqual(shared.keys, ['Z']);
  });
});

/** Pids of the processes whose command line holds `arg`. */
function processesWith(arg: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(arg)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const doorsOf = (b: TestBoard): BoardDoors => (b.board as { doors?: BoardDoors }).doors!;

const ECHO_DOOR = fileURLToPath(new URL('../../../../tests/fixtures/doors/echo-door.mjs', import.meta.url));

describe('break-in chat and a door that was starting', () => {
  it('the door waits for the chat to end, then starts and has the keys (it shared them with the chat and drew over it)', async () => {
    const { letIn } = newProbe();
    const b = await createTestBoard({
      matrix: `import { runDoor } from '@carrier/engine';
export default async (s) => {
  await s.login(await s.store.users.findByHandle('Ann'));
  s.println('at-the-menu');
  await s.readKey();
  s.println('opening-the-door');
  await globalThis.breakInProbe.gate;
  s.println('door-outcome: ' + (await runDoor(s, 'echo')));
  await s.readKey();
};`,
    });
    boards.push(b);
    await b.store.users.create({ handle: 'Ann', password: 'tuba-lamp-7x' });
    const file = join(b.dir, 'doors.json');
    // The door's command line carries a mark of this test's own: its process can be found by it.
    const marker = `--under-the-chat-${process.pid}-${Date.now()}`;
    await writeFile(file, JSON.stringify({ doors: [{ name: 'echo', description: 'Echo door', command: [process.execPath, ECHO_DOOR, marker], encoding: 'utf8', level: 0 }] }));
    (b.board as { doors?: BoardDoors }).doors = new BoardDoors({ file, parse: (text) => ({ value: JSON.parse(text) as unknown, errors: [], lineOf: () => undefined }), dataDir: join(b.dir, 'data'), log: b.log });
    const { conn, session, chat, chatId, chatEvents, underChat } = await breakInWhile(b, 'd', 'opening-the-door');
    letIn();
    await eventually(() => logEvents(b.log, 'session.waits_for_chat').length + logEvents(b.log, 'door.start').length > 0, 'the door to start or wait', { timeoutMs: 10_000 });
    // Fails without: the door started (door.start) over the chat, with the caller's keys.
    assert.deepEqual(logEvents(b.log, 'door.start'), []);
    // Nor is the door's program running under the chat (its own clock would be running, and
    // its output piling up in its pty): not even its drop files are written yet.
    // Fails without: the drop files were written and the program spawned before the wait.
    const nodeDir = doorsOf(b).nodeDir(session.node);
    assert.equal(existsSync(join(nodeDir, 'door32.sys')), false, 'no drop file before the chat ends');
    conn.type('p\r');
    await eventually(() => chatEvents.some((e) => e.kind === 'line'), "the caller's line to reach the sysop");
    assert.deepEqual(processesWith(marker), [], "the door's program is not running under the chat");
    assert.doesNotMatch(conn.screen.slice(underChat), /Hello, Ann|key:70/);

    const ending = conn.screen.length;
    chat.close(chatId, session.id);
    await conn.waitFor('Hello, Ann', 10_000, ending);
    assert.notDeepEqual(processesWith(marker), [], "the door's program runs once the chat is over");
    conn.type('x');
    await conn.waitFor('key:78', 10_000, ending);
    conn.type('q');
    await conn.waitFor('door-outcome: exited', 10_000, ending);
    // The key typed in the chat never reached the door.
    assert.doesNotMatch(conn.screen.slice(ending), /key:70/);
  });
});
