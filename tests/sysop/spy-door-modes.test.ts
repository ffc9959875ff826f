// The sysop's spy on a caller in a door that started before the spy: the door's screen is
// replayed with the colours and scroll region the door set before what is replayed, and a
// door that draws only by cursor positions (no line end, no clear) is replayed too. Real
// clients: inetutils telnet in tmux; the spy's copy over the control channel, rendered by
// the console's own headless terminal (SpyScreen).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import { TmuxCaller } from '../e2e/messages-callers.js';
import { RawControl } from './control-support.js';
import { rowsOf, SpyStream, startEchoDoorBoard } from './spy-support.js';

const PW = 'correct-horse-7';
/** The engine's bound on a door's replay (doors/door-replay.ts MAX_REPLAY_BYTES). */
const REPLAY_BOUND = 64 * 1024;

describe('sysop spy: a door that set its modes before the spy came', () => {
  const stops: Array<() => unknown> = [];
  after(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  /** dora, over telnet, in the echo door run with `args`, once her screen shows `shown`. */
  async function doraInDoor(args: readonly string[], tmp: string, shown: RegExp): Promise<{ control: RawControl; dora: TmuxCaller }> {
    const board = await startEchoDoorBoard(tmp, args);
    stops.push(() => board.stop());
    await board.addUser('dora', PW);
    const control = await RawControl.connect(board.dataDir);
    stops.push(() => control.close());
    control.keepAlive();
    const dora = await TmuxCaller.telnet(board.ports.telnet!, 'dora', PW, tmp);
    stops.push(() => dora.hangup());
    dora.send('d');
    await dora.waitScreen(/Door \(Enter to go back\)/);
    dora.send('1');
    await dora.waitScreen(shown);
    return { control, dora };
  }

  it('colours and a scroll region set before the clear: the spy gets them first, and the header the region keeps', { timeout: 90_000 }, async () => {
    const o = await doraInDoor(['--region'], scratchDir('carrier-spy-door-region'), /region done/);
    const theirs = rowsOf((await o.dora.screen()).split('\n'));
    assert.match(theirs[0] ?? '', /REGION-HEADER stays on top/, theirs.join('\n'));
    const spy = await SpyStream.start(o.control, 'dora');
    await spy.waitFor(/region done/);
    // Fails without: replayed from the clear alone, the lines scrolled the whole screen and took the header off.
    const { lines } = await spy.screen();
    assert.deepEqual(rowsOf(lines), theirs);
    // The colours the screen was cleared with come before the clear (fails without: none).
    assert.match(spy.text(), /\x1b\[0;1;33;44m\x1b\[2J/);
  });

  it('a door that draws only by cursor positions, past the replay bound: the spy gets its screen, in bounded bytes', { timeout: 90_000 }, async () => {
    const o = await doraInDoor(['--positions', '200000'], scratchDir('carrier-spy-door-positions'), /positions done row 1 /);
    const theirs = rowsOf((await o.dora.screen()).split('\n'));
    const spy = await SpyStream.start(o.control, 'dora');
    // Fails without: 64 KiB held no line end, and the spy stayed blank.
    await spy.waitFor(/positions done row 1 /);
    const { lines } = await spy.screen();
    assert.deepEqual(rowsOf(lines), theirs);
    assert.ok(Buffer.byteLength(spy.text()) <= REPLAY_BOUND + 1024, `the spy was sent ${Buffer.byteLength(spy.text())} bytes`);
  });
});
