// A carrier process reduced to its presence: joins the board on Redis under the process id
// it is given, shows one caller (or [count] callers) in who's online, says READY <node of
// the first>, then waits to be killed with -9 (tests/multinode/process-restart.test.ts,
// heal.test.ts).
import { silentLogger } from '@carrier/core';
import { RedisBus } from '@carrier/engine';

const [processId, url, keyPrefix, countArg] = process.argv.slice(2);
if (!processId || !url || !keyPrefix) throw new Error('usage: presence-holder.fixture.ts <processId> <redis url> <key prefix> [count]');
const bus = await RedisBus.connect({ url, keyPrefix, processId, log: silentLogger });
const count = Number(countArg ?? 1);
const nodes: number[] = [];
for (let i = 0; i < count; i++) {
  const sessionId = i === 0 ? 'ghost-session' : `ghost-session-${i}`;
  const node = await bus.presence.claimNode(sessionId);
  nodes.push(node);
  const now = Date.now();
  await bus.presence.update({
    sessionId,
    node,
    handle: i === 0 ? 'ghost' : `ghost${i}`,
    protocol: 'telnet',
    activity: 'main menu',
    connectedAt: now,
    lastInputAt: now,
    remoteAddress: '192.0.2.9',
    terminal: { type: 'ansi', cols: 80, rows: 24, encoding: 'cp437' },
    processId,
  });
}
process.stdout.write(`READY ${nodes[0]}\n`);
setInterval(() => undefined, 60_000);
