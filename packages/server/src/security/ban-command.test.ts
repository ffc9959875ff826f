import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Store } from '@carrier/store';
import { ControlRequestError, type ControlClient } from '@carrier/sysop/protocol';
import type { CarrierConfig } from '../config-schema.js';
import { banCommand } from './ban-command.js';

/** What a run printed and what it asked of the store and the board. */
function harness(board: 'running' | 'none', reply?: (verb: string, args: unknown) => unknown) {
  const out: string[] = [];
  const err: string[] = [];
  const stored: string[] = [];
  const asked: Array<{ verb: string; args: unknown }> = [];
  let closed = 0;
  const store = {
    bans: {
      put: async (b: { target: string; expiresAt: number | null }) => {
        stored.push(`put ${b.target}`);
        return { ...b };
      },
      remove: async (t: string) => {
        stored.push(`remove ${t}`);
        return true;
      },
    },
  } as unknown as Store;
  const client = {
    request: async (verb: string, args: unknown) => {
      asked.push({ verb, args });
      return reply ? reply(verb, args) : {};
    },
    close: () => {
      closed++;
    },
  } as unknown as ControlClient;
  const io = {
    out: (l: string) => out.push(l),
    err: (l: string) => err.push(l),
    withStore: <T>(fn: (s: Store) => Promise<T>) => fn(store),
    board: async () => (board === 'running' ? client : undefined),
    now: () => Date.UTC(2026, 11, 8, 4, 0, 0),
  };
  return { io, out, err, stored, asked, closed: () => closed };
}

describe('carrier ban', () => {
  // ban-command reads only the allowlist (never banned) from the config.
  const cfg = { security: { allowlist: ['127.0.0.1'] } } as unknown as CarrierConfig;

  it('with a board running, asks it (ban, unban) and leaves the store to it; the connection is closed', async () => {
    const h = harness('running', (verb) => (verb === 'ban' ? { target: '10.0.0.7', expiresAt: Date.UTC(2026, 11, 8, 6, 0, 0) } : { target: '10.0.0.7' }));
    assert.equal(await banCommand(['add', '10.0.0.7', '--for', '2h', '--reason', 'spam'], cfg, h.io), 0);
    assert.equal(await banCommand(['remove', '10.0.0.7'], cfg, h.io), 0);
    assert.deepEqual(h.asked, [
      { verb: 'ban', args: { target: '10.0.0.7', for: '2h', reason: 'spam' } },
      { verb: 'unban', args: { target: '10.0.0.7' } },
    ]);
    assert.deepEqual(h.stored, []);
    assert.deepEqual(h.out, ['banned 10.0.0.7 until 2026-12-08 06:00:00', 'removed the ban on 10.0.0.7']);
    assert.equal(h.closed(), 2);
  });

  it("says the board's refusal and exits 1 (not banned)", async () => {
    const h = harness('running', () => {
      throw new ControlRequestError('not_found', '10.0.0.8 is not banned');
    });
    assert.equal(await banCommand(['remove', '10.0.0.8'], cfg, h.io), 1);
    assert.deepEqual(h.err, ['carrier: ban remove: 10.0.0.8 is not banned']);
    assert.deepEqual(h.stored, []);
  });

  it('with no board answering, writes the store', async () => {
    const h = harness('none');
    assert.equal(await banCommand(['add', '10.0.0.9'], cfg, h.io), 0);
    assert.equal(await banCommand(['remove', '10.0.0.9'], cfg, h.io), 0);
    assert.deepEqual(h.stored, ['put 10.0.0.9', 'remove 10.0.0.9']);
    assert.deepEqual(h.asked, []);
    assert.deepEqual(h.out, ['banned 10.0.0.9 until removed', 'removed the ban on 10.0.0.9']);
  });
});
