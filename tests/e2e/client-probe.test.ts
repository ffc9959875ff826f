// `carrier probe` against a running carrier on loopback: it finds the telnet, ssh and
// rlogin front ends among closed ports and names each one correctly.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { probeHost } from '@carrier/client';
import { startCarrier, type Carrier } from '../harness.js';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('probing a carrier on loopback', () => {
  let board: Carrier;
  before(async () => {
    board = await startCarrier({ ssh: true, rlogin: true });
  });
  after(() => board.stop());

  it('names the telnet, ssh and rlogin ports and the options telnet asks for', async () => {
    const { telnet, ssh, rlogin } = board.ports as Required<Carrier['ports']>;
    const closed = await freePort();
    const report = await probeHost({ host: '127.0.0.1', ports: [telnet, ssh, rlogin, closed], timeoutMs: 3000 });
    const by = new Map(report.open.map((p) => [p.port, p]));
    assert.equal(by.get(telnet)?.service, 'telnet');
    assert.match(by.get(telnet)!.detail, /^asks WILL ECHO, WILL SGA, DO SGA, .*DO TTYPE, DO NAWS/);
    assert.equal(by.get(ssh)?.service, 'ssh');
    assert.match(by.get(ssh)!.detail, /^SSH-2\.0-/);
    assert.equal(by.get(rlogin)?.service, 'rlogin');
    assert.equal(report.open.length, 3);
    assert.equal(report.closed, 1);
  });

  it('prints the same from the carrier probe verb', async () => {
    const r = await board.cli(['probe', '127.0.0.1', `${board.ports.telnet},${board.ports.ssh}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^127\.0\.0\.1: 2 ports, 2 open, 0 closed, 0 no answer/);
    assert.match(r.stdout, new RegExp(`^${board.ports.telnet}\\s+telnet\\s+asks WILL ECHO`, 'm'));
    assert.match(r.stdout, new RegExp(`^${board.ports.ssh}\\s+ssh\\s+SSH-2\\.0-`, 'm'));
  });

  it('refuses a bad port list as a usage error', async () => {
    const r = await board.cli(['probe', '127.0.0.1', '99999']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /ports are 1-65535/);
  });
});
