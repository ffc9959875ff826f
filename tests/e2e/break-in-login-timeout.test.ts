// A sysop who breaks in on a caller still at `login:`: the login timeout does not cut the
// call while they chat. Run out during the chat, it starts again when the chat ends (and
// then does end a call that still does not log in).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { RawTelnet } from '../raw-telnet.js';
import { RawControl } from '../sysop/control-support.js';

describe('break-in chat at login:', () => {
  let board: Carrier;
  let c: RawControl;
  let caller: RawTelnet | undefined;

  before(async () => {
    // Long enough for the chat to open before it runs out on a loaded machine; short enough to run out during it.
    board = await startCarrier({ logLevel: 'info', yaml: 'session:\n  loginTimeout: 3s\n' });
    c = await RawControl.connect(board.dataDir);
    c.keepAlive();
  });
  after(async () => {
    c?.close();
    caller?.close();
    await board?.stop();
  });

  it('the login timeout waits for the sysop to finish chatting', async () => {
    caller = await RawTelnet.connect({ port: board.ports.telnet!, terminalType: 'xterm-256color', size: { cols: 80, rows: 25 }, localAddress: '127.0.0.3' });
    await caller.waitFor('login:', 15_000);
    const who = (await c.ok('who')) as { node: number; handle?: string }[];
    assert.equal(who.length, 1, JSON.stringify(who));
    const node = who[0]!.node;
    await c.ok('chat', { node, action: 'open', text: 'hello, need a hand logging in?' });
    await caller.waitFor(/hello, need a hand logging in\?/, 15_000);
    // The login timeout runs out during the chat: the call goes on.
    const mark = board.logs.length;
    await board.waitForLog((l) => l['event'] === 'session.login_timeout_waits_for_chat' || l['event'] === 'session.end', 20_000);
    assert.ok(!board.logs.slice(mark).some((l) => l['event'] === 'session.end'), 'the call ended during the chat');
    await c.ok('chat', { node, action: 'say', text: 'still here?' });
    await caller.waitFor(/still here\?/, 15_000);
    assert.equal(caller.closed, false);
    assert.doesNotMatch(caller.text(), /Login timeout/);
    // The chat ends: the clock starts again, and a caller who still does not log in is let go.
    await c.ok('chat', { node, action: 'close' });
    await caller.waitFor(/Login timeout: goodbye\./, 20_000);
    await caller.waitClosed(10_000);
  });
});
