// Benchmark: the sysop's spy. A caller types a key at the login prompt; the time until
// its echo arrives on a control client spying on that node (p50, p99).
//   node --conditions=carrier-src --import tsx tools/bench/spy-latency.ts [--n 300]
// Starts its own carrier (temp data dir, port 0), built sources through tsx.
import { startCarrier } from '../../tests/harness.js';
import { RawTelnet } from '../../tests/raw-telnet.js';
import { RawControl } from '../../tests/sysop/control-support.js';
import { percentile, sleep } from './stats.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const n = arg('n', 300);
const board = await startCarrier({ logLevel: 'info' });
try {
  const caller = await RawTelnet.connect({ port: board.ports.telnet!, terminalType: 'xterm-256color', size: { cols: 80, rows: 25 } });
  const deadline = Date.now() + 20_000;
  while (!caller.text().includes('login:')) {
    if (Date.now() > deadline) throw new Error('no login prompt');
    await sleep(10);
  }
  const control = await RawControl.connect(board.dataDir);
  control.keepAlive();
  const who = (await control.ok('who')) as { node: number }[];
  const spy = (await control.ok('spy', { node: who[0]!.node })) as { stream: number };
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const ch = 'abcdefghijklmnopqrstuvwxyz'[i % 26]!;
    const from = control.messages.length;
    const t0 = performance.now();
    caller.send(ch);
    // Event-driven (RawControl.waitFor polls every 20 ms, which would be the whole figure).
    await new Promise<void>((resolve, reject) => {
      const seen = (): boolean =>
        control.messages.slice(from).some((m) => m['stream'] === spy.stream && m['event'] === 'data' && Buffer.from(m['data'] as string, 'base64').toString('latin1').includes(ch));
      const timer = setTimeout(() => reject(new Error('no echo on the spy within 5 s')), 5_000);
      const onData = (): void => {
        if (!seen()) return;
        clearTimeout(timer);
        control.socket.off('data', onData);
        resolve();
      };
      control.socket.on('data', onData);
    });
    samples.push(performance.now() - t0);
    // Keep the line short of the login prompt's limit.
    if (i % 20 === 19) {
      caller.send('\x7f'.repeat(20));
      await sleep(50);
    }
  }
  console.log(JSON.stringify({ bench: 'spy-latency', n, p50ms: +percentile(samples, 50).toFixed(2), p99ms: +percentile(samples, 99).toFixed(2), maxms: +Math.max(...samples).toFixed(2) }));
  control.close();
  caller.close();
} finally {
  await board.stop();
}
