// One carrier replica's first start on a shared data volume, reduced to its host keys:
// PID 1 like every container's carrier. Says READY once loaded, starts when a line arrives
// on stdin, then prints the fingerprints of the keys it will serve (host-key-race.test.ts).
import { createHash } from 'node:crypto';
import { ensureHostKeys } from '@carrier/ssh';

const [dataDir] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: host-key-race.fixture.ts <dataDir>');
Object.defineProperty(process, 'pid', { value: 1 });
process.stdout.write('READY\n');
await new Promise((r) => process.stdin.once('data', r));
process.stdin.pause();
const keys = await ensureHostKeys(dataDir);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
process.stdout.write(`${JSON.stringify({ ed25519: sha(keys.ed25519), rsa: sha(keys.rsa) })}\n`);
