// Hostile input 16 of PROTOCOL-NOTES: connection floods against the caps, on a board with
// tight limits. One address gets `limits.maxPerIp` sockets across all front ends, one /24
// gets `limits.maxPerSubnet`, and past `limits.startups.full` unauthenticated sockets
// nobody new gets in while logged-in callers carry on (OpenSSH MaxStartups). Refusals are
// closed before any protocol byte and logged once per address, not once per connect.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { Attacker } from './support/attacker.js';
import { ACCOUNTS, SLACK_MS, startBattery, type Battery } from './support/battery.js';
import { connectCaller } from './support/callers.js';

const LIMITS = { maxConnections: 500, maxPerIp: 6, maxPerSubnet: 12, startups: { start: 30, rate: 30, full: 60 } };

type Verdict = { a: Attacker; protocol: 'telnet' | 'ssh'; accepted: boolean };

describe('connection floods against the caps (PROTOCOL-NOTES item 16)', { timeout: 120_000 }, () => {
  let battery: Battery;
  const open: Attacker[] = [];

  /**
   * Open a socket and see how the server took it: an admitted telnet socket gets option
   * negotiation (IAC) at once, an admitted ssh socket its version line; a refused one gets
   * carrier's one-line reason (telnet) or nothing, and is closed.
   */
  async function knock(protocol: 'telnet' | 'ssh', from: string): Promise<Verdict> {
    const a = await Attacker.connect(battery.ports[protocol]!, from);
    open.push(a);
    await a.until(() => a.receivedBytes > 0 || a.closed, SLACK_MS, 'a greeting or a close');
    const first = a.received[0];
    const accepted = protocol === 'telnet' ? first === 0xff : a.received.toString('latin1').startsWith('SSH-');
    if (!accepted) await a.waitClosed(SLACK_MS);
    return { a, protocol, accepted };
  }
  const release = (verdicts: readonly Verdict[]): void => {
    for (const v of verdicts) v.a.close();
  };
  const refusalLines = (remote: string) => battery.logsFrom(remote).filter((l) => l['event'] === 'connect.refused');

  before(async () => {
    battery = await startBattery({ limits: LIMITS });
  });
  after(async () => {
    for (const a of open) a.close();
    await battery?.stop();
  });

  it('16: admits limits.maxPerIp sockets from one address across telnet and ssh, refuses the rest, and logs it once', async () => {
    await battery.survives('item 16 (per address)', { deadlineMs: 3 * SLACK_MS }, async () => {
      const from = battery.attacker(1);
      const verdicts = await Promise.all([...Array.from({ length: 12 }, () => knock('telnet', from)), ...Array.from({ length: 8 }, () => knock('ssh', from))]);
      try {
        assert.equal(verdicts.filter((v) => v.accepted).length, LIMITS.maxPerIp);
        for (const v of verdicts.filter((x) => !x.accepted && x.protocol === 'telnet')) {
          assert.match(v.a.received.toString('latin1'), /^carrier: too many connections from your address\./);
        }
        assert.equal(refusalLines(from).length, 1, 'one log line for the whole flood from this address');
      } finally {
        release(verdicts);
      }
    });
  });

  it('16: admits limits.maxPerSubnet sockets from one /24, while another /24 and the test runner still get in', async () => {
    await battery.survives('item 16 (per /24)', { deadlineMs: 3 * SLACK_MS }, async () => {
      // Twenty addresses of 127.0.2.0/24, two sockets each: under the per-address cap, over the /24's.
      const addresses = Array.from({ length: 20 }, () => battery.attacker(2));
      const verdicts = await Promise.all(addresses.flatMap((from) => [knock('telnet', from), knock('ssh', from)]));
      try {
        assert.equal(verdicts.filter((v) => v.accepted).length, LIMITS.maxPerSubnet);
        const refused = verdicts.filter((v) => !v.accepted && v.protocol === 'telnet');
        assert.ok(refused.length > 0);
        for (const v of refused) assert.match(v.a.received.toString('latin1'), /^carrier: too many connections from your network\./);
        const neighbour = await knock('telnet', battery.attacker(3));
        assert.ok(neighbour.accepted, 'a full /24 does not keep out the next one');
        release([neighbour]);
      } finally {
        release(verdicts);
      }
    });
  });

  it('16: past limits.startups.full unauthenticated sockets refuses every new one, while a logged-in caller keeps working', async () => {
    await battery.survives('item 16 (MaxStartups)', { deadlineMs: 6 * SLACK_MS }, async () => {
      const insider = await connectCaller('telnet', battery.ports);
      let verdicts: Verdict[] = [];
      try {
        await insider.login(ACCOUNTS[0]!);
        // Ten /24s of ten addresses, one socket each: no per-address or per-/24 cap is near.
        for (let net = 10; net < 20; net++) {
          verdicts = verdicts.concat(await Promise.all(Array.from({ length: 10 }, () => knock('telnet', battery.attacker(net)))));
        }
        const accepted = verdicts.filter((v) => v.accepted).length;
        // The battery's own caller was unauthenticated while it connected, and counts too.
        assert.ok(accepted <= LIMITS.startups.full, `${accepted} unauthenticated sockets admitted, full is ${LIMITS.startups.full}`);
        assert.ok(accepted >= LIMITS.startups.start - 2, `only ${accepted} admitted below start (${LIMITS.startups.start})`);
        const refused = verdicts.filter((v) => !v.accepted);
        assert.ok(refused.length >= 100 - LIMITS.startups.full);
        for (const v of refused) assert.match(v.a.received.toString('latin1'), /^carrier: too many callers logging in right now\./);
        // A flood of strangers is no reason to drop, or slow out of its echo, someone logged in.
        await insider.stillWorks();
      } finally {
        release(verdicts);
        insider.close();
      }
      // Once the flood lets go, the slots are free again (as soon as the server has seen the closes).
      const after = await eventually(
        async () => {
          const v = await knock('telnet', battery.attacker(20));
          return v.accepted && v;
        },
        'a caller admitted again after the flood',
        { timeoutMs: SLACK_MS, intervalMs: 100 },
      );
      assert.ok(after.accepted, 'admitted again after the flood');
      release([after]);
    });
  });

  it('keeps every account able to log in after the battery', async () => {
    await battery.assertStoreIntact();
  });
});
