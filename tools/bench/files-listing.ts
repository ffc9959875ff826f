// Listing an area of 10,000 files: the time from a caller's `L` to the first page drawn
// (the page's prompt arrived), over telnet with the client library, the index in SQLite
// (or PostgreSQL with DATABASE_URL). Each sample is `L` -> first page, then `Q` back,
// paced under the per-session key rate.
// Run: node --conditions=carrier-src --import tsx tools/bench/files-listing.ts [--files 10000] [--n 200] [--runs 3]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { telnetToFiles } from '../../tests/e2e/files-support.js';
import { startCarrier } from '../../tests/harness.js';
import { percentile, sleep } from './stats.js';

const { values } = parseArgs({
  options: { files: { type: 'string', default: '10000' }, n: { type: 'string', default: '200' }, runs: { type: 'string', default: '3' } },
});
const FILES = Number(values.files);
const N = Number(values.n);
const RUNS = Number(values.runs);

const dir = await mkdtemp(join(tmpdir(), 'carrier-bench-listing-'));
const area = join(dir, 'big');
await mkdir(area);
for (let i = 0; i < FILES; i += 500) {
  await Promise.all(
    Array.from({ length: Math.min(500, FILES - i) }, (_, k) => {
      const n = i + k;
      return writeFile(join(area, `file${String(n).padStart(5, '0')}.zip`), `file ${n}\n`).then(() =>
        writeFile(join(area, `file${String(n).padStart(5, '0')}.zip.desc`), `Description of file number ${n}, a one-liner\n`),
      );
    }),
  );
}
await writeFile(join(dir, 'files.yaml'), `quarantine: ${JSON.stringify(join(dir, 'q'))}\nareas:\n  - { tag: big, name: Big, folder: ${JSON.stringify(area)}, list: 10 }\n`);
const t0 = performance.now();
const board = await startCarrier({ yaml: `files: { file: ${JSON.stringify(join(dir, 'files.yaml'))} }`, logLevel: 'info' });
const scanned = await board.waitForLog((l) => l.event === 'files.scanned' && l.area === 'big', 600_000);
console.log(`indexed ${String(scanned.added)} files in ${((performance.now() - t0) / 1000).toFixed(1)} s (start-up scan)`);
await board.addUser('bench', 'correct horse battery');

const { c, head } = await telnetToFiles({ port: board.ports.telnet!, timeout: 60_000, maxBuffer: 1024 * 1024, cols: 80, rows: 24, handle: 'bench', password: 'correct horse battery' });
if (!head.includes(`${FILES} files`)) throw new Error(`the area does not show ${FILES} files: ${head.slice(-300)}`);

const rows: string[] = [];
for (let run = 1; run <= RUNS; run++) {
  const times: number[] = [];
  for (let i = 0; i < N + 10; i++) {
    const start = performance.now();
    c.write('l');
    // The page's prompt comes after its rows: "[T]ag [Enter] more [Q]uit: ".
    const page = await c.readUntil('uit: ').catch((err: unknown) => {
      throw new Error(`no first page at sample ${i} of run ${run}: ${String(err)}`);
    });
    const ms = performance.now() - start;
    if (!page.includes('file00000.zip') || !page.includes('more')) throw new Error(`not a first page: ${page.slice(-400)}`);
    if (i >= 10) times.push(ms); // the first few warm the caches
    c.write('q');
    await c.readUntil('uit: ').catch((err: unknown) => {
      throw new Error(`no area prompt after sample ${i} of run ${run}: ${String(err)}`);
    });
    // Two keys a sample: stay under the per-session key rate (limits.keysPerSecond, 100/s),
    // past which keys are dropped by design.
    await sleep(30);
  }
  const row = `run ${run}: p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms, max ${Math.max(...times).toFixed(1)} ms (n=${times.length}, loadavg ${loadavg()[0]!.toFixed(2)})`;
  console.log(row);
  rows.push(row);
}
await c.close();
await board.stop();
await rm(dir, { recursive: true, force: true });
