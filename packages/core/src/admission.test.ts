import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Admission, dropStartup, type AdmissionTicket } from './admission.js';
import { isCarrierError } from './errors.js';

const roomy = { maxConnections: 1000, maxPerIp: 1000, maxPerSubnet: 1000 };

function admitOk(a: Admission, address: string): AdmissionTicket {
  const r = a.admit(address, 'telnet');
  assert.ok(r.ok, `expected ${address} to be admitted, got ${r.ok ? '' : r.kind}`);
  return r.ticket;
}

describe('admission', () => {
  it('caps open sockets across every front end together', () => {
    const a = new Admission({ ...roomy, maxConnections: 2 });
    admitOk(a, '192.0.2.1');
    const second = a.admit('192.0.2.2', 'ssh');
    assert.ok(second.ok);
    const third = a.admit('198.51.100.3', 'rlogin');
    assert.deepEqual(third.ok ? 'admitted' : [third.kind, third.reason], ['full', 'server full']);
    second.ticket.release();
    admitOk(a, '198.51.100.3');
  });

  it('caps sockets per address, and a release frees the slot exactly once', () => {
    const a = new Admission({ ...roomy, maxPerIp: 2 });
    const t1 = admitOk(a, '192.0.2.1');
    admitOk(a, '192.0.2.1');
    const r = a.admit('192.0.2.1', 'telnet');
    assert.equal(r.ok ? 'admitted' : r.kind, 'per-ip');
    admitOk(a, '192.0.2.2');
    t1.release();
    t1.release();
    assert.equal(a.openFrom('192.0.2.1'), 1);
    admitOk(a, '192.0.2.1');
    assert.equal(a.admit('192.0.2.1', 'telnet').ok, false);
  });

  it('caps sockets per /24, so one network cannot fill the board by rotating addresses', () => {
    const a = new Admission({ ...roomy, maxPerSubnet: 3 });
    for (const host of [1, 2, 3]) admitOk(a, `203.0.113.${host}`);
    const r = a.admit('203.0.113.200', 'telnet');
    assert.equal(r.ok ? 'admitted' : r.kind, 'per-subnet');
    admitOk(a, '203.0.114.1');
    assert.equal(a.openFromSubnet('203.0.113.99'), 3);
  });

  it('caps sockets per IPv6 /64', () => {
    const a = new Admission({ ...roomy, maxPerSubnet: 2 });
    admitOk(a, '2001:db8:0:1::1');
    admitOk(a, '2001:db8:0:1::2');
    assert.equal(a.admit('2001:db8:0:1:ffff::3', 'ssh').ok, false);
    admitOk(a, '2001:db8:0:2::1');
  });

  it('never drops a start-up below start, always drops at full', () => {
    const s = { start: 10, rate: 30, full: 100 };
    assert.equal(dropStartup(9, s, () => 0), false);
    assert.equal(dropStartup(100, s, () => 0.999), true);
    // at start the chance is rate%: 0.29 draws below 30, 0.31 above
    assert.equal(dropStartup(10, s, () => 0.29), true);
    assert.equal(dropStartup(10, s, () => 0.31), false);
    // half way the chance is 30 + 70/2 = 65%
    assert.equal(dropStartup(55, s, () => 0.64), true);
    assert.equal(dropStartup(55, s, () => 0.66), false);
  });

  it('counts only unauthenticated sockets as start-ups: logged-in callers never fill them', () => {
    let draw = 0.5;
    const a = new Admission({ ...roomy, startups: { start: 2, rate: 50, full: 4 } }, { random: () => draw });
    const callers = [admitOk(a, '192.0.2.1'), admitOk(a, '192.0.2.2')];
    for (const t of callers) t.markAuthenticated();
    assert.deepEqual(a.counts(), { open: 2, unauthenticated: 0, authenticated: 2 });
    // two logged-in callers, so the flood starts from zero start-ups
    admitOk(a, '198.51.100.1');
    admitOk(a, '198.51.100.2');
    draw = 0.49; // 2 start-ups: 50% chance, this draw drops
    const dropped = a.admit('198.51.100.3', 'telnet');
    assert.equal(dropped.ok ? 'admitted' : dropped.kind, 'startups');
    draw = 0.99;
    admitOk(a, '198.51.100.3');
    admitOk(a, '198.51.100.4');
    assert.equal(a.admit('198.51.100.5', 'telnet').ok, false, 'at full every start-up is refused');
    assert.equal(a.counts().unauthenticated, 4);
  });

  it('drops at random only from networks already holding start-ups, so one flooding network does not turn away the rest', () => {
    const a = new Admission({ ...roomy, startups: { start: 2, rate: 100, full: 50 } }, { random: () => 0 });
    for (let i = 1; i <= 2; i++) admitOk(a, `203.0.113.${i}`);
    // 2 start-ups from 203.0.113.0/24: past start, and this draw always drops...
    assert.equal(a.admit('203.0.113.3', 'telnet').ok, false);
    // ...but a caller from a quiet network is let in, once.
    const fresh = admitOk(a, '198.51.100.1');
    assert.equal(a.admit('198.51.100.2', 'telnet').ok, false, 'now its network holds a start-up too');
    fresh.markAuthenticated();
    admitOk(a, '198.51.100.2');
    // at full nobody gets in, quiet network or not
    const b = new Admission({ ...roomy, startups: { start: 1, rate: 0, full: 2 } }, { random: () => 0.99 });
    admitOk(b, '203.0.113.1');
    admitOk(b, '203.0.113.2');
    assert.equal(b.admit('192.0.2.1', 'telnet').ok, false);
  });

  it('a ticket marked authenticated and then released leaves the start-up count alone', () => {
    const a = new Admission({ ...roomy, startups: { start: 1, rate: 100, full: 1 } });
    const t = admitOk(a, '192.0.2.1');
    assert.equal(a.admit('192.0.2.2', 'telnet').ok, false);
    t.markAuthenticated();
    t.markAuthenticated();
    const u = admitOk(a, '192.0.2.2');
    t.release();
    assert.deepEqual(a.counts(), { open: 1, unauthenticated: 1, authenticated: 0 });
    u.release();
    assert.deepEqual(a.counts(), { open: 0, unauthenticated: 0, authenticated: 0 });
  });

  it('tells observers about admits, refusals and releases, and survives an observer that throws', () => {
    const a = new Admission({ ...roomy, maxPerIp: 1 });
    const seen: string[] = [];
    a.observe({ admitted: () => { throw new Error('observer bug'); } });
    const off = a.observe({
      admitted: (t) => seen.push(`admit ${t.remoteAddress}`),
      refused: (addr, proto, kind) => seen.push(`refuse ${addr} ${proto} ${kind}`),
      released: (t) => seen.push(`release ${t.remoteAddress} ${t.authenticated ? 'auth' : 'noauth'}`),
    });
    const t = admitOk(a, '192.0.2.1');
    assert.equal(a.admit('192.0.2.1', 'ssh').ok, false);
    t.release();
    off();
    admitOk(a, '192.0.2.9');
    assert.deepEqual(seen, ['admit 192.0.2.1', 'refuse 192.0.2.1 ssh per-ip', 'release 192.0.2.1 noauth']);
  });

  it('disconnects open sockets of a matching address through their front end', () => {
    const a = new Admission(roomy);
    const closed: string[] = [];
    const t1 = admitOk(a, '192.0.2.1');
    const t2 = admitOk(a, '192.0.2.2');
    a.onDisconnect(t1, (why) => closed.push(`1 ${why}`));
    a.onDisconnect(t2, (why) => closed.push(`2 ${why}`));
    assert.equal(a.disconnectWhere((addr) => addr === '192.0.2.2', 'banned'), 1);
    assert.deepEqual(closed, ['2 banned']);
  });

  it('refuses nonsense limits with CONFIG_INVALID', () => {
    assert.throws(() => new Admission({ ...roomy, maxPerIp: 0 }), (e) => isCarrierError(e, 'CONFIG_INVALID'));
    assert.throws(() => new Admission({ ...roomy, startups: { start: 50, rate: 30, full: 10 } }), /start <= full/);
    assert.throws(() => new Admission({ ...roomy, startups: { start: 1, rate: 130, full: 10 } }), /percentage/);
  });
});
