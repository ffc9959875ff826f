// The idle timeout warns first and says goodbye everywhere (issue 11 item 9): at a
// minute left (half the timeout when that is shorter) the caller gets a bell and one
// line, any key starts the clock again, and the goodbye line reaches the caller in line
// mode, in chat, in who's online and in split chat. Real callers over loopback: a telnet
// caller and OpenSSH in tmux.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { scratchDir } from '@carrier/core/testing';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, startCarrier, type Carrier } from '../harness.js';
import { enterChat, OpenSshCaller, plain, TelnetCaller, type Caller } from './social-callers.js';

const PW = 'correct-horse-7';
/** Idle timeout for these callers: the warning comes at half of it (under two minutes). */
const IDLE_S = 8;
const WARNING = /You have been idle: disconnecting in \d+ (?:seconds|minute)\.\s+Press a key to stay\./;
const GOODBYE = /Idle timeout: goodbye\./;
const ROBOTS = '/usr/games/robots';

// The tests wait out idle timers on callers of their own (one account each), so they run at once.
describe('idle timeout: warning and goodbye', { concurrency: true }, () => {
  let board: Carrier;
  const callers: Caller[] = [];
  const tmp = scratchDir('carrier-idle');

  before(async () => {
    // The shipped board plus a pager and a lightbar of the test's own (T and Y).
    const scripts = join(tmp, 'scripts');
    const menus = join(tmp, 'menus');
    cpSync(join(repoRoot, 'scripts'), scripts, { recursive: true });
    cpSync(join(repoRoot, 'config', 'menus'), menus, { recursive: true });
    writeFileSync(join(scripts, 'longtext.ts'), `import type { Session } from '@carrier/engine';
export default async (s: Session) => { await s.pager(Array.from({ length: 200 }, (_, i) => 'line ' + (i + 1)).join('\\n')); };\n`);
    writeFileSync(join(scripts, 'pick.ts'), `import type { Session } from '@carrier/engine';
export default async (s: Session) => { s.println('pick one:'); await s.lightbar(['apples', 'pears', 'plums']); };\n`);
    const shipped = readFileSync(join(menus, 'main.yaml'), 'utf8');
    writeFileSync(join(menus, 'main.yaml'), `${shipped.trimEnd()}\n  - { key: T, text: Long text, gosub: longtext }\n  - { key: Y, text: Pick, gosub: pick }\n`);
    // robots (bsdgames), a real curses door that draws its board and waits for keys.
    const doorsFile = join(tmp, 'doors.yaml');
    writeFileSync(doorsFile, `doors:\n  - { name: robots, description: Robots, command: [${ROBOTS}], encoding: utf8, level: 10 }\n`);
    board = await startCarrier({ ssh: true, logLevel: 'info', scriptsDir: scripts, menusDir: menus, yaml: `session: { idleTimeout: ${IDLE_S}s }\ndoors: { file: ${JSON.stringify(doorsFile)} }` });
    for (const h of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) await board.addUser(h, PW);
    await board.addUser('grace', PW, true);
    await board.addUser('heidi', PW);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
  });

  const telnet = async (handle: string): Promise<TelnetCaller> => {
    const c = await TelnetCaller.login(board.ports.telnet!, handle, PW);
    callers.push(c);
    return c;
  };

  it('at the menu: a bell and one line, a key starts the clock again, then the goodbye', async () => {
    const alice = await telnet('alice');
    const mark = alice.raw().length;
    await alice.waitRaw(WARNING, 15_000, mark);
    const warned = alice.raw().slice(mark);
    assert.ok(warned.includes('\x07'), 'the warning rings the bell');
    assert.equal(plain(warned).match(new RegExp(WARNING.source, 'g'))?.length, 1, 'one warning line');
    // The prompt is put back below the warning.
    await alice.waitScreen(/Command: *\n*$/);
    const afterKey = alice.raw().length;
    const t0 = Date.now();
    alice.send('\r');
    // A second warning comes a full half-timeout after the key, not at the old deadline.
    await alice.waitRaw(WARNING, 20_000, afterKey);
    assert.ok(Date.now() - t0 >= (IDLE_S / 2) * 1000 - 500, `warned again only after ${Date.now() - t0} ms`);
    assert.equal(alice.closed, false, 'the key kept the caller on');
    await alice.waitRaw(GOODBYE, 20_000, afterKey);
    await within(() => alice.closed);
  });

  it('in chat (OpenSSH in tmux): the warning shows in the room and the goodbye reaches the screen', async () => {
    const bob = await OpenSshCaller.login(board.ports.ssh!, 'bob', PW, tmp);
    callers.push(bob);
    // Keep the pane once ssh exits, so the screen the caller was left with can be read.
    const socket = (bob as unknown as { socket: string }).socket;
    execFileSync('tmux', ['-S', socket, 'set-option', '-t', 'caller', 'remain-on-exit', 'on']);
    await enterChat(bob);
    await bob.waitScreen(WARNING, 20_000);
    const screen = await bob.waitScreen(GOODBYE, 20_000);
    assert.match(screen, /#lobby/, 'the room is still drawn around the lines');
  });

  it('in chat over telnet: warning, a key keeps the caller, then the goodbye', async () => {
    const carol = await telnet('carol');
    await enterChat(carol);
    await carol.waitScreen(WARNING, 20_000);
    carol.send('x');
    await carol.waitScreen(/> x/);
    const mark = carol.raw().length;
    await carol.waitRaw(WARNING, 20_000, mark);
    await carol.waitScreen(GOODBYE, 20_000);
    await within(() => carol.closed);
  });

  it("in who's online: the warning in the view, the goodbye on the screen", async () => {
    const dave = await telnet('dave');
    dave.send('w');
    await dave.waitScreen(/who's online|Who's online|node/i);
    await dave.waitScreen(WARNING, 20_000);
    await dave.waitScreen(GOODBYE, 20_000);
    await within(() => dave.closed);
  });

  it('in the sysop console: the warning on its footer, then the goodbye on the screen', async () => {
    const grace = await telnet('grace');
    grace.send('!');
    await grace.waitScreen(/sysop console/);
    const warned = await grace.waitScreen(WARNING, 20_000);
    assert.match(warned.split('\n').filter((r) => r.trim() !== '').pop() ?? '', WARNING, 'on the footer row');
    await grace.waitScreen(GOODBYE, 20_000);
    await within(() => grace.closed);
  });

  it('in a door (robots): the warning over its bottom row, the door still drawn, then the goodbye', async (t) => {
    if (!existsSync(ROBOTS)) return t.skip('needs bsdgames (tools/ci-packages.txt)');
    const heidi = await telnet('heidi');
    heidi.send('d');
    await heidi.waitScreen(/Door \(Enter/);
    heidi.send('1');
    await heidi.waitScreen(/Directions:/, 20_000);
    const warned = await heidi.waitScreen(WARNING, 20_000);
    const rows = warned.split('\n');
    assert.match(rows[rows.length - 1] ?? '', WARNING, `on the bottom row:\n${warned}`);
    assert.match(warned, /Directions:/, 'the door is still on the screen around it');
    await heidi.waitScreen(GOODBYE, 20_000);
    await within(() => heidi.closed);
  });

  for (const [what, handle, key, shown] of [
    ['the pager', 'erin', 't', /More/],
    ['a lightbar', 'frank', 'y', /plums/],
  ] as const) {
    it(`in ${what}: the warning and the goodbye on the screen`, async () => {
      const c = await telnet(handle);
      c.send(key);
      await c.waitScreen(shown);
      const warned = await c.waitScreen(WARNING, 20_000);
      if (key === 'y') {
        // The lightbar keeps its rows: the warning goes on the row below the list, not over an entry.
        const rows = warned.split('\n').map((r) => r.trim());
        const at = rows.indexOf('apples');
        assert.deepEqual(rows.slice(at, at + 3), ['apples', 'pears', 'plums'], warned);
        assert.match(rows[at + 3] ?? '', WARNING, warned);
      }
      await c.waitScreen(GOODBYE, 20_000);
      await within(() => c.closed);
    });
  }
});

async function within(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) assert.fail('the call did not end');
    await new Promise((r) => setTimeout(r, 50));
  }
}
