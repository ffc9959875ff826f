import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AddressSet, createMemoryLogger } from '@carrier/core';
import { eventually } from '@carrier/core/testing';
import { InProcessBus } from '@carrier/engine';
import { openStore, type Store } from '@carrier/store';
import { AuditLog } from './audit.js';
import { BanList } from './ban-list.js';
import { shareBans } from './ban-notices.js';

const FAST_SCRYPT = { N: 1024, r: 8, p: 1, keylen: 32 };

/**
 * Two processes of one board: two handles on one database and one bus (an in-process bus
 * delivers to every subscriber, the publisher's own too, as a Redis bus does), and polls a
 * minute apart, so only a notice can bring a ban across in time.
 */
describe('bans told over the bus', () => {
  let dir: string;
  const stores: Store[] = [];
  const log = createMemoryLogger();
  const audit = new AuditLog(log, undefined);
  const bus = new InProcessBus(log);
  const reads = new Map<string, number>();
  const lists = new Map<string, BanList>();
  const undo: Array<() => void> = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carrier-ban-notices-'));
    for (const processId of ['host:1:a', 'host:2:b']) {
      const store = await openStore({ dataDir: dir, log, passwordParams: FAST_SCRYPT });
      stores.push(store);
      reads.set(processId, 0);
      const bans = new Proxy(store.bans, {
        get: (t, p) => {
          if (p !== 'active') return Reflect.get(t, p) as unknown;
          return (...a: Parameters<Store['bans']['active']>) => {
            reads.set(processId, reads.get(processId)! + 1);
            return t.active(...a);
          };
        },
      });
      const list = new BanList({ store: new Proxy(store, { get: (t, p) => (p === 'bans' ? bans : (Reflect.get(t, p) as unknown)) }), log, audit, allowlist: new AddressSet([]), refreshMs: 60_000 });
      await list.start();
      lists.set(processId, list);
      undo.push(shareBans(list, bus, processId));
    }
  });
  after(async () => {
    for (const off of undo) off();
    for (const list of lists.values()) list.stop();
    await bus.close();
    for (const store of stores) await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a ban made on one process is in force on the other at once, and reaches its open sockets; the maker does not read its own notice', async () => {
    const [a, b] = [lists.get('host:1:a')!, lists.get('host:2:b')!];
    const told: string[] = [];
    const off = b.onBan((_cidr, ban) => told.push(ban.target));
    const readsBefore = new Map(reads);
    try {
      await a.ban({ target: '198.51.100.60', reason: 'made on a', source: 'sysop', forMs: null, by: 'test' });
      // Fails without the notice: b's poll is a minute away.
      await eventually(() => b.find('198.51.100.60'), 'the ban to be in force on b');
      assert.deepEqual(told, ['198.51.100.60'], "b's open sockets from the address are told, as for a ban made on b");
      assert.equal(reads.get('host:1:a'), readsBefore.get('host:1:a'), 'a already has the ban in force');
      await a.unban('198.51.100.60', 'test');
      await eventually(() => b.find('198.51.100.60') === undefined, 'the unban to be in force on b');
    } finally {
      off();
    }
  });
});
