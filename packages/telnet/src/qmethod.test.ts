import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cmd, Opt, type NegotiationCommand } from './constants.js';
import { encodeCommand } from './encoder.js';
import { DEFAULT_MAX_REPLIES_PER_OPTION, QMethod, type OptionPolicy } from './qmethod.js';

const policy: OptionPolicy = {
  us: new Set([Opt.ECHO, Opt.SGA, Opt.BINARY]),
  him: new Set([Opt.SGA, Opt.TTYPE, Opt.NAWS]),
};
const cmd = (c: NegotiationCommand, o: number): Buffer => encodeCommand(c, o);

describe('RFC 1143 Q method', () => {
  it('sends our own request once and does not echo the answer', () => {
    const q = new QMethod();
    assert.deepEqual(q.request('him', Opt.TTYPE, true), cmd(Cmd.DO, Opt.TTYPE));
    assert.equal(q.request('him', Opt.TTYPE, true), null, 'asking twice sends nothing');
    const r = q.receive(Cmd.WILL, Opt.TTYPE, policy);
    assert.equal(r.send, undefined, 'the WILL answers our DO and is not answered');
    assert.deepEqual(r.changed, { side: 'him', option: Opt.TTYPE, enabled: true });
    assert.equal(q.enabled('him', Opt.TTYPE), true);
  });

  it('does not answer a second, repeated answer', () => {
    const q = new QMethod();
    q.request('us', Opt.ECHO, true);
    q.receive(Cmd.DO, Opt.ECHO, policy);
    assert.deepEqual(q.receive(Cmd.DO, Opt.ECHO, policy), {});
  });

  it('records a refusal of our request without replying to it', () => {
    const q = new QMethod();
    q.request('him', Opt.NAWS, true);
    assert.deepEqual(q.receive(Cmd.WONT, Opt.NAWS, policy), {});
    assert.equal(q.state('him', Opt.NAWS), 'NO');
    assert.equal(q.pending('him', Opt.NAWS), false);
  });

  it('agrees to an unsolicited request the policy accepts, and refuses one it does not', () => {
    const q = new QMethod();
    assert.deepEqual(q.receive(Cmd.DO, Opt.SGA, policy).send, cmd(Cmd.WILL, Opt.SGA));
    assert.deepEqual(q.receive(Cmd.WILL, Opt.ECHO, policy).send, cmd(Cmd.DONT, Opt.ECHO));
    assert.equal(q.enabled('him', Opt.ECHO), false);
  });

  it('acknowledges a peer turning an enabled option off, once', () => {
    const q = new QMethod();
    q.receive(Cmd.WILL, Opt.SGA, policy);
    const r = q.receive(Cmd.WONT, Opt.SGA, policy);
    assert.deepEqual(r.send, cmd(Cmd.DONT, Opt.SGA));
    assert.deepEqual(r.changed, { side: 'him', option: Opt.SGA, enabled: false });
    assert.deepEqual(q.receive(Cmd.WONT, Opt.SGA, policy), {}, 'a second WONT is not answered');
  });

  it('never answers a refusal of something that was never on', () => {
    const q = new QMethod();
    assert.deepEqual(q.receive(Cmd.WONT, Opt.LINEMODE, policy), {});
    assert.deepEqual(q.receive(Cmd.DONT, Opt.LINEMODE, policy), {});
  });

  it('queues a change of mind until the pending answer arrives (the queue bit)', () => {
    const q = new QMethod();
    q.request('us', Opt.ECHO, true);
    assert.equal(q.request('us', Opt.ECHO, false), null, 'nothing is sent while WILL is unanswered');
    const r = q.receive(Cmd.DO, Opt.ECHO, policy);
    assert.deepEqual(r.send, cmd(Cmd.WONT, Opt.ECHO), 'the queued disable goes out after the answer');
    assert.equal(q.state('us', Opt.ECHO), 'WANTNO');
    q.receive(Cmd.DONT, Opt.ECHO, policy);
    assert.equal(q.state('us', Opt.ECHO), 'NO');
  });

  it('cancels a queued change when asked back before the answer', () => {
    const q = new QMethod();
    q.request('us', Opt.ECHO, true);
    q.request('us', Opt.ECHO, false);
    q.request('us', Opt.ECHO, true);
    assert.deepEqual(q.receive(Cmd.DO, Opt.ECHO, policy), { changed: { side: 'us', option: Opt.ECHO, enabled: true } });
  });

  it('reports a DONT answered by DO as a violation, and does not answer it', () => {
    const q = new QMethod();
    q.receive(Cmd.DO, Opt.ECHO, policy);
    q.request('us', Opt.ECHO, false);
    const r = q.receive(Cmd.DO, Opt.ECHO, policy);
    assert.equal(r.send, undefined);
    assert.match(r.violation ?? '', /answered/);
    assert.equal(q.state('us', Opt.ECHO), 'NO');
  });

  it('turns DO/WILL for all 256 options into refusals for those we do not support', () => {
    const q = new QMethod();
    for (let o = 0; o < 256; o++) {
      const doR = q.receive(Cmd.DO, o, policy);
      const willR = q.receive(Cmd.WILL, o, policy);
      assert.deepEqual(doR.send, cmd(policy.us.has(o) ? Cmd.WILL : Cmd.WONT, o), `DO ${o}`);
      assert.deepEqual(willR.send, cmd(policy.him.has(o) ? Cmd.DO : Cmd.DONT, o), `WILL ${o}`);
      assert.equal(q.enabled('us', o), policy.us.has(o));
      assert.equal(q.enabled('him', o), policy.him.has(o));
    }
  });

  it('answers DO/DONT toggled 10,000 times with a bounded number of replies', () => {
    const q = new QMethod();
    let replies = 0;
    let ignored = 0;
    for (let i = 0; i < 10_000; i++) {
      const r = q.receive(i % 2 === 0 ? Cmd.DO : Cmd.DONT, Opt.ECHO, policy);
      if (r.send) replies++;
      if (r.ignored) ignored++;
    }
    assert.equal(replies, DEFAULT_MAX_REPLIES_PER_OPTION);
    assert.equal(ignored, 10_000 - DEFAULT_MAX_REPLIES_PER_OPTION);
  });

  it('bounds replies to a refused option requested over and over', () => {
    const q = new QMethod();
    let replies = 0;
    for (let i = 0; i < 10_000; i++) if (q.receive(Cmd.WILL, Opt.LINEMODE, policy).send) replies++;
    assert.equal(replies, DEFAULT_MAX_REPLIES_PER_OPTION);
  });

  it('ends the exchange with a peer that flips the option again after every reply', () => {
    // A hostile peer: it accepts our WILL ECHO and at once takes it back, and asks for it
    // again whenever we let go. Q method alone would answer it forever; the per-option
    // reply cap ends it.
    const flipper = (c: number, o: number): Buffer[] =>
      c === Cmd.WILL ? [cmd(Cmd.DO, o), cmd(Cmd.DONT, o)] : c === Cmd.WONT ? [cmd(Cmd.DO, o)] : [];
    const q = new QMethod();
    let toPeer: Buffer[] = [q.request('us', Opt.ECHO, true)!];
    let ourReplies = 0;
    for (let round = 0; toPeer.length > 0 && round < 10_000; round++) {
      const toUs = toPeer.flatMap((m) => flipper(m[1]!, m[2]!));
      toPeer = [];
      for (const m of toUs) {
        const r = q.receive(m[1] as NegotiationCommand, m[2]!, policy);
        if (r.send) toPeer.push(r.send);
      }
      ourReplies += toPeer.length;
    }
    assert.equal(toPeer.length, 0, 'the exchange ended');
    assert.ok(ourReplies <= DEFAULT_MAX_REPLIES_PER_OPTION, `${ourReplies} replies`);
  });
});
