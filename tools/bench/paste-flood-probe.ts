// The good caller of paste-flood.ts, in a process of its own (as a person's terminal is):
// the flooders' echo, parsed in the bench's process, must not delay this caller's clock.
// Started over IPC with the telnet port and the pause between keys (ms) as argv. It
// sends { ready } once at `login:` and typing; on { cmd: 'measure' } it starts keeping
// samples, and on { cmd: 'stop' } it sends { samples } (each key's echo, ms) and exits.
import { EchoProbe } from '../../tests/hostile/support/storm.js';

const [port, everyMs] = process.argv.slice(2).map(Number) as [number, number];
const probe = await EchoProbe.start(port, everyMs);
let skip = 0;
process.on('message', (msg: { cmd?: string }) => {
  if (msg.cmd === 'measure') skip = probe.samples.length;
  if (msg.cmd === 'stop') void probe.stop().then((samples) => process.send!({ samples: samples.slice(skip) }, () => process.exit(0)));
});
// The bench ended without a stop (killed): the IPC channel closes, and nobody is measuring.
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
