// The control channel's caps, one by one, against a board with a caller on it: an
// oversized frame, invalid JSON, a truncated frame, a flood, a silent client, the 11th
// client; each gets a clear error and one log line, the board keeps serving, and the
// audit trail has every connect, verb and refusal.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { TelnetCaller } from '../e2e/social-callers.js';
import { frame, RawControl } from './control-support.js';

const PW = 'correct-horse-7';

function audit(board: Carrier): Record<string, unknown>[] {
  try {
    return readFileSync(join(board.dataDir, 'logs', 'audit.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
}

describe('control channel caps', () => {
  let board: Carrier;
  let alice: TelnetCaller;
  const opened: RawControl[] = [];
  const open = async (): Promise<RawControl> => {
    const c = await RawControl.connect(board.dataDir);
    opened.push(c);
    return c;
  };

  before(async () => {
    board = await startCarrier({ logLevel: 'info', yaml: 'control: { idleTimeout: 3s }' });
    await board.addUser('alice', PW);
    alice = await TelnetCaller.login(board.ports.telnet!, 'alice', PW, '127.0.0.2');
  });
  after(async () => {
    for (const c of opened) c.close();
    alice?.hangup();
    await board?.stop();
  });

  it('an oversized frame is refused from its header and the connection closed', async () => {
    const c = await open();
    const h = Buffer.alloc(4);
    h.writeUInt32BE(64 * 1024 + 1, 0);
    c.write(h);
    const r = await c.waitFor((m) => m['ok'] === false);
    assert.equal((r['error'] as { code: string }).code, 'too_large');
    await c.waitClosed();
    await board.waitForLog((l) => l['event'] === 'control.refused' && l['reason'] === 'too_large');
  });

  it('invalid JSON and a truncated frame are refused', async () => {
    const c = await open();
    c.write(frame('{"id": 1, "verb": '));
    assert.equal(((await c.waitFor((m) => m['ok'] === false))['error'] as { code: string }).code, 'invalid_json');
    await c.waitClosed();
    const t = await open();
    t.write(frame('{"id":1,"verb":"who"}').subarray(0, 10));
    t.socket.end();
    assert.equal(((await t.waitFor((m) => m['ok'] === false))['error'] as { code: string }).code, 'truncated');
    await board.waitForLog((l) => l['event'] === 'control.refused' && l['reason'] === 'truncated');
  });

  it('a flood of frames is cut off', async () => {
    const c = await open();
    const many = Buffer.concat(Array.from({ length: 400 }, (_, i) => frame(JSON.stringify({ id: i + 1, verb: 'ping' }))));
    c.write(many);
    await c.waitFor((m) => m['ok'] === false && (m['error'] as { code: string }).code === 'flood');
    await c.waitClosed();
    await board.waitForLog((l) => l['event'] === 'control.refused' && l['reason'] === 'flood');
  });

  it('a silent client is closed after the idle timeout', async () => {
    const c = await open();
    const r = await c.waitFor((m) => m['ok'] === false, 15_000);
    assert.equal((r['error'] as { code: string }).code, 'idle');
    await c.waitClosed();
  });

  it('the 11th client is refused with a message and a log line, and the board keeps serving', { timeout: 60_000 }, async () => {
    const ten: RawControl[] = [];
    for (let i = 0; i < 10; i++) {
      const c = await open();
      await c.ok('ping');
      ten.push(c);
    }
    const eleventh = await open();
    const r = await eleventh.waitFor((m) => m['ok'] === false);
    assert.equal((r['error'] as { code: string }).code, 'busy');
    assert.match((r['error'] as { message: string }).message, /too many control clients/);
    await eleventh.waitClosed();
    await board.waitForLog((l) => l['event'] === 'control.refused' && l['reason'] === 'busy');
    for (const c of ten) c.close();
    // One leaves, the next gets in; and callers are still served.
    await eventually(async () => {
      const c = await open();
      const ok = await c.call('ping', {}, 5_000).then((m) => m['ok'] === true, () => false);
      c.close();
      return ok;
    }, 'a control client admitted after the ten left', { timeoutMs: 15_000 });
    const mark = alice.raw().length;
    alice.send('\r');
    await alice.waitRaw('Command:', 15_000, mark);
  });

  it('writes connects, verbs and refusals to the audit log', async () => {
    const c = await open();
    await c.call('eval', {});
    const who = (await c.ok('who')) as { node: number }[];
    await c.ok('message', { node: who[0]!.node, text: 'audited' });
    c.close();
    const has = (what: string, match: (l: Record<string, unknown>) => boolean): Promise<void> =>
      eventually(() => audit(board).some(match), `${what} in audit.log`, { timeoutMs: 15_000 }).then(() => undefined);
    await has('busy refusal', (l) => l['event'] === 'control.refused' && l['reason'] === 'busy');
    await has('connect', (l) => l['event'] === 'control.connect');
    await has('message verb', (l) => l['event'] === 'control.verb' && l['verb'] === 'message' && l['ok'] === true);
    await has('unknown verb', (l) => l['event'] === 'control.verb' && l['verb'] === 'eval' && l['error'] === 'unknown_verb');
    await has('too_large refusal', (l) => l['event'] === 'control.refused' && l['reason'] === 'too_large');
    await has('flood refusal', (l) => l['event'] === 'control.refused' && l['reason'] === 'flood');
    await has('idle refusal', (l) => l['event'] === 'control.refused' && l['reason'] === 'idle');
    const lines = audit(board);
    // Passwords never reach the trail.
    assert.ok(!lines.some((l) => String(l['event']).startsWith('control.') && ('password' in l || 'token' in l)));
  });

});
