// What the sysop sends from the shell reaches the caller as one line with its words apart:
// `carrier broadcast "$(cat notice.txt)"` has line breaks and tabs in it, which a notice
// row cannot show; they were dropped, gluing the words either side together.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';
import { RawControl } from './control-support.js';

describe('sysop notices from the CLI', { timeout: 120_000 }, () => {
  let board: Carrier;
  let alice: RawTelnet | undefined;
  before(async () => {
    board = await startCarrier({ logLevel: 'info' });
    await board.addUser('alice', 'alice-password-1');
  });
  after(async () => {
    alice?.close();
    await board?.stop();
  });

  it('broadcast, message and a kick reason keep words apart where the text had line breaks or tabs', async () => {
    alice = await loginRaw(board.ports.telnet!, 'alice', 'alice-password-1');
    const node = /^(\d+) +alice /m.exec((await board.cli(['who'])).stdout)?.[1];
    assert.ok(node);
    let from = alice.text().length;
    assert.equal((await board.cli(['broadcast', 'Down at ten.\nBack\tby noon.'])).code, 0);
    await alice.waitFor('Down at ten. Back by noon.', 15_000, from);
    from = alice.text().length;
    assert.equal((await board.cli(['message', node, 'first\r\nsecond'])).code, 0);
    await alice.waitFor('first second', 15_000, from);
    // Nothing but blanks is no notice, from any seat (the console speaks the control channel).
    const control = await RawControl.connect(board.dataDir);
    try {
      for (const [verb, args] of [['broadcast', { text: ' \n\t' }], ['message', { node: Number(node), text: '  ' }]] as const) {
        const r = await control.call(verb, args);
        assert.equal(r['ok'], false, `${verb}: ${JSON.stringify(r)}`);
        assert.deepEqual(r['error'], { code: 'bad_args', message: 'text has nothing to show' });
      }
    } finally {
      control.close();
    }
    from = alice.text().length;
    assert.equal((await board.cli(['kick', node, 'too\nmany\nlogins'])).code, 0);
    await alice.waitFor('too many logins', 15_000, from);
    await alice.waitClosed(15_000);
  });
});
