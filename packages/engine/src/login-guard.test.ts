import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { createMemoryLogger } from '@carrier/core';
import { openStore, type Store } from '@carrier/store';
import { createBoard, type Board, type BoardConfig } from './board.js';
import { InProcessBus } from './bus.js';
import type { LoginAttempt, LoginEvent, LoginGuard, LoginVerdict } from './login-guard.js';
import { events, FakeConnection, TEST_SCRYPT } from './test-support.js';

const PASSWORD = 'tuba-lamp-7x';

/** A login script like the board's matrix: name, policy check, password. */
const matrix = (screenName: boolean) => `export default async (s) => {
  for (let i = 0; i < 3; i++) {
    s.print('login: ');
    const name = await s.readLine({ maxLength: 30 });
    ${screenName ? 'await s.checkLoginName(name);' : ''}
    s.print('password: ');
    const pw = await s.readLine({ mask: '*' });
    const user = await s.authenticate(name, pw);
    if (user) { await s.login(user); s.println('welcome ' + user.handle); await s.readKey(); return; }
    s.println('Login incorrect');
  }
};`;
const MATRIX = matrix(true);

interface Rig {
  board: Board;
  store: Store;
  log: ReturnType<typeof createMemoryLogger>;
  calls: string[];
  logins: LoginEvent[];
  close(): Promise<void>;
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});

async function rig(
  verdicts: { name?: (a: LoginAttempt) => LoginVerdict; password?: (a: LoginAttempt & { ok: boolean }) => LoginVerdict } = {},
  config: Partial<BoardConfig> = {},
  scripts: Record<string, string> = { matrix: MATRIX },
): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'carrier-guard-'));
  await mkdir(join(dir, 'scripts'), { recursive: true });
  for (const [name, src] of Object.entries(scripts)) await writeFile(join(dir, 'scripts', `${name}.ts`), src);
  const log = createMemoryLogger();
  const store = await openStore({ dataDir: join(dir, 'data'), log, passwordParams: TEST_SCRYPT });
  await store.users.create({ handle: 'alice', password: PASSWORD });
  const calls: string[] = [];
  const logins: LoginEvent[] = [];
  const guard: LoginGuard = {
    nameEntered(a) {
      calls.push(`name ${a.name} from ${a.remoteAddress}`);
      return verdicts.name?.(a) ?? {};
    },
    passwordChecked(a) {
      calls.push(`password ${a.name} ${a.ok ? 'ok' : 'wrong'}`);
      return verdicts.password?.(a) ?? {};
    },
    loggedIn: (e) => logins.push(e),
  };
  const board = createBoard({
    name: 'Guarded',
    store,
    bus: new InProcessBus(log),
    log,
    scriptsDir: join(dir, 'scripts'),
    artDir: join(dir, 'art'),
    cacheDir: join(dir, 'cache'),
    loginGuard: guard,
    config: { probeTimeoutMs: 50, ...config },
  });
  const r: Rig = {
    board,
    store,
    log,
    calls,
    logins,
    async close() {
      await board.shutdown('test over');
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  rigs.push(r);
  return r;
}

describe('the login guard', () => {
  it('hears the login name before any password prompt, and its hang-up ends the call there', async () => {
    const r = await rig({ name: (a) => (a.name === 'root' ? { hangup: { reason: 'bot trap' } } : {}) });
    const conn = new FakeConnection({ remoteAddress: '192.0.2.66' });
    const session = r.board.attach(conn);
    await conn.waitFor('login: ');
    conn.type('root\r');
    await session.done;
    assert.equal(conn.endedWith, 'bot trap');
    assert.doesNotMatch(conn.screen, /password:/);
    assert.deepEqual(r.calls, ['name root from 192.0.2.66']);
  });

  it('a caller typed ahead before the prompt is screened all the same (shell commands during negotiation)', async () => {
    const r = await rig({ name: (a) => (a.name.startsWith('cat ') ? { hangup: { reason: 'bot trap' } } : {}) });
    const conn = new FakeConnection();
    conn.type('cat /proc/cpuinfo\r');
    const session = r.board.attach(conn);
    await session.done;
    assert.equal(conn.endedWith, 'bot trap');
    assert.deepEqual(r.calls, ['name cat /proc/cpuinfo from 192.0.2.7']);
  });

  it('reports the password outcome and holds the caller for the delay it asks, then goes on', async () => {
    const r = await rig({ password: (a) => (a.ok ? {} : { delayMs: 300 }) });
    const conn = new FakeConnection();
    const session = r.board.attach(conn);
    await conn.waitFor('login: ');
    conn.type('alice\r');
    await conn.waitFor('password: ');
    const typed = Date.now();
    conn.type('wrong-one\r');
    await conn.waitFor('Login incorrect');
    assert.ok(Date.now() - typed >= 280, 'Login incorrect came only after the delay');
    conn.type(`alice\r${PASSWORD}\r`);
    await conn.waitFor('welcome alice');
    assert.deepEqual(r.calls, ['name alice from 192.0.2.7', 'password alice wrong', 'name alice from 192.0.2.7', 'password alice ok']);
    assert.equal(conn.authenticated, true, 'the connection is marked authenticated for admission');
    assert.deepEqual(r.logins.map((e) => [e.handle, e.via, e.remoteAddress, e.sessionId === session.id]), [['alice', 'password', '192.0.2.7', true]]);
    conn.type('x');
    await session.done;
  });

  it('still screens the name when a script calls authenticate without checkLoginName', async () => {
    const r = await rig({}, {}, { matrix: matrix(false) });
    const conn = new FakeConnection();
    const session = r.board.attach(conn);
    conn.type(`alice\r${PASSWORD}\rx`);
    await conn.waitFor('welcome alice');
    await session.done;
    assert.deepEqual(r.calls, ['name alice from 192.0.2.7', 'password alice ok']);
  });

  it('fails closed: a guard that cannot screen the name ends the call with the store apology, logged once', async () => {
    const r = await rig({ name: () => { throw new Error('database down'); } });
    const conn = new FakeConnection();
    const session = r.board.attach(conn);
    conn.type(`alice\r${PASSWORD}\rx`);
    await session.done;
    assert.equal(conn.endedWith, 'login guard unavailable');
    assert.match(conn.screen, /database is not answering/);
    assert.doesNotMatch(conn.screen, /password:|welcome/, 'no password prompt, no login');
    assert.equal(conn.authenticated, false);
    assert.deepEqual(r.logins, []);
    const failed = events(r.log, 'login.guard_failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.['step'], 'nameEntered');
    assert.equal(events(r.log, 'script.error').length, 0, 'no script error and no second apology');
  });

  it('fails closed after the password check too: a right password does not get in past a broken guard', async () => {
    const r = await rig({ password: () => { throw new Error('database down'); } });
    const conn = new FakeConnection();
    const session = r.board.attach(conn);
    conn.type(`alice\r${PASSWORD}\rx`);
    await session.done;
    assert.equal(conn.endedWith, 'login guard unavailable');
    assert.doesNotMatch(conn.screen, /welcome/);
    assert.deepEqual(r.logins, []);
    assert.deepEqual(events(r.log, 'login.guard_failed').map((e) => e['step']), ['passwordChecked']);
  });

  it('a guard hang-up message reaches the caller cleaned of escape sequences and C1 controls', async () => {
    const r = await rig({ name: () => ({ hangup: { reason: 'banned', message: 'Go away\x1b[2J\x9b31m now\u202e' } }) });
    const conn = new FakeConnection();
    const session = r.board.attach(conn);
    conn.type('alice\r');
    await session.done;
    assert.equal(conn.endedWith, 'banned');
    assert.match(conn.screen, /Go away now\r\n/);
    assert.doesNotMatch(conn.screen, /\[2J|\x9b|\u202e|31m/);
  });

  it('tells the guard about a login by ssh identity, with how it was proven', async () => {
    const r = await rig({}, {}, { matrix: MATRIX, main: `export default async (s) => { s.println('main for ' + s.user.handle); };` });
    const conn = new FakeConnection({ identity: { user: 'alice', via: 'ssh-publickey' } });
    const session = r.board.attach(conn);
    await session.done;
    assert.match(conn.screen, /main for alice/);
    assert.deepEqual(r.logins.map((e) => [e.handle, e.via]), [['alice', 'ssh-publickey']]);
    assert.deepEqual(r.calls, [], 'no login name was typed');
  });
});

describe('session bounds', () => {
  it('cuts every typed line at the board cap, whatever maxLength a script asks for', async () => {
    const r = await rig({}, { maxLineLength: 10 }, {
      matrix: `export default async (s) => { const l = await s.readLine({ maxLength: 100000 }); s.println('[' + l + ']'); };`,
    });
    const conn = new FakeConnection();
    const session = r.board.attach(conn);
    conn.type('abcdefghijklmnopqrstuvwxyz\r');
    await session.done;
    assert.match(conn.screen, /\[abcdefghij\]/);
  });

  it('ends a session at its absolute time limit even while the caller keeps typing', async () => {
    const r = await rig({}, { maxDurationMs: 400, idleTimeoutMs: 60_000 }, {
      matrix: `export default async (s) => { for (;;) await s.readKey(); };`,
    });
    const conn = new FakeConnection();
    const session = r.board.attach(conn);
    const typing = setInterval(() => conn.type('k'), 50);
    try {
      await session.done;
    } finally {
      clearInterval(typing);
    }
    assert.equal(conn.endedWith, 'session time limit');
    assert.match(conn.screen, /Time limit reached/);
  });
});
