// Admission end to end: per-address and per-network caps, MaxStartups keeping logged-in
// callers served while unauthenticated connections flood in, and the absolute session
// timeout. Attackers call from 127.0.x.y addresses other than the runner's 127.0.0.1.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';

type Outcome = { admitted: true; socket: net.Socket } | { admitted: false; text: string };

/** Connect and classify by the first bytes: telnet negotiation (IAC) or a refusal line. */
function attempt(port: number, localAddress: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    let text = '';
    s.on('error', () => undefined);
    const timer = setTimeout(() => reject(new Error(`no answer to a connect from ${localAddress}`)), 10_000);
    s.on('data', (d: Buffer) => {
      if (text === '' && d[0] === 0xff) {
        clearTimeout(timer);
        s.removeAllListeners('data');
        resolve({ admitted: true, socket: s });
        return;
      }
      text += d.toString('latin1');
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ admitted: false, text });
    });
  });
}

describe('admission', () => {
  let caps: Carrier;
  let startups: Carrier;
  let lifetime: Carrier;
  const held: net.Socket[] = [];
  const callers: RawTelnet[] = [];

  before(async () => {
    [caps, startups, lifetime] = await Promise.all([
      startCarrier({ logLevel: 'info', yaml: 'limits: { maxPerIp: 3, maxPerSubnet: 5, startups: { start: 1000, rate: 30, full: 1000 } }' }),
      startCarrier({ logLevel: 'info', yaml: 'limits: { maxPerIp: 200, maxPerSubnet: 200, startups: { start: 4, rate: 30, full: 8 } }' }),
      startCarrier({ logLevel: 'info', yaml: 'session: { maxDuration: 3s }' }),
    ]);
    await Promise.all([startups.addUser('alice', 'wonderland7'), lifetime.addUser('alice', 'wonderland7')]);
  });
  after(async () => {
    for (const s of held) s.destroy();
    for (const c of callers) c.close();
    await Promise.all([caps.stop(), startups.stop(), lifetime.stop()]);
  });

  it('caps connections per address, with a line that says why', async () => {
    const port = caps.ports.telnet!;
    for (let i = 0; i < 3; i++) {
      const o = await attempt(port, '127.0.9.1');
      assert.ok(o.admitted);
      held.push(o.socket);
    }
    const fourth = await attempt(port, '127.0.9.1');
    assert.deepEqual(fourth, { admitted: false, text: 'carrier: too many connections from your address. Please call again later.\r\n' });
    const neighbour = await attempt(port, '127.0.9.2');
    assert.ok(neighbour.admitted, 'another address is still served');
    held.push(neighbour.socket);
  });

  it('caps connections per /24, so rotating addresses inside one network does not help', async () => {
    const port = caps.ports.telnet!;
    // 127.0.9.0/24 already holds four; one more fits.
    const fifth = await attempt(port, '127.0.9.3');
    assert.ok(fifth.admitted);
    held.push(fifth.socket);
    const sixth = await attempt(port, '127.0.9.4');
    assert.equal(sixth.admitted ? 'admitted' : sixth.text, 'carrier: too many connections from your network. Please call again later.\r\n');
    const elsewhere = await attempt(port, '127.0.10.1');
    assert.ok(elsewhere.admitted, 'the next /24 is served');
    held.push(elsewhere.socket);
  });

  it('MaxStartups: a flood of connections that never log in fills only the start-up slots; logged-in callers are not counted and keep working', async () => {
    const port = startups.ports.telnet!;
    // Four callers log in, two at a time so they never crowd the start-up slots themselves.
    for (let i = 0; i < 2; i++) {
      callers.push(...(await Promise.all([loginRaw(port, 'alice', 'wonderland7'), loginRaw(port, 'alice', 'wonderland7')])));
    }
    const flood: Outcome[] = [];
    for (let i = 0; i < 80; i++) {
      const o = await attempt(port, '127.0.11.1');
      flood.push(o);
      if (o.admitted) held.push(o.socket);
    }
    assert.ok(flood.slice(0, 4).every((o) => o.admitted), 'below start nobody is dropped: the four logged-in callers do not count');
    const admitted = flood.filter((o) => o.admitted).length;
    assert.equal(admitted, 8, 'exactly `full` start-ups are held');
    const refused = flood.find((o) => !o.admitted);
    assert.equal(refused && !refused.admitted ? refused.text : '', 'carrier: too many callers logging in right now. Please call again later.\r\n');
    // Every logged-in caller is still served while the flood holds every start-up slot.
    for (const c of callers) {
      const before = c.bytes.length;
      c.send('w');
      await eventually(() => c.bytes.length > before, 'the menu to answer a logged-in caller', { timeoutMs: 10_000 });
      assert.ok(c.bytes.length > before, 'the menu answered a logged-in caller during the flood');
      assert.equal(c.closed, false);
    }
  });

  it('closes a session at session.maxDuration, whatever the caller does', async () => {
    const c = await loginRaw(lifetime.ports.telnet!, 'alice', 'wonderland7');
    callers.push(c);
    await c.waitFor('Time limit reached', 10_000);
    await c.waitClosed();
    await lifetime.waitForLog((l) => l['event'] === 'session.end' && l['reason'] === 'session time limit');
  });
});
