import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isCarrierError } from '@carrier/core';
import { MAX_RECENT_ONELINERS, ONELINER_MAX_LENGTH } from './oneliners.js';
import { openStore, type Store } from './store.js';
import { testBackends } from './test-backends.js';

const { backends, skipped } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
if (skipped !== null) test('PostgreSQL oneliners', { skip: skipped }, () => undefined);

const T0 = 1_704_067_200_000;

for (const backend of backends) {
  describe(`oneliners on ${backend.kind}`, () => {
    let store: Store;
    let now = T0;
    before(async () => {
      store = await openStore({ ...(await backend.fresh()), clock: () => now });
    });
    after(() => store.close());

    test('a oneliner is stored with its author and time, and the wall lists the newest first', async () => {
      const user = await store.users.create({ handle: 'Acid Burn', password: 'crash override 1' });
      now = T0 + 1000;
      const first = await store.oneliners.add({ userId: user.id, handle: user.handle, text: 'hack the planet' });
      now = T0 + 2000;
      const second = await store.oneliners.add({ handle: 'guest', text: 'mess with the best' });
      assert.deepEqual(first, { id: first.id, userId: user.id, handle: 'Acid Burn', text: 'hack the planet', createdAt: T0 + 1000 });
      assert.equal(second.userId, null);
      const wall = await store.oneliners.recent(2);
      assert.deepEqual(wall.map((o) => o.text), ['mess with the best', 'hack the planet']);
      assert.deepEqual(wall[1], first);
    });

    test('escape sequences and control bytes are removed and the text is cut to the cap', async () => {
      const o = await store.oneliners.add({ handle: 'x', text: `\x1b[2J\x1b[31mred\x07 ${'y'.repeat(500)}` });
      assert.ok(o.text.startsWith('red y'));
      assert.equal([...o.text].length, ONELINER_MAX_LENGTH);
      const [stored] = await store.oneliners.recent(1);
      assert.equal(stored?.text, o.text);
    });

    test('a line with nothing printable is refused with VALIDATION', async () => {
      await assert.rejects(store.oneliners.add({ handle: 'x', text: ' \x1b[2J\r\n ' }), (e) => isCarrierError(e, 'VALIDATION'));
    });

    test('the sysop deletes one; deleting it again says there was nothing', async () => {
      const o = await store.oneliners.add({ handle: 'spammer', text: 'buy my warez' });
      assert.equal(await store.oneliners.remove(o.id), true);
      assert.equal(await store.oneliners.remove(o.id), false);
      assert.ok(!(await store.oneliners.recent(50)).some((r) => r.id === o.id));
      assert.equal(await store.oneliners.remove(Number.NaN), false);
    });

    test('a deleted account leaves its oneliners on the wall without the link', async () => {
      const u = await store.users.create({ handle: 'Fleeting', password: 'here today 123' });
      const o = await store.oneliners.add({ userId: u.id, handle: u.handle, text: 'gone tomorrow' });
      await store.knex('users').where({ id: u.id }).delete();
      const again = (await store.oneliners.recent(MAX_RECENT_ONELINERS)).find((r) => r.id === o.id);
      assert.equal(again?.userId, null);
      assert.equal(again?.handle, 'Fleeting');
    });

    test('invisible-only lines (Hangul filler, Braille blank, zero-width) are refused', async () => {
      for (const text of ['\u3164\u3164', '\u2800', '\u200b\u200d', ' \u3164 \u200b ']) {
        await assert.rejects(store.oneliners.add({ handle: 'ghost', text }), (e) => isCarrierError(e, 'VALIDATION'), JSON.stringify(text));
      }
    });

    test('one caller may hold only perCaller of the lines on the wall; others still post', async () => {
      for (let i = 0; i < 3; i++) await store.oneliners.add({ handle: 'Flooder', text: `line ${i}` });
      await assert.rejects(
        store.oneliners.add({ handle: 'FLOODER', text: 'one too many' }),
        (e) => isCarrierError(e, 'LIMIT_EXCEEDED') && /3 of the last 20/.test(e.message),
      );
      await store.oneliners.add({ handle: 'Someone Else', text: 'still room for me' });
    });

    test('the table keeps the newest `keep` rows, and older pages can be read back', async () => {
      const small = await openStore({ ...(await backend.fresh()), clock: () => now, oneliners: { keep: 25, perCaller: 20 } });
      try {
        for (let i = 0; i < 60; i++) await small.oneliners.add({ handle: `u${i % 7}`, text: `n${i}` });
        const all = await small.oneliners.recent(MAX_RECENT_ONELINERS);
        assert.equal(all.length, 25);
        assert.equal(all[0]?.text, 'n59');
        assert.equal(all.at(-1)?.text, 'n35');
        const older = await small.oneliners.recent(20, { beforeId: all[19]!.id });
        assert.deepEqual(older.map((o) => o.text), ['n39', 'n38', 'n37', 'n36', 'n35']);
      } finally {
        await small.close();
      }
    });

    test('recent clamps its limit', async () => {
      assert.deepEqual(await store.oneliners.recent(0), []);
      assert.deepEqual(await store.oneliners.recent(-3), []);
      assert.ok((await store.oneliners.recent(1e9)).length <= MAX_RECENT_ONELINERS);
    });
  });
}
