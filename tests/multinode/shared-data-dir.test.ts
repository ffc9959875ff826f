// docker-compose.yml's set-up: two nodes of one board (PostgreSQL + Redis) on ONE data
// volume, which they share on purpose (one ssh host key, so callers' known_hosts holds
// whichever node answers; the script cache). Both must start and serve: the data dir's
// one-board claim is for a board whose store is the data dir's own SQLite file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TmuxCaller } from '../e2e/messages-callers.js';
import { addUsers, dropPrefix, dropSchema, findPostgres, findRedis, freshSchemaName, inSchema, uniquePrefix } from './services.js';

const pg = await findPostgres();
const redis = await findRedis();
const skip = !pg ? 'no PostgreSQL at 127.0.0.1:5432/test (set CARRIER_TEST_PG_URL)' : !redis ? 'no Redis at 127.0.0.1:6379 (set CARRIER_TEST_REDIS_URL)' : false;

/** The host key a node serves, as ssh-keyscan reads it off the wire. */
function servedKey(port: number): string {
  const out = execFileSync('ssh-keyscan', ['-t', 'ed25519', '-p', String(port), '127.0.0.1'], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'] });
  const line = out.split('\n').find((l) => l.includes('ssh-ed25519'));
  assert.ok(line, `no ed25519 key from port ${port}: ${out}`);
  return line.split(' ').slice(1).join(' ');
}

describe('two nodes of one board on one data dir (the compose set-up)', { skip, timeout: 180_000 }, () => {
  const schema = freshSchemaName();
  const prefix = uniquePrefix();
  let a: Carrier | undefined;
  let b: Carrier | undefined;
  let c: Carrier | undefined;
  let d: Carrier | undefined;
  /** The node that serves the socket after the second test (the one of B and C not killed). */
  let serving: Carrier | undefined;
  const callers: RawTelnet[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'carrier-shared-dir-'));
  let sysop: TmuxCaller | undefined;

  before(async () => {
    await addUsers(pg!, schema, [
      { handle: 'dora', password: 'dora-on-node-a' },
      { handle: 'Ed', password: 'ed-on-node-b' },
      { handle: 'fay', password: 'fay-on-node-c' },
    ]);
    await inSchema(pg!, schema, (store) => store.users.create({ handle: 'Holmes', password: 'holmes-on-node-b', level: 100 }));
  });
  after(async () => {
    for (const c of callers) c.close();
    sysop?.hangup();
    // A last: its stop removes the data dir they share.
    await d?.stop();
    await c?.stop();
    await b?.stop();
    await a?.stop();
    await dropSchema(pg!, schema);
    await dropPrefix(redis!, prefix);
    rmSync(tmp, { recursive: true, force: true });
  });

  const yaml = [`database: { url: ${JSON.stringify(pg)}, schema: ${schema} }`, `bus: { redisUrl: ${JSON.stringify(redis)}, keyPrefix: ${JSON.stringify(prefix)} }`].join('\n');

  it('the second node starts on the first one\'s data dir, serves its callers and the same ssh host key', async () => {
    a = await startCarrier({ yaml, logLevel: 'info', ssh: true });
    // Fails without: the second start exited 2, "a board is already running on the data dir".
    b = await startCarrier({ yaml, logLevel: 'info', ssh: true, env: { CARRIER_DATA_DIR: a.dataDir } });
    assert.equal(servedKey(b.ports.ssh!), servedKey(a.ports.ssh!), 'one host key on the shared volume');
    callers.push(await loginRaw(a.ports.telnet!, 'dora', 'dora-on-node-a', { localAddress: '127.0.0.2' }));
    const ed = await loginRaw(b.ports.telnet!, 'Ed', 'ed-on-node-b', { localAddress: '127.0.0.3' });
    callers.push(ed);
    // One board: Ed on B sees dora, who is on A.
    const at = ed.text().length;
    ed.send('w');
    await ed.waitFor(/dora/, 20_000, at);
    // The control socket on the shared dir is A's; B says so once, as a warning, not an
    // error, and a sysop on B's host reaches both nodes through it.
    assert.deepEqual(
      b.logs.filter((l) => l['level'] === 'error' || l['event'] === 'control.socket_taken').map((l) => [l['level'], l['event']]),
      [['warn', 'control.socket_taken']],
    );
    const who = await b.cli(['who']);
    assert.equal(who.code, 0, who.stderr);
    assert.match(who.stdout, /dora/);
    assert.match(who.stdout, /Ed/);
    // A sysop calling node B opens the console from the main menu, through that socket
    // (fails without: 'The control channel is off on this board').
    if (!existsSync('/usr/bin/tmux')) return;
    sysop = await TmuxCaller.telnet(b.ports.telnet!, 'Holmes', 'holmes-on-node-b', tmp);
    sysop.send('!');
    await sysop.waitScreen(/sysop console[\s\S]*dora[\s\S]*Ed/, 20_000);
  });

  it('when the node serving the control socket stops (SIGTERM), another node serves it; when that one is killed (-9), the third does', async () => {
    assert.ok(a && b, 'the first test started nodes A and B');
    sysop?.hangup();
    sysop = undefined;
    c = await startCarrier({ yaml, logLevel: 'info', env: { CARRIER_DATA_DIR: a.dataDir } });
    await c.waitForLog((l) => l['event'] === 'control.socket_taken');
    callers.push(await loginRaw(c.ports.telnet!, 'fay', 'fay-on-node-c', { localAddress: '127.0.0.4' }));
    const takenOver = (l: Record<string, unknown>): boolean => l['event'] === 'control.socket_taken_over';

    // A stops cleanly (its socket file goes with it); B or C serves the socket.
    await exit(a, 'SIGTERM');
    // Fails without: neither logged it (a node without the socket had none until it restarted).
    const first = await Promise.any([b, c].map((n) => n.waitForLog(takenOver, 30_000).then(() => n)));
    const second = first === b ? c : b;
    assert.equal(first.logs.find(takenOver)?.['level'], 'info');
    let who = await second.cli(['who']);
    assert.equal(who.code, 0, who.stderr);
    assert.match(who.stdout, /Ed/);
    assert.match(who.stdout, /fay/);
    assert.equal(second.logs.filter(takenOver).length, 0, 'one node took it over');

    // The new server is killed: its socket file stays, dead, and the third node takes its place.
    await exit(first, 'SIGKILL');
    await second.waitForLog(takenOver, 30_000);
    who = await second.cli(['who']);
    assert.equal(who.code, 0, who.stderr);
    assert.match(who.stdout, second === b ? /Ed/ : /fay/);
    assert.deepEqual(
      second.logs.filter((l) => l['level'] === 'error').map((l) => l['event']),
      [],
      'no errors on the node that took over',
    );
    serving = second;
  });

  it('a sysop\'s shutdown stops every node, those standing by too; the socket goes with them', async () => {
    assert.ok(a && serving, 'the tests before left a node serving the socket');
    d = await startCarrier({ yaml, logLevel: 'info', env: { CARRIER_DATA_DIR: a.dataDir } });
    await d.waitForLog((l) => l['event'] === 'control.socket_taken');
    const stopped = [serving, d].map((n) => n.waitForLog((l) => l['event'] === 'board.stopped', 60_000));
    const r = await serving.cli(['shutdown', '--in', '1']);
    assert.equal(r.code, 0, r.stderr);
    // Fails without: the standby node did not hear it (its verbs were closed) and ran on.
    await Promise.all(stopped);
    await Promise.all([serving, d].map(exited));
    assert.deepEqual(
      readdirSync(a.dataDir).filter((f) => f.startsWith('control.sock') || f.startsWith('.con-')),
      [],
      'no socket, claim or placeholder left in the shared dir',
    );
  });
});

/** Signal a node and wait for its process to be gone (its data dir, shared, stays). */
async function exit(node: Carrier, signal: NodeJS.Signals): Promise<void> {
  const gone = exited(node);
  node.process.kill(signal);
  await gone;
}

function exited(node: Carrier): Promise<void> {
  const p = node.process;
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => p.once('exit', () => resolve()));
}
