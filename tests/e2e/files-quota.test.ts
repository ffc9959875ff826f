// The daily upload quota as a caller meets it with several files at once: a ZMODEM batch
// (sz with two files: the board describes and stores them only after the batch) counts
// the files already received in it, so a batch cannot carry more than the quota.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Carrier } from '../harness.js';
import { bridgeLrzsz, startSshFilesBoard, telnetToFiles } from './files-support.js';

let tools = true;
try {
  execFileSync('sh', ['-c', 'command -v sz'], { stdio: 'ignore' });
} catch {
  tools = false;
}

describe('the daily upload quota', { skip: tools ? false : 'needs lrzsz' }, () => {
  let board: Carrier;
  let dir: string;
  const PASSWORD = 'correct horse battery';
  let close: () => Promise<void> = async () => undefined;
  before(async () => {
    ({ board, dir, close } = await startSshFilesBoard({ prefix: 'carrier-quota-', maxFileMiB: 1, dailyQuotaMiB: 1 }));
    await board.addUser('alice', PASSWORD);
  });
  after(() => close());

  it('a ZMODEM batch over the quota: the file that does not fit in what is left is refused, with the reason', async () => {
    const src = await mkdtemp(join(dir, 'sz-'));
    await writeFile(join(src, 'first.bin'), randomBytes(600_000));
    await writeFile(join(src, 'second.bin'), randomBytes(600_000));
    const { c } = await telnetToFiles({ port: board.ports.telnet!, timeout: 30_000, handle: 'alice', password: PASSWORD });
    c.write('u');
    await c.readUntil('Start your ZMODEM upload');
    const sz = bridgeLrzsz(c, 'sz', ['-b', 'first.bin', 'second.bin'], src);
    await sz.exit;
    let said = '';
    for (;;) {
      const text = await c.readUntil(/Describe \S+ in one line: |file\(s\) received/);
      said += text;
      if (/file\(s\) received/.test(text)) break;
      c.writeLine('a file');
    }
    assert.match(said, /Refused second\.bin: the file is larger than what is left of your daily quota/, said);
    assert.match(said, /1 file\(s\) received/, said);
    const pending = (await board.cli(['files', 'pending'])).stdout;
    assert.match(pending, /first\.bin/);
    assert.doesNotMatch(pending, /second\.bin/, 'before, both waited: 1.2 MB on a 1 MiB quota');
    assert.deepEqual((await readdir(join(dir, 'quarantine', 'incoming'))).filter((f) => f.endsWith('.part')), []);
    await c.close();
  });
});
