// An upload's name is refused while another upload of that name waits for the sysop,
// however many are waiting (the check read only the first page of 1,000).
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { silentLogger } from '@carrier/core';
import { BoardFiles } from '@carrier/engine';
import { LEVELS, MAX_FILE_PAGE, openStore, type Store, type User } from '@carrier/store';
import { testBackends } from '@carrier/store/testing';
import { parseMenuYaml } from './menu-yaml.js';

const { backends } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
const sqlite = backends.find((b) => b.kind === 'sqlite')!;

/** A fresh SQLite store, BoardFiles on a temp data dir and one user, for `fn`; all removed after. */
async function withFiles(fn: (files: BoardFiles, store: Store, user: User) => Promise<void>): Promise<void> {
  const store = await openStore(await sqlite.fresh());
  const dataDir = await mkdtemp(join(tmpdir(), 'carrier-reserve-'));
  try {
    const files = new BoardFiles({ file: join(dataDir, 'no-files.yaml'), parse: parseMenuYaml, dataDir, store, log: silentLogger });
    await files.ensureFolders();
    await fn(files, store, await store.users.create({ handle: 'uploader', password: 'correct-horse-7', level: LEVELS.user }));
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('reserving an upload name', () => {
  it('is refused when an upload of that name waits beyond the first page of pending uploads', async () => {
    await withFiles(async (files, store, user) => {
      const rows = Array.from({ length: MAX_FILE_PAGE + 1 }, (_, i) => ({
        user_id: user.id,
        name: i === MAX_FILE_PAGE ? 'Late.txt' : `early-${i}.txt`,
        size: 1,
        sha256: i.toString(16).padStart(64, '0'),
        stored: `stored-${i}`,
        status: 'pending',
        uploaded_at: Date.now(),
      }));
      for (let i = 0; i < rows.length; i += 200) await store.knex('file_uploads').insert(rows.slice(i, i + 200));
      assert.equal((await store.files.pendingUploads()).length, MAX_FILE_PAGE, 'the first page is full');
      const r = await files.reserveUpload(user, 'LATE.TXT');
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.reason, /already waiting for the sysop/);
      const fresh = await files.reserveUpload(user, 'fresh.txt');
      assert.ok(fresh.ok, fresh.ok ? '' : fresh.reason);
    });
  });

  it('an empty file is refused: when announced as empty, and when it arrives empty (SFTP and scp announce no size)', async () => {
    await withFiles(async (files, store, user) => {
      const announced = await files.reserveUpload(user, 'empty.txt', 0);
      assert.deepEqual(announced, { ok: false, reason: 'the file is empty: nothing was kept' });
      const slot = await files.reserveUpload(user, 'empty.txt');
      assert.ok(slot.ok, slot.ok ? '' : slot.reason);
      await writeFile(slot.value.path, '');
      const done = await files.finishUpload(user, slot.value, 'nothing');
      assert.deepEqual(done, { ok: false, reason: 'the file is empty: nothing was kept' });
      assert.deepEqual(await store.files.pendingUploads(), []);
      assert.deepEqual(await readdir(join((await files.config()).quarantine, 'incoming')), []);
      // The name is free again, and a file with bytes in it is taken.
      const again = await files.reserveUpload(user, 'empty.txt', 3);
      assert.ok(again.ok, again.ok ? '' : again.reason);
      await writeFile(again.value.path, 'abc');
      assert.ok((await files.finishUpload(user, again.value)).ok);
    });
  });
});
