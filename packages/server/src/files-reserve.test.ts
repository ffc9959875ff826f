// An upload's name is refused while another upload of that name by the same caller waits
// for the sysop, however many are waiting (the check read only the first page of 1,000);
// another caller's upload of that name waits beside it.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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
async function withFiles(fn: (files: BoardFiles, store: Store, user: User) => Promise<void>, filesYaml?: (dataDir: string) => string): Promise<void> {
  const store = await openStore(await sqlite.fresh());
  const dataDir = await mkdtemp(join(tmpdir(), 'carrier-reserve-'));
  try {
    const file = join(dataDir, 'files.yaml');
    if (filesYaml) await writeFile(file, filesYaml(dataDir));
    const files = new BoardFiles({ file, parse: parseMenuYaml, dataDir, store, log: silentLogger });
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
      assert.match(r.ok ? '' : r.reason, /you already have a file with this name waiting for the sysop/);
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

  it("another caller's upload of the same name waiting for the sysop is no refusal: both wait, apart; the uploader's own twice is refused", async () => {
    await withFiles(async (files, store, alice) => {
      const bob = await store.users.create({ handle: 'bob', password: 'correct-horse-7', level: LEVELS.user });
      const send = async (who: User, name: string, bytes: string): Promise<string> => {
        const slot = await files.reserveUpload(who, name);
        if (!slot.ok) return slot.reason;
        await writeFile(slot.value.path, bytes);
        const done = await files.finishUpload(who, slot.value);
        return done.ok ? 'kept' : done.reason;
      };
      assert.equal(await send(alice, 'Same.zip', 'alice wrote this'), 'kept');
      assert.equal(await send(bob, 'same.ZIP', 'bob wrote this'), 'kept', "bob's upload is not refused because of alice's");
      assert.equal(await send(alice, 'SAME.zip', 'alice again'), 'you already have a file with this name waiting for the sysop');
      const pending = await store.files.pendingUploads();
      assert.deepEqual(pending.map((u) => [u.userId, u.name]), [[alice.id, 'Same.zip'], [bob.id, 'same.ZIP']]);
      assert.deepEqual(await Promise.all(pending.map(async (u) => readFile(await files.quarantinePath(u), 'utf8'))), ['alice wrote this', 'bob wrote this']);
      // Both approved into one area: the second is refused there by name (the index is
      // case-blind, the folder is not), and still waits.
      await files.approve(pending[0]!.id, 'uploads');
      await assert.rejects(files.approve(pending[1]!.id, 'uploads'), /Uploads already has a file named Same\.zip/);
      assert.deepEqual((await store.files.pendingUploads()).map((u) => u.userId), [bob.id]);
      assert.deepEqual(await readdir((await files.area('uploads'))!.folder), ['Same.zip']);
      assert.equal((await store.files.find('uploads', 'same.zip'))?.uploaderId, alice.id);
      // Now in an area: refused for everyone, the area named.
      assert.equal(await send(alice, 'same.zip', 'again'), 'a file with this name is already in Uploads');
    });
  });

  it('a name in an area the caller may not list is refused without naming that area', async () => {
    await withFiles(
      async (files, store, user) => {
        await writeFile(join((await files.area('secret'))!.folder, 'plans.txt'), 'sysop only');
        await files.scan('secret');
        assert.deepEqual(await files.reserveUpload(user, 'plans.txt'), { ok: false, reason: 'a file with this name is already in a file area' });
        const sysop = await store.users.create({ handle: 'boss', password: 'correct-horse-7', level: LEVELS.sysop });
        assert.deepEqual(await files.reserveUpload(sysop, 'plans.txt'), { ok: false, reason: 'a file with this name is already in Sysop Stash' });
      },
      (dataDir) =>
        [
          'areas:',
          `  - { tag: uploads, name: Uploads, folder: ${JSON.stringify(join(dataDir, 'uploads'))} }`,
          `  - { tag: secret, name: Sysop Stash, folder: ${JSON.stringify(join(dataDir, 'secret'))}, list: sysop }`,
          '',
        ].join('\n'),
    );
  });
});
