// One load process of `idle --procs N`: parks its share of the callers at the main menu
// and holds them until told to hang up. A process may hold only as many sockets as its
// file-descriptor limit allows (20,000 here), so 20,000 callers need two of these.
//
// Started by scenarios/idle.ts over IPC: argv is port, users, first caller index, count,
// concurrency. It sends { parked } every 1,000, then { done, ms, errors, closedEarly }
// when every login has finished; on 'close' it sends { closedEarly } (callers the board
// hung up while parked), hangs every caller up and exits.
import type { TelnetClient } from '@carrier/client';
import { closeAll, loginCaller, pool, timed } from './callers.js';

const [port, users, first, count, concurrency] = process.argv.slice(2).map(Number) as [number, number, number, number, number];
const send = (msg: unknown) => process.send!(msg);

const parked: TelnetClient[] = [];
let done = 0;
const results = await pool(count, concurrency, async (k) => {
  const { value: c, ms } = await timed(() => loginCaller(port, first + k, users));
  parked.push(c);
  if (++done % 1000 === 0) send({ parked: done });
  return ms;
});
const ms: number[] = [];
const errors: string[] = [];
for (const r of results) {
  if (r.ok) ms.push(r.value);
  else errors.push(r.error instanceof Error ? r.error.message : String(r.error));
}
process.on('message', (msg: { cmd?: string }) => {
  if (msg.cmd !== 'close') return;
  send({ closedEarly: parked.filter((c) => c.closed).length });
  void closeAll(parked).then(() => process.exit(0));
});
send({ done: true, ms, errors, rss: process.memoryUsage().rss });
