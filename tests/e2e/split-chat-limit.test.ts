// Split-chat requests count against the asker's flood control, the limiter pages and
// chat lines already share (issue 11 item 20): twenty requests in a few seconds from one
// caller reach the target only as often as that limiter allows, and the asker is told.
// Two telnet callers over loopback: bob asks from who's online, alice waits at the menu.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { KEY, plain, TelnetCaller } from './social-callers.js';

const PW = 'correct-horse-7';
const RATE = 1;
const BURST = 3;
const REQUESTS = 20;
const INVITE = /bob \(node \d+\) wants to chat with you/g;

describe('split-chat requests are rate-limited like pages', () => {
  let board: Carrier;
  const callers: TelnetCaller[] = [];

  before(async () => {
    board = await startCarrier({ logLevel: 'info', yaml: `chat: { floodRate: ${RATE}, floodBurst: ${BURST} }` });
    for (const h of ['alice', 'bob']) await board.addUser(h, PW);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
  });

  it(`${REQUESTS} requests in a few seconds: the target gets the burst and the refill, the asker a short message`, async () => {
    const alice = await TelnetCaller.login(board.ports.telnet!, 'alice', PW);
    callers.push(alice);
    const bob = await TelnetCaller.login(board.ports.telnet!, 'bob', PW);
    callers.push(bob);
    const aliceMark = alice.raw().length;
    let mark = bob.raw().length;
    bob.send('w');
    await bob.waitRaw('Select a caller', 10_000, mark);
    let refused = 0;
    const t0 = Date.now();
    for (let i = 0; i < REQUESTS; i++) {
      mark = bob.raw().length;
      bob.send(KEY.up);
      bob.send('c');
      const seen = await bob.waitRaw(/waiting for alice to answer|Too many chat requests/, 10_000, mark);
      if (/Too many chat requests/.test(seen)) refused++;
      mark = bob.raw().length;
      bob.send(KEY.escape);
      await bob.waitRaw('Select a caller', 10_000, mark);
    }
    const elapsedS = (Date.now() - t0) / 1000;
    // Each request bob was not refused reaches alice: waited for, not given a fixed 500 ms
    // (on a loaded machine her screen can lag bob's by more).
    const invites = () => plain(alice.raw().slice(aliceMark)).match(INVITE)?.length ?? 0;
    await eventually(() => invites() >= REQUESTS - refused, () => `${REQUESTS - refused} requests at alice; ${invites()} arrived`);
    const received = invites();
    const allowed = BURST + Math.ceil(elapsedS * RATE);
    assert.ok(received >= 1, 'the first requests get through');
    assert.ok(received <= allowed, `alice got ${received} requests in ${elapsedS.toFixed(1)} s; the limiter allows ${allowed}`);
    assert.ok(received < REQUESTS, `alice got all ${REQUESTS} requests`);
    assert.ok(refused >= REQUESTS - allowed, `bob was told ${refused} times`);
    assert.equal(received + refused, REQUESTS, 'each request either reached alice or was refused');
    assert.equal(alice.closed || bob.closed, false);
  });
});
