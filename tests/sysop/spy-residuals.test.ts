// The sysop's spy, end to end with real clients: a caller sees nothing when a sysop starts
// watching (the screen is drawn again for the spy alone), the spy sees the art variant the
// caller was shown, and the console's label keeps its note (a door) at any window size.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import { repoRoot, startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from '../e2e/messages-callers.js';
import { RawControl } from './control-support.js';
import { OutputLog, SpyStream, startEchoDoorBoard } from './spy-support.js';
import { TmuxConsole } from './tmux-console.js';

const PW = 'correct-horse-7';
/** Variants of the main menu's art: a spy drawn with a random one would miss the caller's nearly always. */
const VARIANTS = 30;

describe("sysop spy: what the caller sees and what the spy sees", () => {
  let board: Carrier;
  let control: RawControl;
  const tmp = scratchDir('carrier-spy-residuals');
  const artDir = join(tmp, 'art');

  before(async () => {
    // The board's own art, with the main menu's in many variants (art/README: main.<v>.ans).
    mkdirSync(artDir);
    for (const f of readdirSync(join(repoRoot, 'art'))) if (f !== 'main.ans') copyFileSync(join(repoRoot, 'art', f), join(artDir, f));
    for (let i = 1; i <= VARIANTS; i++) {
      const v = String(i).padStart(2, '0');
      writeFileSync(join(artDir, `main.v${v}.utf8.ans`), `\x1b[2J\x1b[H  Main menu art, variant-${v}-of-the-day\r\n\r\n`);
    }
    board = await startCarrier({ logLevel: 'info', ssh: true, artDir });
    for (const h of ['alice', 'bob', 'carol']) await board.addUser(h, PW);
    control = await RawControl.connect(board.dataDir);
    control.keepAlive();
  });
  after(async () => {
    control?.close();
    await board?.stop();
  });

  it('a telnet caller at the main menu is sent nothing when the spy starts; the spy gets the whole menu', { timeout: 90_000 }, async () => {
    const alice = await TmuxCaller.telnet(board.ports.telnet!, 'alice', PW, tmp);
    try {
      const out = new OutputLog(join(tmp, 'alice.out'));
      alice.logOutput(out.file);
      const spy = await SpyStream.start(control, 'alice');
      await spy.waitFor(/variant-\d\d-of-the-day[\s\S]*alice[\s\S]*Command: /);
      // The spy has the screen; whatever the caller was sent for it came before the answer to
      // her next key. Fails without: the menu was drawn again on her screen too (cleared, art, prompt).
      alice.send('z');
      const got = await out.waitFor(/Unknown command/);
      const before = got.slice(0, got.indexOf('Unknown command'));
      assert.doesNotMatch(before, /\x1b\[2J|variant-|Command:/, `alice's terminal got ${JSON.stringify(before)}`);
      await control.ok('unspy', { node: await nodeOf('alice') });
    } finally {
      alice.hangup();
    }
  });

  it("an ssh caller in who's online (a full-screen view) is sent nothing when the spy starts; the spy gets the whole view", { timeout: 90_000 }, async () => {
    const bob = await TmuxCaller.ssh(board.ports.ssh!, 'bob', PW, tmp);
    try {
      bob.send('w');
      await bob.waitScreen(/Who's online[\s\S]*Space back/);
      const out = new OutputLog(join(tmp, 'bob.out'));
      bob.logOutput(out.file);
      const spy = await SpyStream.start(control, 'bob');
      await spy.waitFor(/Who's online[\s\S]*bob[\s\S]*Space back/);
      // Leaving the view puts the normal screen back (?1049l): before that, the view sent
      // nothing. Fails without: the view was drawn whole again on bob's screen.
      bob.send(' ');
      const got = await out.waitFor(/\x1b\[\?1049l/);
      const before = got.slice(0, got.indexOf('\x1b[?1049l'));
      assert.doesNotMatch(before, /online|bob|Space/, `bob's terminal got ${JSON.stringify(before)}`);
      await bob.waitScreen(/Command:/);
    } finally {
      bob.hangup();
    }
  });

  it('the spy is drawn the art variant the caller was shown, every time it starts', { timeout: 90_000 }, async () => {
    const carol = await TmuxCaller.telnet(board.ports.telnet!, 'carol', PW, tmp);
    try {
      const shown = /variant-(\d\d)-of-the-day/.exec(await carol.screen())?.[1];
      assert.ok(shown !== undefined, 'carol sees a variant of the menu art');
      const node = await nodeOf('carol');
      // Fails without (1 in 30 twice to pass by chance): the repaint picked its own variant.
      for (let i = 0; i < 2; i++) {
        const spy = await SpyStream.start(control, 'carol');
        const text = await spy.waitFor(/variant-\d\d-of-the-day[\s\S]*Command: /);
        assert.deepEqual([...text.matchAll(/variant-(\d\d)-of-the-day/g)].map((m) => m[1]), [shown]);
        await control.ok('unspy', { node });
      }
    } finally {
      carol.hangup();
    }
  });

  it('a caller at user settings or at their ssh keys (list-and-prompt screens) is sent nothing when the spy starts; the spy gets the screen', { timeout: 90_000 }, async () => {
    const bob = await TmuxCaller.ssh(board.ports.ssh!, 'bob', PW, tmp);
    try {
      for (const [key, screen] of [['u', /User settings[\s\S]*Change which\? $/], ['k', /Your SSH keys[\s\S]*No keys yet[\s\S]*uit: $/]] as const) {
        bob.send(key);
        await bob.waitScreen(key === 'u' ? /Change which\?/ : /emove one/);
        const out = new OutputLog(join(tmp, `bob-${key}.out`));
        bob.logOutput(out.file);
        // Fails without: a script's own prompt, the spy stayed blank ("shown from the next change").
        const spy = await SpyStream.start(control, 'bob');
        await spy.waitFor(screen);
        // Leaving it: the main menu comes back, and before it the caller got nothing drawn again.
        bob.send('q');
        const got = await out.waitFor(/Who's online[\s\S]*Command:/);
        assert.doesNotMatch(got.slice(0, got.indexOf("Who's online")), /User settings|Your SSH keys/, `bob's terminal got ${JSON.stringify(got)}`);
        await control.ok('unspy', { node: await nodeOf('bob') });
      }
    } finally {
      bob.hangup();
    }
  });

  async function nodeOf(handle: string): Promise<number> {
    const who = (await control.ok('who')) as { node: number; handle: string }[];
    return who.find((n) => n.handle === handle)!.node;
  }
});

describe("sysop console: spying on a caller in a door", () => {
  let board: Carrier;
  const tmp = scratchDir('carrier-spy-door');

  before(async () => {
    board = await startEchoDoorBoard(tmp);
    await board.addUser('dora', PW);
  });
  after(async () => {
    await board?.stop();
  });

  it('a caller at the doors list is sent nothing when the spy starts; the spy gets the list', { timeout: 90_000 }, async () => {
    const dora = await TmuxCaller.telnet(board.ports.telnet!, 'dora', PW, tmp);
    const control = await RawControl.connect(board.dataDir);
    try {
      dora.send('d');
      await dora.waitScreen(/Door \(Enter to go back\)/);
      const out = new OutputLog(join(tmp, 'dora.out'));
      dora.logOutput(out.file);
      // Fails without: the doors list was a script's own prompt, and the spy stayed blank ("shown from the next change").
      const spy = await SpyStream.start(control, 'dora');
      await spy.waitFor(/Doors[\s\S]*Echo door[\s\S]*Door \(Enter to go back\): /);
      dora.send('\r');
      // Back at the main menu: before it, her terminal got no list drawn again.
      const got = await out.waitFor(/Who's online[\s\S]*Command:/);
      assert.doesNotMatch(got.slice(0, got.indexOf("Who's online")), /Echo door|Enter to go back/, `dora's terminal got ${JSON.stringify(got)}`);
    } finally {
      control.close();
      dora.hangup();
    }
  });

  it("the note that the caller is in a door shows on an 80x25 console (bare spy) and on a smaller one (framed)", { timeout: 90_000 }, async () => {
    const dora = await TmuxCaller.telnet(board.ports.telnet!, 'dora', PW, tmp);
    try {
      dora.send('d');
      await dora.waitScreen(/Door \(Enter to go back\)/);
      dora.send('1\r');
      await board.waitForLog((l) => l['event'] === 'door.start', 20_000);
      const seat = new TmuxConsole(tmp, board);
      try {
        // Fails without: the bare 80x25 spy had no row for its label, so the note was hidden.
        await seat.spyAt80x25('dora', /a door: shown as it draws/);
        // A window smaller than dora's screen frames the spy; the label is cut to the frame,
        // and the note stays whole in it (fails without: cut after "a door: sh").
        seat.resize(60, 20);
        await seat.wait(/a door: shown as it draws/);
      } finally {
        seat.kill();
      }
    } finally {
      dora.hangup();
    }
  });
});
