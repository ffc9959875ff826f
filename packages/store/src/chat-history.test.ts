import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatHistoryLine } from './chat-history.js';
import { openStore, type Store } from './store.js';
import { testBackends } from './test-backends.js';

const { backends, skipped } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
if (skipped !== null) test('PostgreSQL chat history', { skip: skipped }, () => undefined);

let n = 0;
const line = (room: string, text: string, kind: 'say' | 'me' = 'say'): ChatHistoryLine => ({
  id: `line-${++n}`,
  room,
  handle: 'Cereal',
  node: 3,
  kind,
  text,
  at: 1_704_067_200_000 + n,
});

for (const backend of backends) {
  describe(`chat history on ${backend.kind}`, () => {
    let store: Store;
    before(async () => {
      store = await openStore(await backend.fresh());
    });
    after(() => store.close());

    test('a room replays its newest lines oldest first, exactly as they were said', async () => {
      const said = [line('lobby', 'one'), line('lobby', 'waves', 'me'), line('lobby', 'three')];
      for (const l of said) await store.chatHistory.add(l, 50);
      assert.deepEqual(await store.chatHistory.recent('lobby', 50), said);
      assert.deepEqual((await store.chatHistory.recent('lobby', 2)).map((l) => l.text), ['waves', 'three']);
    });

    test('rooms keep their own histories', async () => {
      await store.chatHistory.add(line('elite', 'only here'), 50);
      assert.deepEqual((await store.chatHistory.recent('elite', 50)).map((l) => l.text), ['only here']);
      assert.ok(!(await store.chatHistory.recent('lobby', 50)).some((l) => l.text === 'only here'));
      assert.deepEqual(await store.chatHistory.recent('empty', 50), []);
    });

    test('a busy room is trimmed to its newest lines, never below what it must keep', async () => {
      for (let i = 0; i < 120; i++) await store.chatHistory.add(line('busy', `line ${i}`), 10);
      const rows = await store.knex('chat_lines').where({ room: 'busy' }).count({ n: '*' });
      const count = Number(rows[0]?.['n']);
      assert.ok(count >= 10 && count <= 10 + 25, `kept ${count} rows`);
      assert.deepEqual(
        (await store.chatHistory.recent('busy', 10)).map((l) => l.text),
        Array.from({ length: 10 }, (_, i) => `line ${110 + i}`),
      );
    });

    test('over-long fields are fitted to their columns instead of failing the insert', async () => {
      await store.chatHistory.add({ ...line('fit', 'x'.repeat(5000)), handle: 'h'.repeat(100), node: -4 }, 50);
      const [l] = await store.chatHistory.recent('fit', 1);
      assert.equal(l?.text.length, 1000);
      assert.equal(l?.handle.length, 32);
      assert.equal(l?.node, 0);
    });
  });
}
