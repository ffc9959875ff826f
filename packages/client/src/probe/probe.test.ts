import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { probeHost } from './probe.js';

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

describe('probing a host', () => {
  const servers: net.Server[] = [];
  const ports: Record<string, number> = {};
  let closedPort = 0;

  before(async () => {
    const make = async (name: string, server: net.Server) => {
      servers.push(server);
      ports[name] = await listen(server);
    };
    await make('telnet', net.createServer((s) => s.write(Buffer.from([255, 251, 1, 255, 253, 31]))));
    await make('ssh', net.createServer((s) => s.write('SSH-2.0-fake_1.0\r\n')));
    await make('http', http.createServer((_req, res) => res.end('hi')));
    await make('rlogin', net.createServer((s) => s.once('data', (d: Buffer) => {
      if (d[0] === 0) s.write(Buffer.from([0]));
      else s.destroy();
    })));
    await make('silent', net.createServer(() => undefined));
    const gone = net.createServer();
    closedPort = await listen(gone);
    await new Promise<void>((r) => gone.close(() => r()));
  });
  after(() => {
    for (const s of servers) {
      (s as http.Server).closeAllConnections?.();
      s.close();
    }
  });

  it('names telnet, SSH, HTTP and rlogin, calls a silent port unknown, and counts a closed one', async () => {
    const report = await probeHost({
      host: '127.0.0.1',
      ports: [ports['telnet']!, ports['ssh']!, ports['http']!, ports['rlogin']!, ports['silent']!, closedPort],
      timeoutMs: 1000,
      // The default, not 300 ms: the fakes run in this process, and a loaded machine's pause
      // between the connect and the banner must not make a talking service look silent.
      bannerWaitMs: 1000,
    });
    assert.equal(report.address, '127.0.0.1');
    const byPort = new Map(report.open.map((p) => [p.port, p]));
    assert.deepEqual(byPort.get(ports['telnet']!), { port: ports['telnet'], service: 'telnet', detail: 'asks WILL ECHO, DO NAWS' });
    assert.deepEqual(byPort.get(ports['ssh']!), { port: ports['ssh'], service: 'ssh', detail: 'SSH-2.0-fake_1.0' });
    assert.equal(byPort.get(ports['http']!)?.service, 'http');
    assert.match(byPort.get(ports['http']!)!.detail, /^HTTP\/1\.1 200 OK/);
    assert.equal(byPort.get(ports['rlogin']!)?.service, 'rlogin');
    assert.deepEqual(byPort.get(ports['silent']!), { port: ports['silent'], service: 'unknown', detail: 'silent' });
    assert.equal(report.open.length, 5);
    assert.equal(report.closed, 1);
  });
});
