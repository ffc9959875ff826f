// Oneliners and last callers on narrow screens (a phone's browser is about 40 columns, some
// terminals 24), with inetutils telnet in tmux windows that narrow from the start: a line on
// the wall goes on under itself, broken between words (it was cut at the screen's edge),
// and last callers drops Via and the year at 40 columns and takes two rows a caller at 24
// (its columns ran onto two and three rows each, broken anywhere); K's keys show their
// fingerprint under the key's row in pieces that fit (a 68-column row ran on, mid-word).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from './messages-callers.js';

const PW = 'narrow-social-7';
const LINE = 'A rather long oneliner that must wrap on a narrow screen';

describe('oneliners and last callers on narrow screens', { timeout: 120_000 }, () => {
  let board: Carrier;
  let tmp: string;
  const callers: TmuxCaller[] = [];
  const call = async (handle: string, cols: number): Promise<TmuxCaller> => {
    const c = await TmuxCaller.telnet(board.ports.telnet!, handle, PW, tmp, /Command:/, undefined, cols);
    callers.push(c);
    return c;
  };

  before(async () => {
    tmp = scratchDir('carrier-social-narrow-e2e');
    board = await startCarrier({ logLevel: 'info' });
    await board.addUser('nadia', PW);
    await board.addUser('omar', PW);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
  });

  it('a oneliner wraps under itself at 24 columns, and stays one row at 80', async () => {
    const narrow = await call('nadia', 24);
    narrow.send('o');
    await narrow.waitScreen(/^Oneliners\s*\n-{23}\s*\nThe wall is empty/m);
    narrow.send('a');
    await narrow.waitScreen(/Your line:/);
    narrow.send(`${LINE}\r`);
    await narrow.waitScreen(/^ 1 nadia: A rather long\s*\n {3}oneliner that must\s*\n {3}wrap on a narrow\s*\n {3}screen\s*\n\s*\n\[A\]dd a line {2}\[Q\]uit:/m);
    narrow.send('q');
    await narrow.waitScreen(/Command:\s*$/);
    const wide = await call('omar', 80);
    wide.send('o');
    await wide.waitScreen(new RegExp(`^ 1 nadia {11}${LINE}\\s*$`, 'm'));
    wide.send('q');
    await wide.waitScreen(/Command:\s*$/);
  });

  it('last callers drops Via and the year at 40 columns, and takes two rows a caller at 24', async () => {
    const at40 = await call('omar', 40);
    at40.send('l');
    await at40.waitScreen(/^Handle {15}When {8}Time\s*\n-{39}\s*\n(?:\w+ +\d\d-\d\d \d\d:\d\d online\s*\n)+/m);
    const at24 = await call('nadia', 24);
    at24.send('l');
    await at24.waitScreen(/^Handle, via\s*\n {2}When {8}Time\s*\n-{23}\s*\n(?:\w+, telnet\s*\n {2}\d\d-\d\d \d\d:\d\d (?:online|\d+m)\s*\n)+/m);
  });

  it("K's title, keys and prompt fit 24 columns: the fingerprint goes under the key's row", async () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'nadia@a-phone', '-f', join(tmp, 'id_narrow')]);
    const pub = readFileSync(join(tmp, 'id_narrow.pub'), 'utf8').trim();
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', join(tmp, 'id_narrow.pub')], { encoding: 'utf8' }).split(' ')[1]!;
    const c = await call('nadia', 24);
    c.send('k');
    await c.waitScreen(/^Your SSH keys\s*\n-{23}\s*\nNo keys yet\.\s*\n\s*\n\[A\]dd \[R\]emove \[Q\]uit:\s*$/m);
    c.send('a');
    await c.waitScreen(/Paste one line/);
    c.send(`${pub}\r`);
    await c.waitScreen(/Added/);
    c.send(' ');
    const pieces = [fingerprint.slice(0, 20), fingerprint.slice(20, 40), fingerprint.slice(40)].map((p) => ` {3}${p.replace(/[+/]/g, '\\$&')}\\s*\\n`);
    await c.waitScreen(new RegExp(`^ 1 ssh-ed25519 nadia@a-\\s*\\n${pieces.join('')}\\s*\\n\\[A\\]dd \\[R\\]emove \\[Q\\]uit:\\s*$`, 'm'));
  });
});
