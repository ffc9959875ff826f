import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/**
 * Process handlers are process-wide, so each case runs in a child process of its own:
 * two fake sessions, a failure escaping one of them, and a report of who was closed and
 * whether the process lived on.
 */
function runChild(body: string): { report: Record<string, unknown>; stderr: string } {
  const here = import.meta.dirname;
  const source = `
    import { BaseConnection, createMemoryLogger } from '@carrier/core';
    import { SessionScope, installProcessGuards } from ${JSON.stringify(join(here, 'resilience.ts'))};
    class Conn extends BaseConnection {
      constructor(name) { super({ protocol: 'telnet', remoteAddress: '192.0.2.1', id: name }); }
      sendRaw() { return true; }
      endTransport() {}
    }
    const log = createMemoryLogger();
    const scope = new SessionScope();
    const a = new Conn('conn-a'), b = new Conn('conn-b');
    const closed = [];
    const session = (conn, id) => ({ id, conn, disconnect: (reason) => { closed.push(id + ': ' + reason); conn.close(reason); } });
    const sessions = [session(a, 's-a'), session(b, 's-b')];
    installProcessGuards({ log, scope, board: () => ({ sessions: () => sessions }) });
    ${body}
    setTimeout(() => {
      const errors = log.lines.filter((l) => l.event.startsWith('process.'));
      process.stdout.write(JSON.stringify({ closed, aClosed: a.closed, bClosed: b.closed, errors: errors.map((e) => ({ event: e.event, session: e.session, message: e.err?.message })) }));
    }, 100);
  `;
  const r = spawnSync(process.execPath, ['--conditions=carrier-src', '--import', 'tsx', '--input-type=module', '-e', source], {
    // Resolve @carrier/* the way this package does.
    cwd: join(here, '..', '..'),
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return { report: JSON.parse(r.stdout) as Record<string, unknown>, stderr: r.stderr };
}

describe('a failure that escapes one session', () => {
  it('an unhandled rejection is logged with its session and closes that session only', () => {
    const { report } = runChild(`
      scope.run(a, () => { setTimeout(() => { void (async () => { throw new Error('script forgot an await'); })(); }, 5); });
      scope.run(b, () => { setTimeout(() => undefined, 5); });
    `);
    assert.deepEqual(report['closed'], ['s-a: internal error']);
    assert.equal(report['aClosed'], true);
    assert.equal(report['bClosed'], false);
    assert.deepEqual(report['errors'], [{ event: 'process.unhandled_rejection', session: 's-a', message: 'script forgot an await' }]);
  });

  it('an uncaught exception in a session timer closes that session; the process lives on', () => {
    const { report } = runChild(`
      scope.run(b, () => { setTimeout(() => { throw new Error('timer blew up'); }, 5); });
    `);
    assert.deepEqual(report['closed'], ['s-b: internal error']);
    assert.equal(report['aClosed'], false);
    assert.deepEqual(report['errors'], [{ event: 'process.uncaught_exception', session: 's-b', message: 'timer blew up' }]);
  });

  it('a rejection from outside any session is logged and closes nobody', () => {
    const { report } = runChild(`void Promise.reject(new Error('background job failed'));`);
    assert.deepEqual(report['closed'], []);
    assert.deepEqual(report['errors'], [{ event: 'process.unhandled_rejection', message: 'background job failed' }]);
  });
});
