// The tests' raw telnet caller (tests/raw-telnet.ts) against a real board: it answers the
// board's questions as inetutils telnet does, so negotiation settles on its answers and a
// login does not wait out the deadline; `silent` stays the bot that answers nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, RawTelnet } from '../raw-telnet.js';

const PW = 'raw-caller-9';

describe('the raw telnet test caller', () => {
  let board: Carrier;
  before(async () => {
    board = await startCarrier();
    await board.addUser('alice', PW);
  });
  after(async () => {
    await board.stop();
  });

  const negotiated = (remote: string) => board.waitForLog((l) => l['event'] === 'telnet.negotiated' && l['remote'] === remote, 15_000);

  it('with a type and a size: settled by its answers, and the board learned both', async () => {
    const c = await loginRaw(board.ports.telnet!, 'alice', PW, { localAddress: '127.0.0.2', terminalType: 'xterm-256color', size: { cols: 100, rows: 30 } });
    try {
      const l = await negotiated('127.0.0.2');
      assert.equal(l['settledBy'], 'answers');
      assert.equal(l['type'], 'xterm-256color');
      assert.deepEqual([l['cols'], l['rows'], l['sizeSource']], [100, 30, 'naws']);
      assert.deepEqual([l['encoding'], l['encodingSource']], ['utf8', 'ttype'], 'CHARSET refused: the encoding follows the type');
    } finally {
      c.close();
    }
  });

  it('naming nothing: settled by its answers (TTYPE and NAWS refused), and not probed', async () => {
    const c = await loginRaw(board.ports.telnet!, 'alice', PW, { localAddress: '127.0.0.3' });
    try {
      const l = await negotiated('127.0.0.3');
      assert.equal(l['settledBy'], 'answers');
      assert.equal(l['type'], 'unknown');
      assert.equal(l['sizeSource'], 'default');
      assert.ok(!c.text().includes('\x1b[6n'), 'a caller that named no terminal gets no cursor probe');
    } finally {
      c.close();
    }
  });

  it('silent: answers nothing, so the board waits out its deadline', async () => {
    const c = await RawTelnet.connect({ port: board.ports.telnet!, localAddress: '127.0.0.4', silent: true });
    try {
      await c.waitFor('login:', 15_000);
      assert.equal((await negotiated('127.0.0.4'))['settledBy'], 'deadline');
    } finally {
      c.close();
    }
  });
});
