import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AddressSet, createMemoryLogger } from '@carrier/core';
import { eventually } from '@carrier/core/testing';
import { openStore, type Store } from '@carrier/store';
import { AuditLog } from './audit.js';
import { BanList, NOTICE_GAP_MS } from './ban-list.js';

const FAST_SCRYPT = { N: 1024, r: 8, p: 1, keylen: 32 };
const HOUR = 3_600_000;

describe('the ban list', () => {
  let dir: string;
  let store: Store;
  let cli: Store;
  let now = 1_704_067_200_000;
  const log = createMemoryLogger();
  let audit: AuditLog;
  let bans: BanList;
  const clock = () => now;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carrier-bans-'));
    store = await openStore({ dataDir: dir, log, passwordParams: FAST_SCRYPT, clock });
    // A second handle on the same database stands in for the `carrier ban` CLI.
    cli = await openStore({ dataDir: dir, log, passwordParams: FAST_SCRYPT, clock });
    await cli.bans.put({ target: '192.0.2.50', reason: 'made before start', source: 'sysop', expiresAt: null });
    audit = new AuditLog(log, join(dir, 'logs', 'audit.log'));
    bans = new BanList({ store, log, audit, allowlist: new AddressSet(['127.0.0.1', '10.0.0.0/8']), refreshMs: 60_000, clock });
    await bans.start();
  });
  after(async () => {
    bans.stop();
    await audit.close();
    await store.close();
    await cli.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the bans already in the store at start, without announcing them again', () => {
    assert.equal(bans.find('192.0.2.50')?.reason, 'made before start');
    assert.equal(log.lines.filter((l) => l['event'] === 'security.ban').length, 0);
  });

  it('refuses a banned address at the gate in silence, and lets others through', async () => {
    await bans.ban({ target: '198.51.100.7', reason: 'typed root', source: 'trap', forMs: HOUR, by: 'trap' });
    assert.deepEqual(bans.gate('198.51.100.7', 'telnet'), { allow: false, reason: 'banned', quiet: true });
    assert.deepEqual(bans.gate('::ffff:198.51.100.7', 'ssh'), { allow: false, reason: 'banned', quiet: true });
    assert.deepEqual(bans.gate('198.51.100.8', 'telnet'), { allow: true });
  });

  it('matches ranges, IPv6 included', async () => {
    await bans.ban({ target: '203.0.113.0/24', reason: 'scanner net', source: 'sysop', forMs: null, by: 'test' });
    await bans.ban({ target: '2001:db8:1:2::/64', reason: 'penalty', source: 'penalty', forMs: HOUR, by: 'penalty' });
    assert.ok(bans.find('203.0.113.200'));
    assert.ok(bans.find('2001:db8:1:2:dead:beef::1'));
    assert.equal(bans.find('2001:db8:1:3::1'), undefined);
  });

  it('never bans an allowlisted address, and a range ban does not reach it', async () => {
    assert.equal(await bans.ban({ target: '127.0.0.1', reason: 'x', source: 'trap', forMs: HOUR, by: 'trap' }), undefined);
    await bans.ban({ target: '10.0.0.0/16', reason: 'sysop range', source: 'sysop', forMs: null, by: 'test' });
    assert.equal(bans.find('10.0.0.5'), undefined);
    assert.equal(bans.find('127.0.0.1'), undefined);
  });

  it('lets a ban lapse at its expiry', async () => {
    await bans.ban({ target: '198.51.100.20', reason: 'short', source: 'penalty', forMs: 1000, by: 'penalty' });
    assert.ok(bans.find('198.51.100.20'));
    now += 1000;
    assert.equal(bans.find('198.51.100.20'), undefined);
  });

  it('an automatic ban never shortens a longer one; a sysop ban replaces it', async () => {
    const sysop = await bans.ban({ target: '198.51.100.30', reason: 'forever', source: 'sysop', forMs: null, by: 'test' });
    assert.ok(sysop);
    assert.equal(await bans.ban({ target: '198.51.100.30', reason: 'trap', source: 'trap', forMs: HOUR, by: 'trap' }), undefined);
    assert.equal(bans.find('198.51.100.30')?.expiresAt, null);
    const shorter = await bans.ban({ target: '198.51.100.30', reason: 'a day is enough', source: 'sysop', forMs: 24 * HOUR, by: 'test' });
    assert.equal(shorter?.expiresAt, now + 24 * HOUR);
  });

  it('picks up bans made elsewhere on refresh: audited, and open sockets of the source are told', async () => {
    const told: string[] = [];
    const off = bans.onBan((_cidr, ban) => told.push(ban.target));
    await cli.bans.put({ target: '192.0.2.99', reason: 'from the CLI', source: 'sysop', expiresAt: null });
    assert.equal(bans.find('192.0.2.99'), undefined, 'not before the refresh');
    await bans.refresh();
    assert.equal(bans.find('192.0.2.99')?.reason, 'from the CLI');
    assert.deepEqual(told, ['192.0.2.99']);
    await cli.bans.remove('192.0.2.99');
    await bans.refresh();
    assert.equal(bans.find('192.0.2.99'), undefined);
    off();
    const unban = log.lines.find((l) => l['event'] === 'security.unban' && l['target'] === '192.0.2.99');
    assert.equal(unban?.['by'], 'elsewhere');
  });

  it('a ban (and an unban) is in force once it resolves, though a reload that read the store before it ends after', async () => {
    // The reload's read of the bans is held back after it has read them (before the ban),
    // until the ban is in the store.
    let hold: Promise<void> | undefined;
    let reads = 0;
    let writes = 0;
    const heldBans = new Proxy(store.bans, {
      get: (t, p) => {
        if (p === 'active') {
          return async (...a: Parameters<Store['bans']['active']>) => {
            const rows = await t.active(...a);
            reads++;
            await hold;
            return rows;
          };
        }
        if (p === 'put' || p === 'remove') {
          return async (...a: unknown[]) => {
            const done = await (t[p] as (...a: unknown[]) => Promise<unknown>).apply(t, a);
            writes++;
            return done;
          };
        }
        return Reflect.get(t, p) as unknown;
      },
    });
    const held = new Proxy(store, { get: (t, p) => (p === 'bans' ? heldBans : (Reflect.get(t, p) as unknown)) });
    const list = new BanList({ store: held, log, audit, allowlist: new AddressSet([]), refreshMs: 60_000, clock });
    await list.start();
    const reload = async (change: () => Promise<unknown>): Promise<void> => {
      let release!: () => void;
      hold = new Promise((resolve) => (release = resolve));
      // Made elsewhere, so the poll reloads.
      await cli.bans.put({ target: `192.0.2.${110 + reads}`, reason: 'moves the version', source: 'sysop', expiresAt: null });
      const [read, written] = [reads, writes];
      const refreshed = list.refresh();
      await eventually(() => reads > read, 'the reload read the bans');
      const changed = change();
      await eventually(() => writes > written, 'the change is in the store');
      release();
      await changed;
      await refreshed;
      hold = undefined;
    };
    try {
      // Fails without: the reload put back the list it read, without the ban, after ban() had
      // resolved: the address got in until the next poll.
      await reload(() => list.ban({ target: '198.51.100.99', reason: 'console', source: 'sysop', forMs: null, by: 'test' }));
      assert.equal(list.find('198.51.100.99')?.reason, 'console');
      await reload(() => list.unban('198.51.100.99', 'test'));
      assert.equal(list.find('198.51.100.99'), undefined);
    } finally {
      list.stop();
    }
  });

  /** A list over `store` whose reads of the bans are counted, and held while `hold` is pending. */
  const counted = (): { list: BanList; reads: () => number; hold: (p: Promise<void> | undefined) => void } => {
    let reads = 0;
    let held: Promise<void> | undefined;
    const bansRead = new Proxy(store.bans, {
      get: (t, p) => {
        if (p !== 'active') return Reflect.get(t, p) as unknown;
        return async (...a: Parameters<Store['bans']['active']>) => {
          const rows = await t.active(...a);
          reads++;
          await held;
          return rows;
        };
      },
    });
    const list = new BanList({ store: new Proxy(store, { get: (t, p) => (p === 'bans' ? bansRead : (Reflect.get(t, p) as unknown)) }), log, audit, allowlist: new AddressSet([]), refreshMs: 60_000, clock });
    return {
      list,
      reads: () => reads,
      hold: (p) => {
        held = p;
      },
    };
  };

  it('reads the store at once when another process says the bans changed; notices in the next NOTICE_GAP_MS share one read', async (t) => {
    const { list, reads } = counted();
    await list.start();
    try {
      const before = reads();
      await cli.bans.put({ target: '192.0.2.130', reason: 'made on another node', source: 'sysop', expiresAt: null });
      assert.equal(list.find('192.0.2.130'), undefined, 'the poll is a minute away');
      await list.changedElsewhere();
      assert.equal(list.find('192.0.2.130')?.reason, 'made on another node', 'the first notice reads at once');
      assert.equal(reads() - before, 1);
      // A flood: each notice comes once the store has taken the next ban.
      t.mock.timers.enable({ apis: ['setTimeout'] });
      const flood: Promise<void>[] = [];
      for (let i = 0; i < 20; i++) {
        await cli.bans.put({ target: `192.0.2.${140 + i}`, reason: 'flood', source: 'sysop', expiresAt: null });
        flood.push(list.changedElsewhere());
      }
      // Fails with a read per notice (21).
      assert.equal(reads() - before, 1, 'no read while the gap lasts');
      t.mock.timers.tick(NOTICE_GAP_MS);
      await Promise.all(flood);
      assert.equal(reads() - before, 2, 'twenty notices, one read');
      assert.ok(list.find('192.0.2.140') && list.find('192.0.2.159'), 'the flood is in force whole');
    } finally {
      t.mock.timers.reset();
      list.stop();
      for (const target of ['192.0.2.130', ...Array.from({ length: 20 }, (_, i) => `192.0.2.${140 + i}`)]) await cli.bans.remove(target);
    }
  });

  it('a notice that comes while a read is under way gets a read of its own after it', async () => {
    const { list, reads, hold } = counted();
    await list.start();
    try {
      let release!: () => void;
      hold(new Promise((resolve) => (release = resolve)));
      await cli.bans.put({ target: '192.0.2.131', reason: 'first', source: 'sysop', expiresAt: null });
      const before = reads();
      const first = list.changedElsewhere();
      await eventually(() => reads() > before, 'the first read to have read the store');
      // This ban is stored after that read: only a read that starts after it finds it.
      await cli.bans.put({ target: '192.0.2.132', reason: 'second', source: 'sysop', expiresAt: null });
      const second = list.changedElsewhere();
      hold(undefined);
      release();
      await Promise.all([first, second]);
      assert.equal(list.find('192.0.2.131')?.reason, 'first');
      assert.equal(list.find('192.0.2.132')?.reason, 'second', 'the notice that came during the first read was not lost in it');
      assert.equal(reads() - before, 2);
    } finally {
      list.stop();
      await cli.bans.remove('192.0.2.131');
      await cli.bans.remove('192.0.2.132');
    }
  });

  it('tells onWritten of a ban or unban it stored, not of one it refused or an unban of nothing', async () => {
    let told = 0;
    const off = bans.onWritten(() => told++);
    try {
      await bans.ban({ target: '198.51.100.140', reason: 'x', source: 'sysop', forMs: HOUR, by: 'test' });
      assert.equal(told, 1);
      assert.equal(await bans.ban({ target: '127.0.0.1', reason: 'x', source: 'sysop', forMs: HOUR, by: 'test' }), undefined);
      assert.equal(told, 1, 'an allowlisted address is never banned, so nothing changed');
      assert.equal(await bans.unban('198.51.100.140', 'test'), true);
      assert.equal(told, 2);
      assert.equal(await bans.unban('198.51.100.140', 'test'), false);
      assert.equal(told, 2, 'nothing was lifted');
    } finally {
      off();
    }
  });

  it('keeps enforcing what it has when the store goes away, and says so once', async () => {
    const broken = await openStore({ dataDir: dir, log, passwordParams: FAST_SCRYPT, clock });
    const list = new BanList({ store: broken, log, audit, allowlist: new AddressSet([]), refreshMs: 60_000, clock });
    await list.start();
    list.stop();
    assert.ok(list.find('192.0.2.50'));
    await broken.close();
    await list.refresh();
    await list.refresh();
    assert.ok(list.find('192.0.2.50'));
    assert.equal(log.lines.filter((l) => l['event'] === 'security.bans_refresh_failed').length, 1);
  });

  it('writes every ban to the audit trail', async () => {
    await audit.close();
    const trail = (await readFile(join(dir, 'logs', 'audit.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const targets = trail.filter((l) => l['event'] === 'security.ban').map((l) => l['target']);
    assert.ok(targets.includes('198.51.100.7') && targets.includes('203.0.113.0/24') && targets.includes('192.0.2.99'), JSON.stringify(targets));
    audit = new AuditLog(log, undefined);
  });
});

describe('the audit trail', () => {
  it('escapes client text, so a login name cannot forge a line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'carrier-audit-'));
    try {
      const log = createMemoryLogger();
      const audit = new AuditLog(log, join(dir, 'audit.log'));
      const forged = 'root\r\n{"event":"audit.login","handle":"sysop"}\x1b[2J';
      audit.loginFailed({ remote: '192.0.2.1', protocol: 'telnet', name: forged });
      audit.trap({ remote: '192.0.2.1', protocol: 'telnet', name: forged, word: 'root', banned: true });
      audit.login({ remote: '192.0.2.2', protocol: 'ssh', handle: 'alice', via: 'ssh-publickey' });
      audit.connect('192.0.2.3', 'rlogin');
      await audit.close();
      const lines = (await readFile(join(dir, 'audit.log'), 'utf8')).trim().split('\n');
      assert.equal(lines.length, 4);
      const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(parsed.map((l) => l['event']), ['audit.login_failed', 'security.trap', 'audit.login', 'audit.connect']);
      assert.equal(parsed[0]!['name'], 'root\\x0d\\x0a{"event":"audit.login","handle":"sysop"}\\x1b[2J');
      assert.ok(!lines.some((l) => l.includes('\x1b')));
      // traps also reach the main log; logins stay in the trail
      assert.deepEqual(log.lines.map((l) => l['event']), ['security.trap']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
