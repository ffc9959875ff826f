// Benchmark: a resize storm in a full-screen view (issue 11 item 1).
//   node --conditions=carrier-src --import tsx tools/bench/view-resize-storm.ts [--view online|chat] [--proto telnet|ssh] [--runs 3]
// Starts the hostile battery's board (sources, temp data dir, port 0). For each run a
// caller logs in, opens the view (W: who's online, C: chat) and sends the storm:
// over telnet 950 NAWS in 2 s alternating 500x300 and 480x290; over ssh 40 window-changes
// at 20/s at about 499x298. A well-behaved caller types at `login:` meanwhile (a key every
// 25 ms). Printed per run: server CPU seconds from the storm's start until the view answers
// a key again, the server's RSS high-water growth (VmHWM reset before), and the good
// caller's echo p50/p90/p99/max.
import { memoryOf, MiB, resetPeak } from '../../tests/hostile/support/memory.js';
import { ACCOUNTS, startBattery } from '../../tests/hostile/support/battery.js';
import { cpuSecondsOf, EchoProbe, percentileOf, SSH_STORM, storm, StormSsh, StormTelnet, TELNET_STORM } from '../../tests/hostile/support/storm.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : def;
}
const VIEW = arg('view', 'online') as 'online' | 'chat';
const PROTO = arg('proto', 'telnet') as 'telnet' | 'ssh';
const RUNS = Number(arg('runs', '3'));
const OPEN = { online: { key: 'w', shows: "Who's online -" }, chat: { key: 'c', shows: '/help for commands' } } as const;

// The good caller waits at `login:`: its deadline must outlast the worst storm.
const battery = await startBattery({ session: { loginTimeout: '10m', idleTimeout: '10m' } });
const pid = battery.board.process.pid!;
try {
  for (let run = 1; run <= RUNS; run++) {
    const account = ACCOUNTS[run % ACCOUNTS.length]!;
    const from = battery.attacker();
    const c = PROTO === 'telnet' ? await StormTelnet.connect(battery.ports.telnet!, from) : await StormSsh.connect(battery.ports.ssh!, from, account.handle, account.password);
    if (c instanceof StormTelnet) await c.login(account.handle, account.password);
    await c.type(OPEN[VIEW].key, OPEN[VIEW].shows, 30_000);
    const probe = await EchoProbe.start(battery.ports.telnet!);
    const rssBefore = memoryOf(pid).rss;
    resetPeak(pid);
    const cpu0 = cpuSecondsOf(pid);
    const t0 = Date.now();
    await storm(c, PROTO === 'telnet' ? TELNET_STORM : SSH_STORM);
    const stormMs = Date.now() - t0;
    // The board is through the storm once the view answers a key (D: do-not-disturb; in chat a typed x).
    const from2 = c.mark();
    c.send(VIEW === 'online' ? 'd' : 'x');
    await c.waitFor(VIEW === 'online' ? 'disturb' : 'x', 600_000, from2);
    const cpu = cpuSecondsOf(pid) - cpu0;
    const settledMs = Date.now() - t0;
    const echoes = await probe.stop();
    const peak = memoryOf(pid).peak;
    console.log(
      `${VIEW}/${PROTO} run ${run}: storm sent in ${stormMs} ms, view answering after ${settledMs} ms, server CPU ${cpu.toFixed(2)} s, ` +
        `RSS ${(rssBefore / MiB).toFixed(0)} MiB -> peak +${((peak - rssBefore) / MiB).toFixed(1)} MiB, ` +
        `echo p50 ${percentileOf(echoes, 50).toFixed(1)} ms p90 ${percentileOf(echoes, 90).toFixed(1)} ms p99 ${percentileOf(echoes, 99).toFixed(1)} ms max ${Math.max(...echoes).toFixed(0)} ms (${echoes.length} keys)`,
    );
    c.close();
    await new Promise((r) => setTimeout(r, 1000));
  }
} finally {
  await battery.stop();
}
