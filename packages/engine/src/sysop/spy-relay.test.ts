import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { createTestBoard, spyCopy, type TestBoard } from '../test-support.js';
import { showMessage } from '../messages/text.js';
import { SpyRelay, type SpyHandlers } from './spy-relay.js';

const boards: TestBoard[] = [];
const relays: SpyRelay[] = [];
afterEach(async () => {
  for (const r of relays.splice(0)) r.close();
  for (const b of boards.splice(0)) await b.close();
});

/** A full-screen view that draws once and then waits: nothing more is sent until the caller acts. */
const STILL_VIEW = `export default async (s) => {
  const v = s.view();
  v.blessed.box({ parent: v.screen, top: 2, left: 4, width: 30, height: 3, content: 'still-screen-here' });
  v.screen.render();
  await v.result;
};`;
/** A door's shape: the door holds the input and draws its own screen. */
const DOOR = `export default async (s) => {
  s.holdInput();
  s.println('the door screen');
  await s.until(new Promise(() => undefined));
};`;
const PROMPT = `export default async (s) => {
  s.print('Your name: ');
  await s.readLine();
};`;

async function board(first: string): Promise<TestBoard> {
  const b = await createTestBoard({ matrix: first });
  boards.push(b);
  return b;
}

/** What a spy gets: the copy decoded, and the notes of its chunks. */
function spy(): SpyHandlers & { text(): string; notes: string[] } {
  const chunks: Buffer[] = [];
  const notes: string[] = [];
  return {
    data: (c) => {
      chunks.push(Buffer.from(c.data, 'base64'));
      if (c.note !== undefined) notes.push(c.note);
    },
    end: () => undefined,
    text: () => Buffer.concat(chunks).toString('utf8'),
    notes,
  };
}

/** A spy on `sessionId`, through a relay of the board's own process. */
function watched(b: TestBoard, sessionId: string): ReturnType<typeof spy> {
  const relay = new SpyRelay(b.board, b.bus, b.log);
  relays.push(relay);
  const h = spy();
  relay.watch(sessionId, h);
  return h;
}

describe('the sysop spy starts with what the caller sees', () => {
  it('a full-screen view that sent its screen before the spy came is drawn again, for the spy alone', async () => {
    const b = await board(STILL_VIEW);
    const { conn, session } = b.connect();
    await conn.waitFor('still-screen-here');
    const mark = conn.screen.length;
    const h = watched(b, session.id);
    // Fails without the repaint: the view waits for a key, so the spy got nothing at all.
    await eventually(() => h.text().includes('still-screen-here'), () => `the spy to get the view; got ${JSON.stringify(h.text())}`);
    assert.deepEqual(h.notes, []);
    // The caller is sent nothing: fails without (the view was drawn whole again on their screen).
    assert.equal(conn.screen.slice(mark), '');
  });

  it('the chat and the message editor are drawn again for the spy alone, as the caller sees them', async () => {
    for (const [opens, shown] of [
      [`await chatRoom(s, { room: 'lobby' });`, /You are in #lobby/],
      [`await editText(s, { title: 'Subject: spied on' });`, /Subject: spied on/],
    ] as const) {
      const b = await board(`import { chatRoom, editText } from '@carrier/engine';
export default async (s) => {
  await s.login(await s.store.users.findByHandle('Ann'));
  ${opens}
};`);
      await b.store.users.create({ handle: 'Ann', password: 'tuba-lamp-7x' });
      const { conn, session } = b.connect();
      await conn.waitFor(shown);
      conn.type('typed so far');
      await conn.waitFor('typed so far');
      const mark = conn.screen.length;
      const h = watched(b, session.id);
      await eventually(() => h.text().includes('typed so far'), () => `the spy to get the screen; got ${JSON.stringify(h.text())}`);
      assert.deepEqual(h.notes, []);
      assert.match(h.text(), shown);
      // Fails without: the chat and the editor drew themselves whole on the caller's screen again.
      assert.equal(conn.screen.slice(mark), '');
    }
  });

  it("a door's screen cannot be drawn again: the spy's first chunk says so, and the caller gets nothing (also across processes)", async () => {
    const b = await board(DOOR);
    const { conn, session } = b.connect();
    await conn.waitFor('the door screen');
    const mark = conn.screen.length;
    // The asker's process has no such session: it asks over the bus, and the board's process serves it.
    const serving = new SpyRelay(b.board, b.bus, b.log);
    const asking = new SpyRelay({ session: () => undefined }, b.bus, b.log);
    relays.push(serving, asking);
    const h = spy();
    asking.watch(session.id, h);
    await eventually(() => h.notes.length > 0, 'the note to arrive');
    assert.deepEqual(h.notes, ['a door: shown as it draws']);
    assert.equal(h.text(), '');
    assert.equal(conn.screen.slice(mark), '');
  });

  it("a script's line prompt is drawn again for the spy alone: the prompt, what the caller typed so far, the cursor where theirs is", async () => {
    const b = await board(PROMPT);
    const { conn, session } = b.connect();
    await conn.waitFor('Your name: ');
    conn.type('bob\x1b[D');
    await conn.waitFor('bob\b');
    const mark = conn.screen.length;
    const h = watched(b, session.id);
    // Fails without: a line prompt was not drawn again, the spy was told "shown from the next change" and got nothing.
    await eventually(() => h.text().endsWith('Your name: bob\b'), () => `the spy to get the prompt; got ${JSON.stringify(h.text())}`);
    assert.deepEqual(h.notes, []);
    assert.equal(conn.screen.slice(mark), '');
    conn.type('X');
    await eventually(() => h.text().endsWith('Your name: bob\bXb\b'), () => `what the caller types to reach the spy; got ${JSON.stringify(h.text())}`);
  });
});

describe('a screen drawn again for the spy gives way to what took the screen meanwhile', () => {
  it("a line-mode painter is told the screen is no longer its own while a transfer, a door or the sysop's break-in chat has the input", async () => {
    const b = await board(`export default async (s) => {
      let stillShown = () => true;
      s.social.drawsAgain((still) => { stillShown = still; });
      s.println('ready');
      await s.readKey();
      const restore = s.takeRawInput(() => undefined);
      s.println('while the input is taken: ' + stillShown());
      restore();
      const release = s.holdInput();
      s.println('while a door holds it: ' + stillShown());
      release();
      s.println('given back: ' + stillShown());
      await s.readKey();
    };`);
    const { conn, session } = b.connect();
    await conn.waitFor('ready');
    assert.equal(session.repaint(spyCopy()), undefined);
    conn.type('x');
    const out = await conn.waitFor('given back: ');
    // Fails without: the painter's art, read after the break-in chat began, was drawn over it.
    assert.match(out, /while the input is taken: false/);
    assert.match(out, /while a door holds it: false/);
    assert.match(out, /given back: true/);
  });

  it('art with drawIf sends nothing when it says false once the art is read', async () => {
    const b = await board(`export default async (s) => {
      await s.art('banner', { drawIf: () => false, fallback: 'FALLBACK' });
      s.println('after the dropped art');
      await s.art('banner', { drawIf: () => true });
      s.println('after the drawn art');
      await s.readKey();
    };`);
    await writeFile(join(b.artDir, 'banner.utf8.ans'), 'THE BANNER\r\n');
    const { conn } = b.connect();
    const out = await conn.waitFor('after the drawn art');
    assert.match(out, /after the dropped art[\s\S]*THE BANNER[\s\S]*after the drawn art/);
    assert.doesNotMatch(out.slice(0, out.indexOf('after the dropped art')), /THE BANNER|FALLBACK/);
  });
});

describe("a message's page is drawn again with its header", () => {
  it('a spy that starts at the more-prompt of a long message gets the header too, not the body alone', async () => {
    const b = await board(`export default async (s) => { s.println('ready'); await s.until(new Promise(() => undefined)); };`);
    const { conn, session } = b.connect();
    await conn.waitFor('ready');
    const body = Array.from({ length: 60 }, (_, i) => `body line ${i + 1}`).join('\n');
    // The reader's own function, on the caller's session, as the message base calls it.
    void showMessage(session, ['From: ann', 'Subject: a long one'], body).catch(() => undefined);
    await conn.waitFor('More');
    const h = watched(b, session.id);
    await eventually(() => h.text().includes('body line 1\r\n'), () => `the page to be drawn again; got ${JSON.stringify(h.text())}`);
    // Fails without the reader's drawAbove: the first page's rows came without the header above them.
    await eventually(() => h.text().includes('Subject: a long one'), () => `the header with the page; got ${JSON.stringify(h.text())}`);
    assert.ok(h.text().indexOf('Subject: a long one') < h.text().indexOf('body line 1\r\n'), 'the header above the body');
  });
});

describe('rows printed under a prompt are drawn again with the screen above it', () => {
  it("the reader's ? legend, under the prompt it was typed at: the spy gets the message, the legend and the prompt again", async () => {
    const b = await board(`import { readFrom } from '@carrier/engine';
export default async (s) => {
  await s.login(await s.store.users.findByHandle('Ann'));
  const [m] = await s.store.messages.list('general', { limit: 1 });
  await readFrom(s, m.id, { mode: 'area' });
};`);
    await b.store.users.create({ handle: 'Ann', password: 'tuba-lamp-7x' });
    await b.store.messages.post({ area: 'general', fromUserId: null, fromHandle: 'Bob', toHandle: 'All', subject: 'Picnic', body: 'Bring bread.', parentId: null });
    const { conn, session } = b.connect();
    await conn.waitFor(/Bring bread[\s\S]*uit: $/);
    const mark = conn.screen.length;
    conn.type('?');
    await conn.waitFor(/ {2}parent[\s\S]*uit: $/, 3000, mark);
    const shown = conn.screen.length;
    const h = watched(b, session.id);
    await eventually(() => /uit: $/.test(h.text()), () => `the spy to get the prompt; got ${JSON.stringify(h.text())}`);
    const text = h.text();
    // Fails without: the message and the prompt, and no legend between them.
    assert.match(text, /Bring bread\.[\s\S]*uit: [\s\S]* {2}Next[\s\S]* {2}parent[\s\S]*uit: $/);
    assert.equal(conn.screen.slice(shown), '', 'the caller is sent nothing');
  });

  it("mail to a handle that is none: the spy gets To: over Mail <handle>? [Y/n], and that row over Subject:", async () => {
    const b = await board(`import { sendMail } from '@carrier/engine';
export default async (s) => {
  await s.login(await s.store.users.findByHandle('Ann'));
  s.println('the screen above');
  await sendMail(s);
};`);
    await b.store.users.create({ handle: 'Ann', password: 'tuba-lamp-7x' });
    await b.store.users.create({ handle: 'Sylvia', password: 'tuba-lamp-7x' });
    const { conn, session } = b.connect();
    await conn.waitFor('To: ');
    conn.type('syl\r');
    await conn.waitFor(/Mail [\s\S]*Sylvia[\s\S]*\][^\n]*$/);
    const asked = watched(b, session.id);
    await eventually(() => /Sylvia[\s\S]*\][^\n]*$/.test(asked.text()), () => `the spy to get the question; got ${JSON.stringify(asked.text())}`);
    // Fails without: the question alone on a clear screen.
    assert.match(asked.text(), /To: [\s\S]*syl\r\n[\s\S]*There is no user called syl\. Mail [\s\S]*Sylvia/);
    conn.type('y');
    await conn.waitFor(/Subject: [^\n]*$/);
    conn.type('Lun');
    await conn.waitFor('Lun');
    const h = watched(b, session.id);
    await eventually(() => /Subject: [\s\S]*Lun$/.test(h.text()), () => `the spy to get Subject:; got ${JSON.stringify(h.text())}`);
    // Fails without: To: and Subject: with nothing between them.
    assert.match(h.text(), /To: [\s\S]*syl\r\n[\s\S]*Mail [\s\S]*Sylvia[\s\S]*\r\n[\s\S]*Subject: [\s\S]*Lun$/);
  });
});
