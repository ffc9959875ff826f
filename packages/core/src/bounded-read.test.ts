import assert from 'node:assert/strict';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readOpenFileBounded } from './bounded-read.js';
import { ErrorCodes, isCarrierError } from './errors.js';

const dir = await mkdtemp(join(tmpdir(), 'carrier-bounded-'));
after(() => rm(dir, { recursive: true, force: true }));

async function read(path: string, max: number, what?: string) {
  const fh = await open(path, 'r');
  try {
    return await readOpenFileBounded(fh, path, max, what);
  } finally {
    await fh.close();
  }
}

describe('readOpenFileBounded', () => {
  it('reads a file up to the limit whole, with the size it was checked at', async () => {
    const file = join(dir, 'ok.txt');
    await writeFile(file, 'x'.repeat(100));
    const r = await read(file, 100);
    assert.equal(r.bytes.toString(), 'x'.repeat(100));
    assert.equal(r.size, 100);
  });

  it('refuses a file one byte over the limit, naming it as the caller asked', async () => {
    const file = join(dir, 'big.txt');
    await writeFile(file, 'x'.repeat(101));
    await assert.rejects(read(file, 100, `art file ${file}`), (err: unknown) => {
      assert.ok(isCarrierError(err, ErrorCodes.VALIDATION));
      assert.equal(err.message, `art file ${file} is 101 bytes, over the 100-byte limit`);
      assert.deepEqual(err.details, { file, size: 101 });
      return true;
    });
  });

  it('refuses what is not a regular file', async () => {
    await assert.rejects(read(dir, 100), (err: unknown) => isCarrierError(err, ErrorCodes.VALIDATION) && err.message === `${dir} is not a regular file`);
  });
});
