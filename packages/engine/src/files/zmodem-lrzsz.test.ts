// The driver and the pure codec against Debian's lrzsz over pipes: our sender to `rz`,
// `sz` to our receiver, byte for byte.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { receiveFiles, sendFiles } from './zmodem-transfer.js';
import { childWire, lrzsz } from './lrzsz-test-support.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
let haveLrzsz = true;
try {
  execFileSync('sh', ['-c', 'command -v rz && command -v sz'], { stdio: 'ignore' });
} catch {
  haveLrzsz = false;
}

describe('ZMODEM against lrzsz (pipes)', { skip: haveLrzsz ? false : 'lrzsz is not installed (tools/ci-packages.txt)' }, () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carrier-zm-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rz receives a batch of two files intact (one with every byte value, IAC and ZDLE runs)', async () => {
    const out = join(dir, 'rz-out');
    await import('node:fs/promises').then((fs) => fs.mkdir(out));
    const a = Buffer.concat([randomBytes(300_000), Buffer.alloc(5000, 0xff), Buffer.alloc(5000, 0x18), Buffer.from('@\r@\r\x11\x13')]);
    const b = Buffer.from('hello\r\n');
    await writeFile(join(dir, 'a.bin'), a);
    await writeFile(join(dir, 'b.txt'), b);
    const rz = lrzsz('rz', ['-b', '-y'], out);
    const report = await sendFiles(childWire(rz.child), [
      { path: join(dir, 'a.bin'), name: 'a.bin', size: a.length, mtime: 1_700_000_000 },
      { path: join(dir, 'b.txt'), name: 'b.txt', size: b.length },
    ]);
    const code = await rz.exit;
    assert.equal(report.failure, undefined, rz.stderr());
    assert.equal(code, 0, rz.stderr());
    assert.deepEqual(report.files.map((f) => f.status), ['sent', 'sent']);
    assert.equal(sha(await readFile(join(out, 'a.bin'))), sha(a));
    assert.equal(sha(await readFile(join(out, 'b.txt'))), sha(b));
  });

  it('rz -r resumes an interrupted download from where its copy ends', async () => {
    const out = join(dir, 'resume-out');
    await import('node:fs/promises').then((fs) => fs.mkdir(out));
    const a = randomBytes(200_000);
    await writeFile(join(dir, 'r.bin'), a);
    await writeFile(join(out, 'r.bin'), a.subarray(0, 120_000));
    const rz = lrzsz('rz', ['-b', '-r'], out);
    const report = await sendFiles(childWire(rz.child), [{ path: join(dir, 'r.bin'), name: 'r.bin', size: a.length }]);
    assert.equal(await rz.exit, 0, rz.stderr());
    assert.equal(report.files[0]!.status, 'sent');
    // lrzsz resumes at the last whole 1 KiB block of its copy
    assert.ok(report.files[0]!.offset > 100_000 && report.files[0]!.offset <= 120_000, String(report.files[0]!.offset));
    assert.equal(sha(await readFile(join(out, 'r.bin'))), sha(a));
  });

  it('sz sends two files that land where decide() said, intact', async () => {
    const a = randomBytes(250_000);
    const b = Buffer.alloc(70_000, 0xff);
    await writeFile(join(dir, 'up1.bin'), a);
    await writeFile(join(dir, 'up2.bin'), b);
    const sz = lrzsz('sz', ['-8', '-b', 'up1.bin', 'up2.bin'], dir);
    const offered: string[] = [];
    const report = await receiveFiles(childWire(sz.child), {
      decide: async (info) => {
        offered.push(`${info.name}:${info.size}`);
        return { accept: true, path: join(dir, `got-${info.name}`), maxBytes: 1 << 30 };
      },
    });
    assert.equal(await sz.exit, 0, sz.stderr());
    assert.equal(report.failure, undefined);
    assert.deepEqual(offered, ['up1.bin:250000', 'up2.bin:70000']);
    assert.equal(sha(await readFile(join(dir, 'got-up1.bin'))), sha(a));
    assert.equal(sha(await readFile(join(dir, 'got-up2.bin'))), sha(b));
  });

  it('an upload over its cap is cut off, and no partial file is left', async () => {
    const a = randomBytes(100_000);
    await writeFile(join(dir, 'big.bin'), a);
    const sz = lrzsz('sz', ['-b', 'big.bin'], dir);
    const report = await receiveFiles(childWire(sz.child), {
      decide: async () => ({ accept: true, path: join(dir, 'capped.bin'), maxBytes: 50_000 }),
    });
    await sz.exit;
    assert.equal(report.failure?.code, 'TOO_LARGE');
    await assert.rejects(stat(join(dir, 'capped.bin')));
  });

  it('a refused offer is skipped and the next file still arrives', async () => {
    await writeFile(join(dir, 'no.bin'), randomBytes(1000));
    await writeFile(join(dir, 'yes.bin'), Buffer.from('yes'));
    const sz = lrzsz('sz', ['-b', 'no.bin', 'yes.bin'], dir);
    const report = await receiveFiles(childWire(sz.child), {
      decide: async (info) =>
        info.name === 'no.bin' ? { accept: false, reason: 'duplicate' } : { accept: true, path: join(dir, 'got-yes.bin'), maxBytes: 1000 },
    });
    await sz.exit;
    assert.deepEqual(report.files.map((f) => f.status), ['refused', 'received']);
    assert.equal((await readFile(join(dir, 'got-yes.bin'))).toString(), 'yes');
  });
});
