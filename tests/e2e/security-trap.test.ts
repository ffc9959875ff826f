// The bot trap end to end: a trap word typed at login: (or sent before negotiation is
// over, or given as an ssh user name) closes the call and bans the address, in the store,
// so the ban outlives a restart. Attackers call from 127.0.0.2+; 127.0.0.1 is the runner.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, RawTelnet } from '../raw-telnet.js';
import { refusedSilently, sshPassword } from './security-support.js';

const YAML = 'security: { allowlist: [127.0.0.1, 127.0.0.4], banRefresh: 300ms }';

describe('the bot trap', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'carrier-trap-'));
  let board: Carrier;

  before(async () => {
    board = await startCarrier({ ssh: true, yaml: YAML, env: { CARRIER_DATA_DIR: dataDir } });
    await board.addUser('alice', 'wonderland7');
  });
  after(async () => {
    await board.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('closes the call when root is typed at login:, before any password, and bans the address', async () => {
    const bot = await RawTelnet.connect({ port: board.ports.telnet!, localAddress: '127.0.0.2' });
    await bot.waitFor('login:', 15_000);
    bot.send('root\r');
    await bot.waitClosed();
    assert.doesNotMatch(bot.text(), /password:/);
    const trap = await board.waitForLog((l) => l['event'] === 'security.trap' && l['remote'] === '127.0.0.2');
    assert.equal(trap['word'], 'root');
    await board.waitForLog((l) => l['event'] === 'security.ban' && l['target'] === '127.0.0.2' && l['source'] === 'trap');
    assert.ok(await refusedSilently(board.ports.telnet!, '127.0.0.2'), 'the banned address is closed before any byte');
    assert.ok(await refusedSilently(board.ports.ssh!, '127.0.0.2'), 'on every front end');
    const list = await board.cli(['ban', 'list']);
    assert.match(list.stdout, /127\.0\.0\.2\s+trap\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+bot trap: root/);
  });

  it('counts shell commands a bot sends before negotiation is over the same way', async () => {
    // A bot answers no option: its command arrives while the board still waits for answers.
    const bot = await RawTelnet.connect({ port: board.ports.telnet!, localAddress: '127.0.0.3', silent: true });
    bot.send('cat /proc/cpuinfo\r\n');
    await bot.waitClosed(15_000);
    await board.waitForLog((l) => l['event'] === 'security.trap' && l['remote'] === '127.0.0.3' && l['word'] === 'cat');
    assert.ok(await refusedSilently(board.ports.telnet!, '127.0.0.3'));
  });

  it('springs on an ssh user name too', async () => {
    assert.notEqual(await sshPassword(board.ports.ssh!, '127.0.0.5', 'admin', 'admin'), 'ready');
    await board.waitForLog((l) => l['event'] === 'security.trap' && l['remote'] === '127.0.0.5' && l['protocol'] === 'ssh');
    assert.ok(await refusedSilently(board.ports.ssh!, '127.0.0.5'));
  });

  it('never bans an allowlisted address: the call ends, the next one is served', async () => {
    const c = await RawTelnet.connect({ port: board.ports.telnet!, localAddress: '127.0.0.4' });
    await c.waitFor('login:', 15_000);
    c.send('busybox\r');
    await c.waitClosed();
    const trap = await board.waitForLog((l) => l['event'] === 'security.trap' && l['remote'] === '127.0.0.4');
    assert.equal(trap['banned'], false);
    const again = await loginRaw(board.ports.telnet!, 'alice', 'wonderland7', { localAddress: '127.0.0.4' });
    again.close();
  });

  it('writes the trap, the ban and the caller\'s own text escaped into the audit trail', async () => {
    // An ssh user name can carry any byte, line breaks included: the classic log injection.
    const forged = 'shell\r\n{"event":"audit.login","handle":"sysop"}\x1b[2J';
    assert.notEqual(await sshPassword(board.ports.ssh!, '127.0.0.6', forged, 'x'), 'ready');
    await board.waitForLog((l) => l['event'] === 'security.trap' && l['remote'] === '127.0.0.6');
    const trail = readFileSync(join(dataDir, 'logs', 'audit.log'), 'utf8');
    assert.ok(!trail.includes('\x1b'), 'no raw escape in the trail');
    const lines = trail.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(!lines.some((l) => l['event'] === 'audit.login' && l['handle'] === 'sysop'), 'no forged line');
    const events = new Set(lines.map((l) => l['event']));
    for (const e of ['audit.connect', 'audit.login', 'security.trap', 'security.ban']) assert.ok(events.has(e), `${e} in the audit trail`);
    const trap = lines.find((l) => l['event'] === 'security.trap' && l['remote'] === '127.0.0.6')!;
    assert.equal(trap['name'], 'shell\\x0d\\x0a{"event":"audit.login","handle":"sysop"}\\x1b[2J');
  });

  it('keeps the bans across a restart on the same data dir', async () => {
    await board.stop();
    board = await startCarrier({ ssh: true, yaml: YAML, env: { CARRIER_DATA_DIR: dataDir } });
    assert.ok(await refusedSilently(board.ports.telnet!, '127.0.0.2'), 'still banned after the restart');
    const ok = await loginRaw(board.ports.telnet!, 'alice', 'wonderland7');
    ok.close();
  });
});
