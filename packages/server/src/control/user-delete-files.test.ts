// Deleting an account and its file-area uploads: what waits in quarantine goes (file and
// row), what the sysop approved stays, credited to no one; files left by a delete made
// without the board's folders are swept later.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@carrier/core';
import { BoardFiles } from '@carrier/engine';
import { LEVELS, openStore, type Store, type User } from '@carrier/store';
import { testBackends } from '@carrier/store/testing';
import { parseMenuYaml } from '../menu-yaml.js';
import { deleteUser } from './user-admin.js';

const { backends, skipped } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
if (skipped !== null) it('PostgreSQL account uploads', { skip: skipped }, () => undefined);

const PW = 'correct-horse-7';

/** One upload by `user` through the board's own path (reserve, bytes, finish) into quarantine. */
async function upload(files: BoardFiles, user: User, name: string, text: string): Promise<number> {
  const slot = await files.reserveUpload(user, name);
  assert.ok(slot.ok, slot.ok ? '' : slot.reason);
  await writeFile(slot.value.path, text);
  const done = await files.finishUpload(user, slot.value);
  assert.ok(done.ok, done.ok ? '' : done.reason);
  return done.value.id;
}

for (const backend of backends) {
  describe(`deleting an account with uploads on ${backend.kind}`, () => {
    let store: Store;
    let dataDir: string;
    let files: BoardFiles;
    let quarantine: string;
    before(async () => {
      store = await openStore(await backend.fresh());
      dataDir = await mkdtemp(join(tmpdir(), 'carrier-user-files-'));
      files = new BoardFiles({ file: join(dataDir, 'no-files.yaml'), parse: parseMenuYaml, dataDir, store, log: silentLogger });
      await files.ensureFolders();
      quarantine = (await files.config()).quarantine;
      await store.users.create({ handle: 'Holmes', password: PW, level: LEVELS.sysop });
    });
    after(async () => {
      await store?.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    const waiting = async (): Promise<string[]> => (await readdir(quarantine, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);

    it('removes the pending uploads (files and rows) and keeps the approved ones, credited to no one', async () => {
      const alice = await store.users.create({ handle: 'alice', password: PW, level: LEVELS.user });
      const kept = await store.users.create({ handle: 'bob', password: PW, level: LEVELS.user });
      await upload(files, alice, 'waiting-1.txt', 'first');
      await upload(files, alice, 'waiting-2.txt', 'second');
      const approvedId = await upload(files, alice, 'approved.txt', 'the sysop said yes');
      await upload(files, kept, 'bobs.txt', 'not alice');
      await files.approve(approvedId, 'general');
      assert.equal((await waiting()).length, 3);

      const r = await deleteUser(store, 'alice', files);
      assert.equal(r.uploadsDeleted, 2);
      const left = await waiting();
      assert.equal(left.length, 1, `only bob's upload waits: ${left.join(', ')}`);
      assert.match(left[0]!, /-bobs\.txt$/);
      assert.deepEqual((await store.files.pendingUploads()).map((u) => u.name), ['bobs.txt']);
      assert.equal(Number(((await store.knex('file_uploads').where({ user_id: alice.id }).count({ n: '*' }).first()) as { n: number | string }).n), 0);
      const entry = await store.files.find('general', 'approved.txt');
      assert.equal(entry?.uploaderId, null);
      assert.ok((await stat(join(dataDir, 'files', 'general', 'approved.txt'))).isFile());
    });

    it('a delete made without the folders leaves files that the quarantine sweep removes once they are old', async () => {
      const carol = await store.users.create({ handle: 'carol', password: PW, level: LEVELS.user });
      await upload(files, carol, 'orphan.txt', 'left behind');
      await writeFile(join(quarantine, 'notes-by-the-sysop.txt'), 'not an upload: never swept');
      await deleteUser(store, 'carol');
      const orphan = (await waiting()).find((n) => n.endsWith('-orphan.txt'));
      assert.ok(orphan);
      assert.equal(await files.sweepQuarantine(), 0, 'too young: it could be an upload between its rename and its row');
      const old = new Date(Date.now() - 60 * 60 * 1000);
      await utimes(join(quarantine, orphan), old, old);
      await utimes(join(quarantine, 'notes-by-the-sysop.txt'), old, old);
      for (const n of await waiting()) if (n.endsWith('-bobs.txt')) await utimes(join(quarantine, n), old, old);
      assert.equal(await files.sweepQuarantine(), 1);
      const left = await waiting();
      assert.ok(!left.includes(orphan));
      assert.ok(left.includes('notes-by-the-sysop.txt'));
      assert.ok(left.some((n) => n.endsWith('-bobs.txt')), "bob's pending upload stays");
    });
  });
}
