import assert from 'node:assert/strict';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { APOLOGY, MAX_SCRIPT_DEPTH } from '../script-stack.js';
import { eventually } from '@carrier/core/testing';
import { createTestBoard, delay, events, FakeConnection, spyCopy, type TestBoard } from '../test-support.js';
import type { MenuParser } from './types.js';

// Menu files here are JSON (which is YAML too): the engine validates structure, and the
// server's YAML parser, with line numbers, is tested in the server package.
const jsonMenus: MenuParser = (text) => {
  try {
    return { value: JSON.parse(text), errors: [], lineOf: () => undefined };
  } catch (err) {
    return { value: undefined, errors: [{ message: (err as Error).message }], lineOf: () => undefined };
  }
};

const PASSWORD = 'tuba-lamp-7x';
/** Logs in the user named by the connection's login hint, then runs menu `main`. */
const MATRIX = `export default async (s) => {
  const u = s.conn.loginHint ? await s.store.users.findByHandle(s.conn.loginHint) : null;
  if (u) await s.login(u);
  return s.goto('menu:main');
};`;
const HELLO = `export default async (s) => { s.println('hello from a script at depth ' + s.scripts.length); };`;

const boards: TestBoard[] = [];
afterEach(async () => {
  for (const b of boards.splice(0)) await b.close();
});

let tick = 0;
async function writeMenu(b: TestBoard, name: string, menu: unknown): Promise<void> {
  const file = join(b.menusDir, `${name}.yaml`);
  await writeFile(file, typeof menu === 'string' ? menu : JSON.stringify(menu));
  // Coarse mtimes must still look edited.
  const t = new Date(Date.now() + ++tick * 1000);
  await utimes(file, t, t);
}

async function board(menus: Record<string, unknown>, scripts: Record<string, string> = {}): Promise<TestBoard> {
  const b = await createTestBoard({ matrix: MATRIX, hello: HELLO, ...scripts }, {}, jsonMenus);
  boards.push(b);
  for (const [name, menu] of Object.entries(menus)) await writeMenu(b, name, menu);
  await b.store.users.create({ handle: 'alice', password: PASSWORD, level: 20 });
  await b.store.users.create({ handle: 'Sam', password: PASSWORD, level: 90 });
  return b;
}

function call(b: TestBoard, handle?: string, terminal: { cols?: number; rows?: number } = {}) {
  const conn = new FakeConnection({ terminal });
  conn.loginHint = handle;
  return { conn, session: b.connect(conn).session };
}

/** Type `keys` and wait for `needle` to appear after them. */
async function press(conn: FakeConnection, keys: string, needle: string | RegExp): Promise<string> {
  const mark = conn.screen.length;
  conn.type(keys);
  return (await conn.waitFor(needle, 3000, mark)).slice(mark);
}

const MAIN = {
  title: 'Main',
  prompt: '{handle}@{board} Command: ',
  items: [
    { key: 'W', text: "Who's here", gosub: 'hello' },
    { key: 'S', text: 'Sysop room', gosub: 'hello', sysop: true },
    { key: 'V', text: 'Veterans', gosub: 'hello', level: 50 },
    { key: 'G', text: 'Goodbye', logoff: true },
  ],
};

describe('menus: drawing and access', () => {
  it('shows the title, the items this caller may use and the prompt; a hotkey runs its gosub and the menu returns', async () => {
    const b = await board({ main: MAIN });
    const { conn, session } = call(b, 'alice');
    const first = await conn.waitFor('alice@Test Board Command: ');
    assert.match(first, /Main/);
    assert.match(first, /\[.*W.*\] .*Who's here/);
    assert.doesNotMatch(first, /Sysop room|Veterans/);
    assert.match(await press(conn, 'w', 'Command: '), /hello from a script at depth 2/);
    assert.equal(session.activity, 'Main');
    assert.match(await press(conn, 'g', 'Goodbye.'), /Goodbye\./);
    await session.done;
    assert.equal(conn.endedWith, 'logoff');
  });

  it('a hidden item does nothing when its key is pressed', async () => {
    const b = await board({ main: MAIN });
    const { conn } = call(b, 'alice');
    await conn.waitFor('Command: ');
    const out = await press(conn, 'S', 'Command: ');
    assert.match(out, /Unknown command/);
    assert.doesNotMatch(out, /hello from/);
    assert.match(await press(conn, 'v', 'Command: '), /Unknown command/);
  });

  it('a sysop sees and uses sysop-only and high-level items', async () => {
    const b = await board({ main: MAIN });
    const { conn } = call(b, 'Sam');
    const first = await conn.waitFor('Command: ');
    assert.match(first, /Sysop room/);
    assert.match(first, /Veterans/);
    assert.match(await press(conn, 's', 'Command: '), /hello from a script/);
  });

  it('a sysop demoted while logged in is refused sysop items at the next choice, and the menu drops them', async () => {
    const b = await board({ main: MAIN });
    const { conn } = call(b, 'Sam');
    assert.match(await conn.waitFor('Command: '), /Sysop room/);
    const sam = await b.store.users.findByHandle('Sam');
    await b.store.users.setLevel(sam!.id, 20);
    const refused = await press(conn, 's', 'Command: ');
    assert.match(refused, /no longer open to you/);
    assert.doesNotMatch(refused, /hello from a script/);
    assert.doesNotMatch(await press(conn, '?', 'Command: '), /Sysop room|Veterans/);
  });

  it('a caller whose account is deleted while logged in is told and hung up at the next choice', async () => {
    const b = await board({ main: MAIN });
    const { conn } = call(b, 'alice');
    await conn.waitFor('Command: ');
    const alice = await b.store.users.findByHandle('alice');
    // As `carrier user delete` does it, on the store.
    await b.store.knex('calls').where({ user_id: alice!.id }).update({ user_id: null });
    await b.store.knex('users').where({ id: alice!.id }).del();
    assert.match(await press(conn, 'w', 'Goodbye'), /account has been deleted/);
    for (let i = 0; i < 100 && !conn.closed; i++) await delay(20);
    assert.ok(conn.closed, 'the call is ended');
  });

  it('a caller who is not logged in is level 0: only open items show', async () => {
    const b = await board({ main: MAIN });
    const { conn } = call(b);
    const first = await conn.waitFor('guest@Test Board Command: ');
    assert.match(first, /Who's here/);
    assert.doesNotMatch(first, /Sysop room|Veterans/);
  });

  it('logoff runs the logoff script when there is one', async () => {
    const b = await board({ main: MAIN }, { logoff: `export default async (s) => { s.println('see you'); s.hangup('logoff script'); };` });
    const { conn, session } = call(b, 'alice');
    await conn.waitFor('Command: ');
    conn.type('g');
    await session.done;
    assert.match(conn.screen, /see you/);
    assert.equal(conn.endedWith, 'logoff script');
  });
});

describe('menus: moving between menus and scripts', () => {
  it('goto replaces the menu, gosub stacks one, and back returns to whoever ran it', async () => {
    const b = await board({
      main: { title: 'Main', items: [{ key: 'F', text: 'Files', gosub: 'menu:files' }, { key: 'M', text: 'Messages', goto: 'menu:messages' }] },
      files: { title: 'Files', prompt: 'Files> ', items: [{ key: 'Q', text: 'Back', back: true }, { key: 'D', text: 'depth', gosub: 'hello' }] },
      messages: { title: 'Messages', prompt: 'Messages> ', items: [{ key: 'Q', text: 'Back', back: true }] },
    });
    const { conn, session } = call(b, 'alice');
    await conn.waitFor('Command: ');
    await press(conn, 'f', 'Files> ');
    assert.deepEqual(session.scripts, ['menu:main', 'menu:files']);
    assert.match(await press(conn, 'd', 'Files> '), /depth 3/);
    await press(conn, 'q', 'Command: ');
    assert.deepEqual(session.scripts, ['menu:main']);
    await press(conn, 'm', 'Messages> ');
    assert.deepEqual(session.scripts, ['menu:messages']);
    // back from the bottom menu ends the call, as a bottom script returning does.
    conn.type('q');
    await session.done;
    assert.equal(conn.endedWith, 'script ended');
  });

  it('a script can run a menu with gosub and carry on after back', async () => {
    const b = await board(
      { picker: { title: 'Picker', prompt: 'Pick> ', items: [{ key: 'X', text: 'Done', back: true }] } },
      { matrix: `export default async (s) => { const r = await s.gosub('menu:picker'); s.println('script again, menu gave ' + r); };` },
    );
    const { conn, session } = call(b);
    await conn.waitFor('Pick> ');
    conn.type('x');
    await session.done;
    assert.match(conn.screen, /script again, menu gave undefined/);
  });

  it('a menu that gotos itself on every key never deepens the stack', async () => {
    const b = await board({ main: { title: 'Loop', prompt: 'Loop> ', items: [{ key: 'L', text: 'Again', goto: 'menu:main' }] } });
    const { conn, session } = call(b, 'alice');
    await conn.waitFor('Loop> ');
    conn.type('l'.repeat(200));
    while (conn.screen.split('Loop> ').length - 1 < 201) await delay(20);
    assert.deepEqual(session.scripts, ['menu:main']);
    assert.equal(session.closed, false);
  });

  it('a menu that gosubs itself is stopped at the stack limit with an apology, and the caller stays on', async () => {
    const b = await board({ main: { title: 'Deeper', prompt: 'Deeper> ', items: [{ key: 'D', text: 'Deeper', gosub: 'menu:main' }] } });
    const { conn, session } = call(b, 'alice');
    await conn.waitFor('Deeper> ');
    await press(conn, 'd'.repeat(MAX_SCRIPT_DEPTH + 1), APOLOGY);
    assert.equal(session.closed, false);
    assert.equal(session.scripts.length, MAX_SCRIPT_DEPTH);
    assert.match(JSON.stringify(events(b.log, 'script.error')[0]), /nested deeper/);
  });

  it('a menu that does not exist gets the apology and control returns below', async () => {
    const b = await board({}, { matrix: `export default async (s) => { await s.gosub('menu:nowhere'); s.println('still here'); };` });
    const { conn, session } = call(b);
    await conn.waitFor('press a key');
    conn.type(' ');
    await session.done;
    assert.ok(conn.screen.indexOf(APOLOGY) < conn.screen.indexOf('still here'));
  });
});

describe('menus: art and text', () => {
  it('show draws art and waits for a key; page shows a text file a screen at a time', async () => {
    const b = await board({
      main: { title: 'Main', prompt: 'Command: ', items: [{ key: 'A', text: 'About', show: 'about' }, { key: 'R', text: 'Rules', page: 'text/rules.txt' }] },
    });
    await writeFile(join(b.artDir, 'about.utf8.ans'), 'About this board ♥\r\n');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(b.menusDir, 'text'));
    await writeFile(join(b.menusDir, 'text', 'rules.txt'), Array.from({ length: 60 }, (_, i) => `Rule ${i + 1}`).join('\n'));
    const { conn } = call(b, 'alice', { cols: 80, rows: 25 });
    await conn.waitFor('Command: ');
    assert.match(await press(conn, 'a', 'press a key'), /About this board ♥/);
    await press(conn, ' ', 'Command: ');
    const page = await press(conn, 'r', 'More');
    assert.match(page, /Rule 24\r\n/);
    assert.doesNotMatch(page, /Rule 25/);
    const rest = await press(conn, 'c', 'press a key');
    assert.match(rest, /Rule 60/);
    await press(conn, ' ', 'Command: ');
  });

  it('menu art can be drawn at a modem speed, and a key shows the rest at once', async () => {
    const b = await board({ main: { title: 'Main', art: { name: 'slow', baud: 300 }, prompt: 'Command: ', items: [{ key: 'W', text: 'Who', gosub: 'hello' }] } });
    await writeFile(join(b.artDir, 'slow.utf8.ans'), `${'x'.repeat(3000)}END OF ART\r\n`);
    const { conn } = call(b, 'alice');
    // 300 baud is 30 bytes a second: without the key this art would take 100 seconds.
    await conn.waitFor('xxx');
    assert.doesNotMatch(conn.screen, /END OF ART/);
    conn.type('w');
    await conn.waitFor('END OF ART', 2000);
    // The key that cut the art short is still there for the menu.
    await conn.waitFor(/hello from a script/, 2000);
  });
});

describe('menus: loading and hot reload', () => {
  it('an edited menu is seen on the next draw; a broken edit is refused with its key and the old menu keeps serving', async () => {
    const b = await board({ main: { title: 'Main', prompt: 'Command: ', items: [{ key: 'W', text: 'Who', gosub: 'hello' }] } });
    const { conn } = call(b, 'alice');
    await conn.waitFor('Command: ');
    await writeMenu(b, 'main', { title: 'Main', prompt: 'Command: ', items: [{ key: 'W', text: 'Who', gosub: 'hello' }, { key: 'X', text: 'Xylophone', gosub: 'hello' }] });
    assert.match(await press(conn, '\r', 'Command: '), /Xylophone/);

    await writeMenu(b, 'main', { title: 'Main', prompt: 'Command: ', items: [{ key: 'W', text: 'Who', gosbu: 'hello' }] });
    const after = await press(conn, '\r', 'Command: ');
    assert.match(after, /Xylophone/, 'the last good version still serves');
    const invalid = events(b.log, 'menu.invalid');
    assert.deepEqual(invalid.map((l) => l['key']), ['items[0].gosbu', 'items[0]']);
    assert.match(String(invalid[0]!['message']), /unknown key/);
    assert.match(String(invalid[1]!['message']), /no action/);
    assert.equal(events(b.log, 'menu.kept_previous').length, 1);
    // Still broken on the next draw: not logged again.
    await press(conn, '\r', 'Command: ');
    assert.equal(events(b.log, 'menu.invalid').length, 2);
  });

  it('an item pointing at a script that does not exist refuses the menu, naming the item', async () => {
    const b = await board({ main: { title: 'Main', items: [{ key: 'W', text: 'Who', gosub: 'hello' }, { key: 'C', text: 'Chat', gosub: 'chat' }] } }, {
      matrix: `export default async (s) => { await s.gosub('menu:main'); s.println('menu refused'); };`,
    });
    const { conn, session } = call(b);
    await conn.waitFor('press a key');
    conn.type(' ');
    await session.done;
    assert.match(conn.screen, /menu refused/);
    const invalid = events(b.log, 'menu.invalid')[0]!;
    assert.equal(invalid['key'], 'items[1].gosub');
    assert.match(String(invalid['message']), /no script named "chat"/);
  });

  it('a broken first version, once fixed, serves without touching anything else', async () => {
    const b = await board({ main: '{ "title": "Main", "items": [' });
    const first = call(b);
    await first.conn.waitFor('press a key');
    first.conn.type(' ');
    await first.session.done;
    assert.match(first.conn.screen, new RegExp(APOLOGY.replace('.', '\\.')));
    assert.equal(events(b.log, 'menu.invalid')[0]!['key'], '(syntax)');
    await writeMenu(b, 'main', { title: 'Fixed', prompt: 'Fixed> ', items: [{ key: 'W', text: 'Who', gosub: 'hello' }] });
    const second = call(b);
    await second.conn.waitFor('Fixed> ');
  });
});

describe("menus: drawn again for the sysop's spy", () => {
  it('a menu waiting at its prompt draws itself again, whole, for the spy alone (a spy starts); a key typed meanwhile is answered after it', async () => {
    const b = await board({ main: MAIN });
    const { conn, session } = call(b, 'alice');
    await conn.waitFor('alice@Test Board Command: ');
    const mark = conn.screen.length;
    const spy = spyCopy();
    // Fails without: nothing could draw the line-mode menu again (the spy was told so).
    assert.equal(session.repaint(spy), undefined);
    conn.type('w');
    const out = (await conn.waitFor(/hello from a script[\s\S]*Command: /, 3000, mark)).slice(mark);
    assert.match(spy.text(), /^\x1b\[2J\x1b\[H[\s\S]*Main[\s\S]*Who's here[\s\S]*alice@Test Board Command: $/);
    // The caller is sent none of it: fails without (the menu was drawn again on their screen too).
    assert.match(out, /^W\r\n[\s\S]*hello from a script/);
    assert.doesNotMatch(out.slice(0, out.indexOf('hello from a script')), /Main|Command: /);
  });

  it('menu art is drawn again at once, not at its modem speed: the caller has seen it drawn', async () => {
    const b = await board({ main: { title: 'Main', art: { name: 'slow', baud: 300 }, prompt: 'Command: ', items: [{ key: 'W', text: 'Who', gosub: 'hello' }] } });
    await writeFile(join(b.artDir, 'slow.utf8.ans'), `${'x'.repeat(3000)}END OF ART\r\n`);
    const { conn, session } = call(b, 'alice');
    await conn.waitFor('xxx');
    // A key shows the rest at once; an unknown one leaves the menu at its prompt without drawing it again.
    conn.type('z');
    await conn.waitFor(/Unknown command[\s\S]*Command: /);
    const spy = spyCopy();
    assert.equal(session.repaint(spy), undefined);
    // 300 baud would take 100 seconds: fails without (the art played at its speed again).
    const again = await eventually(() => /END OF ART[\s\S]*Command: /.test(spy.text()) && spy.text(), () => `the art drawn again at once; got ${JSON.stringify(spy.text().slice(-200))}`);
    assert.match(again, /x{3000}END OF ART/);
  });
});
