import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CountedLinks } from './counted-links.js';

const mac = (c: string): string => c.repeat(43);

describe('counted download links', () => {
  const dirs: string[] = [];
  after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const folder = async (): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), 'carrier-counted-'));
    dirs.push(d);
    return join(d, 'download-links.counted');
  };

  it('a link counts once between every process on the data dir, even when they race', async () => {
    const dir = await folder();
    const [a, b] = [new CountedLinks(dir), new CountedLinks(dir)];
    const x = Math.floor(Date.now() / 1000) + 600;
    const firsts = await Promise.all([a.first(mac('A'), x), b.first(mac('A'), x), a.first(mac('A'), x), b.first(mac('A'), x)]);
    assert.deepEqual(firsts.filter(Boolean).length, 1);
    assert.equal(await new CountedLinks(dir).first(mac('A'), x), false, 'and after a restart');
    assert.equal(await b.first(mac('B'), x), true, 'another link counts on its own');
  });

  it('markers of expired links are swept; a malformed MAC is never counted', async () => {
    const dir = await folder();
    let now = Date.now();
    const links = new CountedLinks(dir, () => now);
    const soon = Math.floor(now / 1000) + 60;
    assert.equal(await links.first(mac('C'), soon), true);
    assert.equal(await links.first('../../etc/passwd', soon), false);
    now += 11 * 60_000;
    assert.equal(await links.first(mac('D'), soon + 3600), true);
    assert.deepEqual(await readdir(dir), [`${soon + 3600}.${mac('D')}`]);
  });
});
