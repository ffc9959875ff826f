import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputBusyError, InputRouter } from './input-router.js';

function router(opts: { view?: boolean; intercept?: boolean } = {}) {
  const seen = { queued: [] as string[], touches: 0, released: 0 };
  const r = new InputRouter({
    viewOpen: () => opts.view ?? false,
    intercept: () => opts.intercept ?? false,
    queue: (b) => seen.queued.push(b.toString()),
    touch: () => seen.touches++,
    released: () => seen.released++,
  });
  return { r, seen };
}

describe('where a caller\'s input goes', () => {
  it('queues keys for the scripts, but not while a view reads them or the social layer took them', () => {
    const plain = router();
    plain.r.push(Buffer.from('a'));
    assert.deepEqual(plain.seen.queued, ['a']);
    const view = router({ view: true });
    view.r.push(Buffer.from('b'));
    const answered = router({ intercept: true });
    answered.r.push(Buffer.from('\x19'));
    assert.deepEqual([view.seen.queued, answered.seen.queued], [[], []]);
    assert.equal(view.seen.touches + answered.seen.touches, 2, 'every byte counts for the idle clock');
  });

  it('holds input while a door runs (holds nest; a release counts once) and shows held notices after', () => {
    const { r, seen } = router();
    const first = r.hold();
    const second = r.hold();
    r.push(Buffer.from('x'));
    first();
    first();
    assert.equal(r.held, true);
    r.push(Buffer.from('y'));
    second();
    assert.equal(r.held, false);
    r.push(Buffer.from('z'));
    assert.deepEqual(seen.queued, ['z']);
    assert.equal(seen.released, 2);
  });

  it('refuses the raw input to anyone while a door holds it, and says so', () => {
    const { r } = router();
    const release = r.hold();
    assert.throws(() => r.takeRaw(() => undefined), (err: unknown) => err instanceof InputBusyError && err.what === 'a door');
    release();
    r.takeRaw(() => undefined)();
  });

  it('gives the raw bytes to one transfer at a time, then the keys come back', () => {
    const { r, seen } = router({ view: true });
    const raw: string[] = [];
    const restore = r.takeRaw((b) => raw.push(b.toString()));
    assert.throws(() => r.takeRaw(() => undefined), /another sink/);
    r.push(Buffer.from('\x18\x18'));
    restore();
    r.push(Buffer.from('q'));
    assert.deepEqual(raw, ['\x18\x18']);
    assert.equal(seen.touches, 2);
    assert.equal(seen.released, 1);
  });

  it('names what has the raw input when it refuses it: the sysop\'s chat is not a file transfer', () => {
    const { r } = router();
    const restore = r.takeRaw(() => undefined, undefined, 'a chat with the sysop');
    assert.throws(
      () => r.takeRaw(() => undefined),
      (err: unknown) => err instanceof InputBusyError && err.what === 'a chat with the sysop' && /another sink already has the input \(a chat with the sysop\)/.test(err.message),
    );
    restore();
    const transfer = r.takeRaw(() => undefined);
    assert.throws(() => r.takeRaw(() => undefined), (err: unknown) => err instanceof InputBusyError && err.what === 'a file transfer');
    transfer();
  });
});
