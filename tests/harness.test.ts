// The harness's own promise: a board that does not start leaves no process and no data
// folder behind, and the error says why (a suite that failed at start-up used to leave a
// carrier-e2e-* folder in /tmp for each try, and a hung board running until the runner exited).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import { startCarrier, type Carrier, type CarrierOptions } from './harness.js';

/** Boards this test process started that are still running (a child's ppid is ours). */
function ourBoards(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // comm may hold spaces and parentheses: the fields after its closing ')' are state, ppid, …
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (ppid === process.pid && /cli\.(ts|js)/.test(cmdline)) pids.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

async function listening(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

/** startCarrier's error, for a start that must fail. */
async function failedStart(opts: CarrierOptions): Promise<Error> {
  const board = await startCarrier(opts).catch((err: unknown) => err);
  if (board instanceof Error) return board;
  await (board as Carrier).stop();
  assert.fail('the board started');
}

describe('startCarrier when the board does not start', { timeout: 120_000 }, () => {
  // The harness makes its data folder under the system's temp dir: here a private one, so
  // what a failed start leaves behind is seen (and other suites' boards are not).
  const tmp = scratchDir('carrier-harness');
  const savedTmp = process.env['TMPDIR'];
  // (tsx keeps its cache there too)
  const dataFolders = () => readdirSync(tmp).filter((n) => n.startsWith('carrier-e2e-'));
  before(() => {
    process.env['TMPDIR'] = tmp;
  });
  after(() => {
    if (savedTmp === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = savedTmp;
  });

  it('a board that exits (its telnet port is taken): the error quotes why; no folder and no process are left', async () => {
    const squatter = net.createServer();
    const port = await listening(squatter);
    const err = await failedStart({ env: { CARRIER_TELNET_PORT: String(port) } }).finally(() => squatter.close());
    assert.deepEqual(dataFolders(), [], 'the data folder is removed');
    assert.deepEqual(ourBoards(), []);
    assert.match(err.message, /^carrier exited \(1\) before logging board\.started\.\nIts last log lines:\n.*"event":"server\.error".*EADDRINUSE/s);
    assert.match(err.message, new RegExp(`\nstderr: carrier: cannot start the telnet front end on 127\\.0\\.0\\.1:${port}: the address is already in use`));
  });

  it('a board that hangs (a PostgreSQL that never answers) is killed at the start timeout; no folder and no process are left', async () => {
    // Takes the connection and says nothing: the board waits on it (10 s, the store's connect
    // timeout, from when it dials), far past the 2 s the harness is given here.
    const held: net.Socket[] = [];
    const silent = net.createServer((s) => held.push(s));
    const port = await listening(silent);
    const err = await failedStart({ env: { DATABASE_URL: `postgres://carrier@127.0.0.1:${port}/board` }, startTimeoutMs: 2_000 }).finally(() => {
      for (const s of held) s.destroy();
      silent.close();
    });
    assert.deepEqual(dataFolders(), [], 'the data folder is removed');
    assert.deepEqual(ourBoards(), [], 'the board is killed');
    // What it logged before it hung, if it got that far in 2 s, then its stderr.
    assert.match(err.message, /^carrier did not log board\.started within 2000 ms, and was killed\.\n(Its last log lines:\n\{.*\}\n|It logged nothing\.\n)stderr: /s);
  });
});
