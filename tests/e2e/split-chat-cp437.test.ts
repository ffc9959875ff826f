// A full-screen view on a CP437 terminal sends another caller's text as a Connection
// would: characters CP437 has as glyphs of its control bytes (← is 0x1B, • is 0x07 on a
// DOS screen) become '?', never those control bytes. Art keeps the glyphs (its bytes are
// the sysop's); a chat line is not art. Real telnet callers over loopback: alice on a
// UTF-8 terminal, bob on a CP437 one ('ansi'), in a split-screen chat.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';
import { KEY, TelnetCaller } from './social-callers.js';

const PW = 'correct-horse-7';

describe('a split-screen chat line reaching a CP437 terminal', () => {
  let board: Carrier;
  const open: { close(): void }[] = [];

  before(async () => {
    board = await startCarrier({ logLevel: 'info' });
    for (const h of ['alice', 'bob']) await board.addUser(h, PW);
  });
  after(async () => {
    for (const c of open) c.close();
    await board.stop();
  });

  it('cannot carry an escape sequence or a bell to the other caller', async () => {
    const bob: RawTelnet = await loginRaw(board.ports.telnet!, 'bob', PW, { terminalType: 'ansi', size: { cols: 80, rows: 25 } });
    open.push(bob);
    const alice = await TelnetCaller.login(board.ports.telnet!, 'alice', PW);
    open.push({ close: () => alice.hangup() });

    alice.send('w');
    await alice.waitScreen(/Who's online - 2 callers/);
    alice.send(KEY.up);
    await alice.waitScreen(/Select a caller/);
    alice.send('c');
    await alice.waitScreen(/waiting for bob to answer/);
    await bob.waitFor('wants to chat with you');
    bob.send(KEY.ctrlY);
    await alice.waitScreen(/\(bob answered\)/);

    const mark = bob.text().length;
    // ← [2J clears a screen and • rings its bell when sent as CP437 0x1B and 0x07.
    alice.send('x←[2J•y\r');
    const got = await bob.waitFor(/x.\[2J.y/s, 10_000, mark);
    const line = /x.\[2J.y/s.exec(got)![0];
    assert.equal(line, 'x?[2J?y', `bob's terminal got ${JSON.stringify(line)}`);
    assert.ok(!got.includes('\x07'), 'no bell reached bob');
  });
});
