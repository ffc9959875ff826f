import assert from 'node:assert/strict';
import net from 'node:net';
import { it } from 'node:test';
import { DEFAULT_LIMITS, createMemoryLogger } from '@carrier/core';
import { TelnetServer } from './telnet-server.js';
it('x', async () => {
  const log = createMemoryLogger();
  const server = new TelnetServer({ host: '127.0.0.1', port: 0, limits: DEFAULT_LIMITS, log, gate: () => ({ allow: false, reason: 'x' }) });
  console.log('a');
  const { port } = await server.listen();
  console.log('b', port);
  const s = net.connect(port, '127.0.0.1');
  await new Promise((r) => s.on('close', r));
  console.log('c');
  await server.close();
  console.log('d');
});
