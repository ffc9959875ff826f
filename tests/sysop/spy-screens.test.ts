// The sysop's spy at line-mode screens printed below earlier output (the file area menu and
// its listing, the oneliners prompt, the message area, the reader, the mail menu and a mail
// being read): a spy that starts there gets the screen at once, drawn for the spy alone,
// and the caller is sent nothing for it. Real clients: inetutils telnet in tmux.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import type { Carrier } from '../harness.js';
import { startSshFilesBoard } from '../e2e/files-support.js';
import { TmuxCaller } from '../e2e/messages-callers.js';
import { RawControl } from './control-support.js';
import { callerAtMenu, OutputLog, sendMailOver, SpyStream, startEchoDoorBoard } from './spy-support.js';

const PW = 'correct-horse-7';

/**
 * With `caller` waiting at a screen: a spy starts and must get `screen` (fails without the
 * fix: the spy stayed blank); then `key` leads on to what shows `next`, and before it the
 * caller's terminal got nothing of `drawn` again.
 */
async function spyAtScreen(control: RawControl, tmp: string, caller: TmuxCaller, name: string, screen: RegExp, key: string, next: RegExp, drawn: RegExp): Promise<void> {
  const out = new OutputLog(join(tmp, `${caller.name}-${name}.out`));
  caller.logOutput(out.file);
  const spy = await SpyStream.start(control, caller.name);
  await spy.waitFor(screen);
  caller.send(key);
  const got = await out.waitFor(next);
  const beforeNext = got.slice(0, got.search(next));
  assert.doesNotMatch(beforeNext, drawn, `${caller.name}'s terminal got ${JSON.stringify(beforeNext)}`);
  const who = (await control.ok('who')) as { node: number; handle: string }[];
  await control.ok('unspy', { node: who.find((n) => n.handle === caller.name)!.node });
}

describe('sysop spy: screens printed below earlier output are drawn again for the spy alone', () => {
  let board: Carrier;
  let close: () => Promise<void>;
  let control: RawControl;
  const tmp = scratchDir('carrier-spy-screens');

  before(async () => {
    ({ board, close } = await startSshFilesBoard({ prefix: 'carrier-spy-screens-', maxFileMiB: 1 }));
    for (const h of ['alice', 'bob']) await board.addUser(h, PW);
    control = await RawControl.connect(board.dataDir);
    control.keepAlive();
  });
  after(async () => {
    control?.close();
    await close?.();
  });

  async function spyAt(caller: TmuxCaller, name: string, screen: RegExp, key: string, next: RegExp, drawn: RegExp): Promise<void> {
    await spyAtScreen(control, tmp, caller, name, screen, key, next, drawn);
  }

  it('the file area menu and a page of its listing', { timeout: 90_000 }, async () => {
    const alice = await TmuxCaller.telnet(board.ports.telnet!, 'alice', PW, tmp);
    try {
      alice.send('f');
      await alice.waitScreen(/File area: General[\s\S]*uit:/);
      await spyAt(alice, 'files', /\x1b\[2J[\s\S]*File area: [\s\S]*General[\s\S]*uit: $/, 'l', /# Name/, /File area/);
      await alice.waitScreen(/big\.bin[\s\S]*uit:/);
      await spyAt(alice, 'listing', /\x1b\[2J[\s\S]*General[\s\S]*# Name[\s\S]*big\.bin[\s\S]*uit: $/, 'q', /File area/, /big\.bin|# Name/);
      // ? prints what each key does over the menu: the spy gets the legend with the menu (it got the menu alone).
      await alice.waitScreen(/File area: General[\s\S]*uit:\s*$/);
      alice.send('?');
      await alice.waitScreen(/Web download link[\s\S]*Quit\s*\nFile area: General[\s\S]*uit:\s*$/);
      await spyAt(alice, 'legend', /\x1b\[2J[\s\S]*Jump[\s\S]*Web download link[\s\S]*Quit[\s\S]*File area: [\s\S]*uit: $/, 'q', /Command:/, /Web download link/);
    } finally {
      alice.hangup();
    }
  });

  it('the oneliners prompt under the wall', { timeout: 90_000 }, async () => {
    const alice = await TmuxCaller.telnet(board.ports.telnet!, 'alice', PW, tmp);
    try {
      alice.send('o');
      await alice.waitScreen(/dd a line[\s\S]*uit:/);
      await spyAt(alice, 'oneliners', /Oneliners[\s\S]*The wall is empty[\s\S]*dd a line[\s\S]*uit: $/, 'a', /Your line: /, /Oneliners|wall is empty|dd a line/);
      alice.send('\r');
      await alice.waitScreen(/Oneliners/);
    } finally {
      alice.hangup();
    }
  });

  it('the message area prompt, and the reader showing a message with its prompt', { timeout: 90_000 }, async () => {
    const posted = await board.cli(['msg', 'post', 'general', '--from', 'bob', '--subject', 'Spied upon'], 'The body the spy must see.');
    assert.equal(posted.code, 0, posted.stderr);
    const alice = await TmuxCaller.telnet(board.ports.telnet!, 'alice', PW, tmp);
    try {
      alice.send('m');
      await alice.waitScreen(/Area: General[\s\S]*uit:/);
      await spyAt(alice, 'area', /\x1b\[2J[\s\S]*Area: General[\s\S]*uit: $/, 'r', /Spied upon/, /Area: General/);
      await alice.waitScreen(/The body the spy must see\.[\s\S]*uit:/);
      await spyAt(alice, 'reader', /Subject:[\s\S]*Spied upon[\s\S]*The body the spy must see\.[\s\S]*ext[\s\S]*uit: $/, 'q', /Area: General/, /Spied upon|The body/);
    } finally {
      alice.hangup();
    }
  });

  it('the mail menu, and a mail being read with its prompt', { timeout: 90_000 }, async () => {
    await sendMailOver(board, tmp, 'bob', PW, { to: 'alice', subject: 'Secret plans', body: 'Meet at the usual place.' });
    const alice = await callerAtMenu(board, tmp, 'alice', PW);
    try {
      alice.send('e');
      await alice.waitScreen(/Mail - 1 unread[\s\S]*uit:/);
      await spyAt(alice, 'mail', /\x1b\[2J[\s\S]*Mail[\s\S]*1 unread[\s\S]*uit: $/, 'r', /Inbox/, /1 unread/);
      await alice.waitScreen(/Read which number/);
      alice.send('1\r');
      await alice.waitScreen(/Meet at the usual place\.[\s\S]*uit:/);
      await spyAt(alice, 'mail-read', /Subject:[\s\S]*Secret plans[\s\S]*Meet at the usual place\.[\s\S]*eply[\s\S]*uit: $/, 'q', /Inbox/, /Secret plans|usual place/);
    } finally {
      alice.hangup();
    }
  });
});

describe('sysop spy: a caller in a door', () => {
  let board: Carrier;
  let control: RawControl;
  const tmp = scratchDir('carrier-spy-door-replay');

  before(async () => {
    board = await startEchoDoorBoard(tmp);
    await board.addUser('dora', PW);
    control = await RawControl.connect(board.dataDir);
    control.keepAlive();
  });
  after(async () => {
    control?.close();
    await board?.stop();
  });

  it('a spy that starts while the door runs gets what the door drew; the caller is sent nothing', { timeout: 90_000 }, async () => {
    const dora = await TmuxCaller.telnet(board.ports.telnet!, 'dora', PW, tmp);
    try {
      dora.send('d');
      await dora.waitScreen(/Door \(Enter to go back\)/);
      dora.send('1');
      await dora.waitScreen(/Hello, dora![\s\S]*size \d+x\d+/);
      dora.send('a');
      await dora.waitScreen(/key:61/);
      // Fails without: the spy was blank until the door drew again ("a door: shown as it draws").
      await spyAt(dora, 'door', /Hello, dora![\s\S]*size \d+x\d+[\s\S]*key:61\r*\n$/, 'b', /key:62/, /Hello|key:61/);
    } finally {
      dora.hangup();
    }
  });

  async function spyAt(caller: TmuxCaller, name: string, screen: RegExp, key: string, next: RegExp, drawn: RegExp): Promise<void> {
    await spyAtScreen(control, tmp, caller, name, screen, key, next, drawn);
  }
});
