// A failing script's apology stays on screen until the caller presses a key (issue 11
// item 10): the menu's redraw used to wipe it at once. A telnet caller over loopback, a
// script that throws in a scripts folder of the test's own, the shipped menu plus an item.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, startCarrier, type Carrier } from '../harness.js';
import { TelnetCaller } from './social-callers.js';

const PW = 'correct-horse-7';
const APOLOGY = /Sorry, something went wrong\. Back to where you were\./;
/** Long enough for a menu redraw to have come (it used to follow the apology at once). */
const STAYS_MS = 1_500;

describe('a failing script: the apology waits for a key', () => {
  let board: Carrier;
  let dir: string;
  const callers: TelnetCaller[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carrier-apology-'));
    const scripts = join(dir, 'scripts');
    const menus = join(dir, 'menus');
    cpSync(join(repoRoot, 'scripts'), scripts, { recursive: true });
    writeFileSync(join(scripts, 'boom.ts'), `export default async () => { throw new Error('boom on purpose'); };\n`);
    cpSync(join(repoRoot, 'config', 'menus'), menus, { recursive: true });
    const shipped = readFileSync(join(menus, 'main.yaml'), 'utf8');
    writeFileSync(join(menus, 'main.yaml'), `${shipped.trimEnd()}\n  - { key: B, text: Blow up, gosub: boom }\n`);
    board = await startCarrier({ scriptsDir: scripts, menusDir: menus, logLevel: 'info' });
    await board.addUser('alice', PW);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays on screen, even with keys typed ahead, until a key typed after it; then the menu', async () => {
    const alice = await TelnetCaller.login(board.ports.telnet!, 'alice', PW);
    callers.push(alice);
    const mark = alice.raw().length;
    // `b` then `g` (Goodbye) typed at once: the key typed before the apology must not dismiss it.
    alice.send('bg');
    await alice.waitScreen(APOLOGY);
    await board.waitForLog((l) => l['event'] === 'script.error' && l['script'] === 'boom');
    await new Promise((r) => setTimeout(r, STAYS_MS));
    const screen = await alice.screen();
    assert.match(screen, APOLOGY, 'the apology is still on screen');
    assert.match(screen, /press a key/);
    assert.doesNotMatch(alice.raw().slice(mark).split(/Sorry, something went wrong/)[1] ?? '', /Command:/, 'no menu redraw yet');
    assert.equal(alice.closed, false);

    const before = alice.raw().length;
    alice.send(' ');
    await alice.waitRaw('Command:', 10_000, before);
    assert.equal(alice.closed, false, 'the typed-ahead G was dropped, not acted on');
  });
});
