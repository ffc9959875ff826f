// Bans and penalties end to end: the sysop's `carrier ban` verbs against a running
// board, refusal at accept before any byte with one log line per address per minute,
// and a guessing source held, then banned, while real callers log in undisturbed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, RawTelnet } from '../raw-telnet.js';
import { eventually, probe, refusedAsBanned, sshPassword, sshRefusedAsBanned } from './security-support.js';

describe('bans and penalties', () => {
  let board: Carrier;
  const served = async (addr: string) => (await probe(board.ports.telnet!, addr, 800)).bytes.length > 0;

  before(async () => {
    board = await startCarrier({
      ssh: true,
      yaml: [
        'security: { banRefresh: 200ms, penalties: { delay: 300ms, maxDelay: 1s, banAt: 15, banFor: 1m } }',
        'session: { maxLoginTries: 10 }',
      ].join('\n'),
    });
    await board.addUser('alice', 'wonderland7');
  });
  after(async () => {
    await board.stop();
  });

  it('ban add refuses an address at accept within the refresh time; ban list shows it; ban remove lifts it', async () => {
    assert.ok(await served('127.0.0.20'));
    const add = await board.cli(['ban', 'add', '127.0.0.20', '--for', '1h', '--reason', 'spam bot']);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /^banned 127\.0\.0\.20 until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    await eventually(() => refusedAsBanned(board.ports.telnet!, '127.0.0.20'), 5000, 'the CLI ban to reach the board');
    assert.ok(await sshRefusedAsBanned(board.ports.ssh!, '127.0.0.20'), 'the ssh port too');
    const list = await board.cli(['ban', 'list']);
    assert.match(list.stdout, /127\.0\.0\.20\s+sysop\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+spam bot/);
    const remove = await board.cli(['ban', 'remove', '127.0.0.20']);
    assert.equal(remove.code, 0, remove.stderr);
    await eventually(() => served('127.0.0.20'), 5000, 'the lifted ban to reach the board');
    const again = await board.cli(['ban', 'remove', '127.0.0.20']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not banned/);
  });

  it('a caller already on from a newly banned address is told so, as at accept, and hung up', async () => {
    const on = await loginRaw(board.ports.telnet!, 'alice', 'wonderland7', { localAddress: '127.0.0.21', terminalType: 'xterm' });
    const mark = on.bytes.length;
    const add = await board.cli(['ban', 'add', '127.0.0.21', '--for', '1h']);
    assert.equal(add.code, 0, add.stderr);
    await eventually(async () => on.closed, 5000, 'the ban to hang up the caller already on');
    assert.match(on.bytes.subarray(mark).toString('latin1'), /This address is banned\./);
    assert.equal((await board.cli(['ban', 'remove', '127.0.0.21'])).code, 0);
  });

  it('bans a whole range with a CIDR, with no expiry unless --for is given', async () => {
    const add = await board.cli(['ban', 'add', '127.0.1.99/24']);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /banned 127\.0\.1\.0\/24 until removed/);
    await eventually(() => refusedAsBanned(board.ports.telnet!, '127.0.1.7'), 5000, 'the range ban');
    assert.ok(await served('127.0.2.7'), 'the next /24 is not in it');
    assert.equal((await board.cli(['ban', 'remove', '127.0.1.0/24'])).code, 0);
  });

  it('with a board running, ban add and remove act through its control channel: in force at once, not at the next poll', async () => {
    // banRefresh an hour: only the running board itself can have put the ban in force.
    const slow = await startCarrier({ yaml: 'security: { banRefresh: 1h }' });
    try {
      const served2 = async (addr: string) => (await probe(slow.ports.telnet!, addr, 800)).bytes.length > 0;
      assert.ok(await served2('127.0.0.40'));
      const add = await slow.cli(['ban', 'add', '127.0.0.40', '--for', '2h', '--reason', 'at once']);
      assert.equal(add.code, 0, add.stderr);
      assert.match(add.stdout, /^banned 127\.0\.0\.40 until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
      assert.ok(await refusedAsBanned(slow.ports.telnet!, '127.0.0.40'), 'refused right after the CLI answered');
      const list = await slow.cli(['ban', 'list']);
      assert.match(list.stdout, /127\.0\.0\.40\s+sysop\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+at once/);
      const remove = await slow.cli(['ban', 'remove', '127.0.0.40']);
      assert.equal(remove.code, 0, remove.stderr);
      assert.match(remove.stdout, /removed the ban on 127\.0\.0\.40/);
      assert.ok(await served2('127.0.0.40'), 'served right after the CLI answered');
      const again = await slow.cli(['ban', 'remove', '127.0.0.40']);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /not banned/);
      const mine = await slow.cli(['ban', 'add', '127.0.0.1']);
      assert.equal(mine.code, 1);
      assert.match(mine.stderr, /allowlist/);
    } finally {
      await slow.stop();
    }
  });

  it('ban add refuses nonsense with usage (2), and an allowlisted address with a reason (1)', async () => {
    const bad = await board.cli(['ban', 'add', 'banana']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not an IP address or CIDR/);
    const badFor = await board.cli(['ban', 'add', '127.0.0.30', '--for', 'soon']);
    assert.equal(badFor.code, 2);
    const mine = await board.cli(['ban', 'add', '127.0.0.1']);
    assert.equal(mine.code, 1);
    assert.match(mine.stderr, /allowlist/);
  });

  it('logs a flood of refused connects from one address as one line, not one per connect', async () => {
    assert.equal((await board.cli(['ban', 'add', '127.0.0.21'])).code, 0);
    await eventually(() => refusedAsBanned(board.ports.telnet!, '127.0.0.21'), 5000, 'the ban');
    const from = board.logs.length;
    for (let i = 0; i < 40; i++) assert.ok(await refusedAsBanned(board.ports.telnet!, '127.0.0.21'));
    const after = board.logs.slice(from);
    assert.equal(after.filter((l) => l['event'] === 'connect.refused' && l['remote'] === '127.0.0.21').length, 0, 'the flood is counted, not logged');
    const lines = board.logs.filter((l) => l['event'] === 'connect.refused' && l['remote'] === '127.0.0.21');
    assert.equal(lines.length, 1, JSON.stringify(lines));
    assert.equal(lines[0]!['reason'], 'banned');
    assert.equal(after.filter((l) => l['event'] === 'connect' && l['remote'] === '127.0.0.21').length, 0, 'never admitted');
  });

  it('holds a guessing source longer after each wrong password, then bans it; the account is only delayed', async () => {
    const guesser = await RawTelnet.connect({ port: board.ports.telnet!, localAddress: '127.0.0.10' });
    await guesser.waitFor('login:', 15_000);
    const held: number[] = [];
    for (let i = 0; i < 2; i++) {
      guesser.send('alice\r');
      await guesser.waitForNext('password:');
      const t = Date.now();
      guesser.send('not-her-password\r');
      await guesser.waitForNext('Login incorrect');
      held.push(Date.now() - t);
    }
    assert.ok(held[0]! >= 250, `first failure held ${held[0]} ms`);
    assert.ok(held[1]! >= 550, `second failure held longer: ${held[1]} ms`);
    guesser.send('alice\r');
    await guesser.waitForNext('password:');
    guesser.send('third-guess\r');
    await guesser.waitClosed();
    await board.waitForLog((l) => l['event'] === 'security.ban' && l['target'] === '127.0.0.10' && l['source'] === 'penalty');
    assert.ok(await refusedAsBanned(board.ports.telnet!, '127.0.0.10'), 'the guesser is refused at accept');

    // Alice herself, from her own address, is never locked out of her account.
    const alice = await loginRaw(board.ports.telnet!, 'alice', 'wonderland7', { localAddress: '127.0.0.11' });
    alice.close();
    // A mistake of hers is held by the account's recent failures, but she is not banned.
    const typo = await RawTelnet.connect({ port: board.ports.telnet!, localAddress: '127.0.0.12' });
    await typo.waitFor('login:', 15_000);
    typo.send('alice\r');
    await typo.waitForNext('password:');
    const t = Date.now();
    typo.send('wonderland8\r');
    await typo.waitForNext('Login incorrect');
    assert.ok(Date.now() - t >= 900, 'the account under attack holds every failure at the cap');
    typo.send('alice\r');
    await typo.waitForNext('password:');
    typo.send('wonderland7\r');
    await typo.waitForNext('Command:');
    typo.close();
    const trail = board.logs.filter((l) => l['event'] === 'login.failed').length;
    assert.ok(trail >= 3);
  });

  it('counts wrong ssh passwords against the source the same way', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await sshPassword(board.ports.ssh!, '127.0.0.13', 'alice', `guess-${i}`);
      assert.notEqual(r, 'ready');
    }
    await board.waitForLog((l) => l['event'] === 'security.ban' && l['target'] === '127.0.0.13');
    assert.ok(await sshRefusedAsBanned(board.ports.ssh!, '127.0.0.13'));
  });
});
