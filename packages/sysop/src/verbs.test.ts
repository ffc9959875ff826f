import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkArgs, isVerb, ownAccountRefusal, VERBS } from './verbs.js';

describe('control verbs', () => {
  it('is a closed whitelist', () => {
    assert.equal(isVerb('who'), true);
    for (const name of ['eval', 'constructor', '__proto__', 'toString', '', 42, null]) assert.equal(isVerb(name), false, String(name));
    assert.ok(Object.keys(VERBS).includes('user.reset-password'));
  });
  it('checks types, ranges, required and unknown arguments', () => {
    assert.deepEqual(checkArgs('kick', { node: 3 }), { ok: true, args: { node: 3 } });
    assert.equal(checkArgs('kick', { node: '3' }).ok, false);
    assert.equal(checkArgs('kick', { node: 0 }).ok, false);
    assert.equal(checkArgs('kick', { node: 1.5 }).ok, false);
    assert.equal(checkArgs('kick', {}).ok, false);
    assert.equal(checkArgs('who', { extra: 1 }).ok, false);
    assert.equal(checkArgs('who', []).ok, false);
    assert.equal(checkArgs('message', { node: 1, text: 'x'.repeat(501) }).ok, false);
    assert.equal(checkArgs('chat', { node: 1, action: 'shout' }).ok, false);
    assert.equal(checkArgs('shutdown', { in: '5m' }).ok, true);
    assert.equal(checkArgs('shutdown', { in: 'soon' }).ok, false);
    assert.equal(checkArgs('user.set-flags', { handle: 'a', flags: 'ab' }).ok, false);
    assert.deepEqual(checkArgs('who', undefined), { ok: true, args: {} });
  });
  it("refuses deleting, locking or lowering one's own account, and lets a raise or the same level through", () => {
    assert.match(ownAccountRefusal(90, { kind: 'delete' }) ?? '', /^you cannot delete your own account/);
    assert.match(ownAccountRefusal(90, { kind: 'lock' }) ?? '', /^you cannot lock your own account/);
    assert.match(ownAccountRefusal(90, { kind: 'level', level: 89 }) ?? '', /^you cannot lower the level of your own account/);
    assert.equal(ownAccountRefusal(90, { kind: 'level', level: 90 }), undefined);
    assert.equal(ownAccountRefusal(90, { kind: 'level', level: 100 }), undefined);
  });
});
