// /health on the callers' web port says whether the board is up and nothing more; the
// details (pids, memory, bans, callers per protocol, the database pool) are only on the
// private health.port. Real HTTP against a real carrier.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';

describe('/health on the web port and on health.port', () => {
  let board: Carrier;
  let healthPort: number;

  before(async () => {
    board = await startCarrier({ yaml: 'health: { port: 0 }', logLevel: 'info' });
    healthPort = (await board.waitForLog((l) => l['event'] === 'health.listen'))['port'] as number;
  });
  after(async () => {
    await board?.stop();
  });

  it('the web port answers the status alone', async () => {
    const res = await fetch(`http://127.0.0.1:${board.ports.web}/health`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(await res.text(), '{"status":"ok"}\n');
    assert.equal((await fetch(`http://127.0.0.1:${board.ports.web}/health`, { method: 'HEAD' })).status, 200);
  });

  it('health.port keeps the whole report for the sysop', async () => {
    const res = await fetch(`http://127.0.0.1:${healthPort}/health`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string; problems: unknown[]; processes: Array<{ pid: number; rssBytes: number }> };
    assert.equal(body.status, 'ok');
    assert.deepEqual(body.problems, []);
    assert.equal(typeof body.processes[0]?.pid, 'number');
    assert.equal(typeof body.processes[0]?.rssBytes, 'number');
  });
});
