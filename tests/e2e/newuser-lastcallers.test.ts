// The new-user application forgives a mistyped confirmation, and last callers shows who is
// on now at the top, with the location callers gave when they signed up.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type TelnetClient } from '@carrier/client';
import { startCarrier, type Carrier } from '../harness.js';

const FIRST_SCREEN_MS = 15_000;

describe('new users and last callers', () => {
  let board: Carrier;
  before(async () => {
    board = await startCarrier();
    await board.addUser('alice', 'wonderland7');
  });
  after(async () => {
    await board.stop();
  });

  async function call(): Promise<TelnetClient> {
    const c = await connect({ port: board.ports.telnet!, localAddress: '127.0.0.2' });
    await c.readUntil('login:', { timeout: FIRST_SCREEN_MS });
    return c;
  }

  it('asks again for a confirmation that does not match, keeping the application', async () => {
    const c = await call();
    c.writeLine('new');
    await c.readUntil('Handle');
    c.writeLine('Dana Scully');
    await c.readUntil('Password:');
    c.writeLine('trust-no-1-x');
    await c.readUntil('again');
    c.writeLine('trust-no-one');
    await c.readUntil('do not match. 2 more tries');
    await c.readUntil('again');
    c.writeLine('trust-no-1-x');
    await c.readUntil('call from');
    c.writeLine('Washington, DC');
    await c.readUntil('Create the account');
    c.write('y');
    await c.readUntil('Command:');
    c.write('l');
    const screen = await c.readUntil('press a key');
    // On now, at the top, with the location given at sign-up.
    const lines = screen.split('\n');
    const mine = lines.findIndex((l) => /Dana Scully\s+telnet\s+\S+ \S+\s+online\s+Washington, DC/.test(l.replace(/\x1b\[[0-9;]*m/g, '')));
    assert.ok(mine >= 0, screen);
    c.write('x');
    await c.readUntil('Command:');
    c.write('g');
    await c.whenClosed();
    const after = await call();
    after.writeLine('alice');
    await after.readUntil('password:');
    after.writeLine('wonderland7');
    await after.readUntil('Command:');
    after.write('l');
    const list = (await after.readUntil('press a key')).replace(/\x1b\[[0-9;]*m/g, '');
    assert.match(list, /alice\s+telnet\s+\S+ \S+\s+online/);
    assert.match(list, /Dana Scully\s+telnet\s+\S+ \S+\s+\d+m\s+Washington, DC/, 'the finished call, with its location');
    await after.close();
  });

  it('refuses a taken handle, or one that reads like it, at the handle prompt', async () => {
    const c = await call();
    c.writeLine('new');
    await c.readUntil('Handle');
    c.writeLine('ALICE');
    await c.readUntil('That handle is taken. Try another.');
    await c.readUntil('Handle');
    c.writeLine('aIice');
    await c.readUntil('That handle looks too much like one already taken. Try another.');
    await c.readUntil('Handle');
    c.writeLine('Fox Mulder');
    await c.readUntil('Password:');
    await c.close();
  });

  it('ends the application after three mismatched confirmations', async () => {
    const c = await call();
    c.writeLine('new');
    await c.readUntil('Handle');
    c.writeLine('Fox Mulder');
    await c.readUntil('Password:');
    c.writeLine('i-want-to-believe');
    for (let i = 0; i < 3; i++) {
      await c.readUntil('again');
      c.writeLine(`nope-${i}-nope`);
    }
    await c.readUntil('Application cancelled');
    await c.close();
    const list = await board.cli(['user', 'list']);
    assert.doesNotMatch(list.stdout, /Fox Mulder/);
  });

  it('the location is the one question Enter skips: it says so, and an empty answer still makes the account', async () => {
    const c = await call();
    c.writeLine('new');
    await c.readUntil('Handle');
    c.writeLine('Fox Mulder');
    await c.readUntil('Password:');
    c.writeLine('i-want-2-believe');
    await c.readUntil('again');
    c.writeLine('i-want-2-believe');
    await c.readUntil('call from (city, country; Enter to skip)?');
    c.writeLine('');
    await c.readUntil('Create the account');
    c.write('y');
    await c.readUntil('Command:');
    await c.close();
  });

  it('a location of wide characters is cut to the From column, not wrapped onto the next row', async () => {
    const c = await call();
    c.writeLine('new');
    await c.readUntil('Handle');
    c.writeLine('Kenji Sato');
    await c.readUntil('Password:');
    c.writeLine('tokyo-drift-9');
    await c.readUntil('again');
    c.writeLine('tokyo-drift-9');
    await c.readUntil('call from');
    // 23 CJK characters, 46 columns: cut to 22 characters, the row ran to column 101.
    c.writeLine('東京都千代田区丸の内一丁目一番一号東京駅前ビル');
    await c.readUntil('Create the account');
    c.write('y');
    await c.readUntil('Command:');
    c.write('l');
    const lines = (await c.readUntil('press a key')).replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split(/\r?\n/);
    const at = lines.findIndex((l) => /^Kenji Sato\s+telnet .* online\s+東京都/.test(l));
    assert.ok(at >= 0, lines.join('\n'));
    const width = [...lines[at]!].reduce((w, ch) => w + (ch.codePointAt(0)! >= 0x2e80 ? 2 : 1), 0);
    assert.ok(width <= 79, `the row is ${width} columns`);
    assert.doesNotMatch(lines[at + 1] ?? '', /^[\u2e80-\u9fff]/, 'the location went on onto the next row');
    c.write('x');
    await c.readUntil('Command:');
    await c.close();
  });
});
