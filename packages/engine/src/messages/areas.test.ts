import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MESSAGE_AREAS, findArea, mayPost, mayRead, readableAreas, validateMessageAreas } from './areas.js';
import type { MenuDocument } from '../menu/types.js';

/** A parsed document without a YAML parser: lines are the path's length, enough to see they are passed on. */
const doc = (value: unknown): MenuDocument => ({ value, errors: [], lineOf: (path) => path.length + 1 });

describe('message areas config', () => {
  test('a fresh board: one conference, general for everyone, announcements posted by the sysop', () => {
    const { areas } = DEFAULT_MESSAGE_AREAS.conferences.length === 1 ? { areas: DEFAULT_MESSAGE_AREAS } : { areas: undefined };
    assert.deepEqual(areas?.areas.map((a) => a.tag), ['general', 'announcements']);
    const newUser = { level: 10 };
    const sysop = { level: 90 };
    const general = DEFAULT_MESSAGE_AREAS.areas[0]!;
    const news = DEFAULT_MESSAGE_AREAS.areas[1]!;
    assert.ok(mayPost(general, newUser));
    assert.ok(mayRead(news, newUser) && !mayPost(news, newUser));
    assert.ok(mayPost(news, sysop));
    assert.ok(!mayRead(general, undefined));
  });

  test('levels and sysop are read; access filters listing and typed names alike', () => {
    const { areas, problems } = validateMessageAreas(
      doc({
        postsPerMinute: 3,
        conferences: [
          { name: 'Local', areas: [{ tag: 'general' }, { tag: 'staff', name: 'Staff Room', read: 50, post: 'sysop' }] },
        ],
      }),
    );
    assert.deepEqual(problems, []);
    assert.equal(areas?.postsPerMinute, 3);
    const user = { level: 20 };
    assert.deepEqual(readableAreas(areas!, user).map((a) => a.tag), ['general']);
    assert.equal(findArea(areas!, 'STAFF', user), undefined);
    assert.equal(findArea(areas!, 'staff room', user), undefined);
    assert.equal(findArea(areas!, 'staff room', { level: 90 })?.tag, 'staff');
    assert.equal(areas!.areas[1]!.post, 90);
  });

  test('every problem names its key and line', () => {
    const { areas, problems } = validateMessageAreas(
      doc({
        colour: 'red',
        conferences: [{ name: 'L', areas: [{ tag: 'Bad Tag' }, { tag: 'ok', read: 'lots' }, { tag: 'ok' }, { tag: 'x', typo: 1 }] }],
      }),
    );
    assert.equal(areas, undefined);
    assert.deepEqual(
      problems.map((p) => p.key),
      ['colour', 'conferences[0].areas[0].tag', 'conferences[0].areas[1].read', 'conferences[0].areas[2].tag', 'conferences[0].areas[3].typo'],
    );
    assert.equal(problems[1]?.line, 6);
    assert.deepEqual(validateMessageAreas(doc({ conferences: [] })).problems.map((p) => p.key), ['conferences']);
    assert.equal(validateMessageAreas({ value: undefined, errors: [{ line: 3, message: 'bad indent' }], lineOf: () => undefined }).problems[0]?.line, 3);
  });
});
