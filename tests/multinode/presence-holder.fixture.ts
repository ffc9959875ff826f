// A carrier process reduced to its presence: joins the board on Redis under the process id
// it is given, shows one caller in who's online, says READY <node>, then waits to be
// killed with -9 (tests/multinode/process-restart.test.ts).
import { silentLogger } from '@carrier/core';
import { RedisBus } from '@carrier/engine';

const [processId, url, keyPrefix] = process.argv.slice(2);
if (!processId || !url || !keyPrefix) throw new Error('usage: presence-holder.fixture.ts <processId> <redis url> <key prefix>');
const bus = await RedisBus.connect({ url, keyPrefix, processId, log: silentLogger });
const node = await bus.presence.claimNode('ghost-session');
const now = Date.now();
await bus.presence.update({
  sessionId: 'ghost-session',
  node,
  handle: 'ghost',
  protocol: 'telnet',
  activity: 'main menu',
  connectedAt: now,
  lastInputAt: now,
  remoteAddress: '192.0.2.9',
  terminal: { type: 'ansi', cols: 80, rows: 24, encoding: 'cp437' },
  processId,
});
process.stdout.write(`READY ${node}\n`);
setInterval(() => undefined, 60_000);
