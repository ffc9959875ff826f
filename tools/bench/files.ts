// Transfer throughput on loopback: a 100 MiB file downloaded and uploaded by ZMODEM (Debian's
// rz and sz behind the telnet client library; and over rlogin with rz and sz on the connection
// itself, no JavaScript in the path: rlogin_zmodem.py) and by SFTP (OpenSSH sftp get and put), with
// carrier's CPU seconds and its RSS sampled during the transfer. An upload is timed until the
// board has it in quarantine (ZMODEM: "file(s) received" after the description; SFTP: put's
// close answered). Run: npx tsx --conditions=carrier-src tools/bench/files.ts [MiB] [runs]
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCarrier } from '../../tests/harness.js';
import { bridgeLrzsz, telnetToFiles } from '../../tests/e2e/files-support.js';
import { rssOf } from './stats.js';

const MIB = Number(process.argv[2] ?? 100);
const RUNS = Number(process.argv[3] ?? 3);
const TICK = 100; // clock ticks per second (Linux USER_HZ)

async function cpuSeconds(pid: number): Promise<number> {
  const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}
async function rssMiB(pid: number): Promise<number> {
  return (await rssOf(pid)) / 2 ** 20;
}
async function measure(pid: number, work: () => Promise<void>): Promise<{ s: number; cpu: number; rssMax: number; rssStart: number }> {
  const rssStart = await rssMiB(pid);
  let rssMax = rssStart;
  const timer = setInterval(() => void rssMiB(pid).then((r) => (rssMax = Math.max(rssMax, r))), 200);
  const cpu0 = await cpuSeconds(pid);
  const t0 = performance.now();
  await work();
  const s = (performance.now() - t0) / 1000;
  clearInterval(timer);
  return { s, cpu: (await cpuSeconds(pid)) - cpu0, rssMax, rssStart };
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = await mkdtemp(join(tmpdir(), 'carrier-bench-files-'));
await mkdir(join(dir, 'general'));
const fh = await open(join(dir, 'general', 'big.bin'), 'w');
for (let i = 0; i < MIB; i++) await fh.write(randomBytes(1024 * 1024));
await fh.close();
await mkdir(join(dir, 'uploads'));
// One file per upload, each of new content (the board refuses a file it already has, by
// SHA-256) and of its own name (sz sends the file's name).
const upSrc = await mkdtemp(join(dir, 'up-'));
for (let run = 0; run < RUNS; run++) {
  for (const kind of ['zmodem', 'zmodem-rlogin', 'sftp']) {
    const up = join(upSrc, `${kind}-${run}.bin`);
    await copyFile(join(dir, 'general', 'big.bin'), up);
    const h = await open(up, 'r+');
    await h.write(randomBytes(32), 0, 32, 0);
    await h.close();
  }
}
await writeFile(
  join(dir, 'files.yaml'),
  [
    `quarantine: ${JSON.stringify(join(dir, 'q'))}`,
    `uploads: { level: 10, maxFileMiB: ${MIB + 1}, dailyQuotaMiB: ${(MIB + 1) * RUNS * 3} }`,
    'areas:',
    `  - { tag: general, name: General, folder: ${JSON.stringify(join(dir, 'general'))}, list: 10 }`,
    `  - { tag: uploads, name: Uploads, folder: ${JSON.stringify(join(dir, 'uploads'))}, list: 10 }`,
  ].join('\n') + '\n',
);
const board = await startCarrier({ ssh: true, rlogin: true, yaml: `files: { file: ${JSON.stringify(join(dir, 'files.yaml'))} }`, logLevel: 'info' });
await board.addUser('bench', 'correct horse battery');
const pid = board.process.pid!;
// the start-up scan hashes the file first
await new Promise((r) => setTimeout(r, 3000));

const rows: string[] = [];
function sftp(batch: string[], cwd: string): Promise<void> {
  const file = join(dir, `batch-${Math.random().toString(36).slice(2)}`);
  return writeFile(file, batch.join('\n') + '\n').then(
    () =>
      new Promise<void>((resolve, reject) =>
        execFile(
          'sshpass',
          ['-p', 'correct horse battery', 'sftp', '-o', 'BatchMode=no', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${join(dir, 'kh')}`, '-b', file, '-P', String(board.ports.ssh), 'bench@127.0.0.1'],
          { cwd },
          (err, _out, stderr) => (err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve()),
        ),
      ),
  );
}
/**
 * A caller logged in over rlogin at the file areas' download or upload prompt
 * (rlogin_zmodem.py); `go` runs the transfer, rz or sz on the connection itself.
 */
async function rloginZmodem(mode: 'download' | 'upload', file: string, cwd: string): Promise<{ go: () => Promise<void> }> {
  const child = spawn('python3', [join(import.meta.dirname, 'rlogin_zmodem.py'), String(board.ports.rlogin), 'bench', 'correct horse battery', mode, file, cwd], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const ready = await Promise.race([
    new Promise<true>((resolve) => child.stdout.on('data', () => out.includes('ready\n') && resolve(true))),
    exited.then(() => false),
  ]);
  if (!ready) throw new Error(`rlogin_zmodem.py: ${err}`);
  return {
    go: async () => {
      child.stdin.end('go\n');
      if ((await exited) !== 0) throw new Error(`rlogin_zmodem.py: ${err}`);
    },
  };
}

for (const direction of ['download', 'upload'] as const) {
  for (const kind of ['zmodem', 'zmodem-rlogin', 'sftp'] as const) {
    const results = [];
    for (let run = 0; run < RUNS; run++) {
      const out = await mkdtemp(join(dir, 'out-'));
      if (kind === 'zmodem') {
        const { c } = await telnetToFiles({ port: board.ports.telnet!, timeout: 600_000, maxBuffer: 64 * 1024, handle: 'bench', password: 'correct horse battery' });
        if (direction === 'download') {
          c.write('d');
          await c.readUntil('download from this area:');
          results.push(
            await measure(pid, async () => {
              const rz = bridgeLrzsz(c, 'rz', ['-b', '-y'], out);
              c.writeLine('big.bin');
              if ((await rz.exit) !== 0) throw new Error(rz.stderr());
            }),
          );
        } else {
          c.write('u');
          await c.readUntil('Start your ZMODEM upload');
          const name = `zmodem-${run}.bin`;
          results.push(
            await measure(pid, async () => {
              const sz = bridgeLrzsz(c, 'sz', ['-b', name], upSrc);
              if ((await sz.exit) !== 0) throw new Error(sz.stderr());
              await c.readUntil(`Describe ${name}`);
              c.writeLine('bench upload');
              await c.readUntil(/1 file\(s\) received/);
            }),
          );
        }
        await c.close();
      } else if (kind === 'zmodem-rlogin') {
        const caller = direction === 'download' ? await rloginZmodem('download', 'big.bin', out) : await rloginZmodem('upload', `zmodem-rlogin-${run}.bin`, upSrc);
        results.push(await measure(pid, caller.go));
      } else if (direction === 'download') {
        results.push(await measure(pid, () => sftp(['get /general/big.bin'], out)));
      } else {
        results.push(await measure(pid, () => sftp([`put sftp-${run}.bin /uploads/sftp-${run}.bin`], upSrc)));
      }
      await rm(out, { recursive: true, force: true });
    }
    const s = median(results.map((r) => r.s));
    rows.push(
      `| ${kind} ${direction}, ${MIB} MiB | ${(MIB / s).toFixed(1)} MiB/s | ${median(results.map((r) => r.cpu)).toFixed(1)} s | ${median(results.map((r) => r.rssStart)).toFixed(0)} -> ${median(results.map((r) => r.rssMax)).toFixed(0)} MiB |`,
    );
  }
}
console.log(`| transfer | throughput (median of ${RUNS}) | carrier CPU | carrier RSS before -> peak |\n|---|---|---|---|\n${rows.join('\n')}`);
console.log(`load: ${execFileSync('cat', ['/proc/loadavg']).toString().trim()}`);
await board.stop();
await rm(dir, { recursive: true, force: true });
