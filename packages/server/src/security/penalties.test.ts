import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_TRACKED, PenaltyBox, type PenaltyConfig } from './penalties.js';

const CFG: PenaltyConfig = {
  authFail: 5,
  noAuth: 1,
  banAt: 30,
  networkBanAt: 90,
  decayPerMinute: 6,
  banForMs: 600_000,
  maxBanMs: 86_400_000,
  delayMs: 1000,
  maxDelayMs: 8000,
};

function box(cfg: Partial<PenaltyConfig> = {}) {
  let now = 1_000_000;
  const b = new PenaltyBox({ ...CFG, ...cfg }, () => now);
  return { b, advance: (ms: number) => (now += ms) };
}

describe('penalties per source', () => {
  it('holds each wrong password longer than the last, up to the cap', () => {
    const { b } = box();
    const delays = [1, 2, 3, 4, 5].map(() => b.failedLogin('192.0.2.1', `user${Math.random()}`).delayMs);
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 8000]);
  });

  it('bans a source once its points reach banAt, then starts it over', () => {
    const { b } = box();
    const verdicts = Array.from({ length: 6 }, (_, i) => b.failedLogin('192.0.2.1', `guess${i}`));
    assert.deepEqual(verdicts.map((v) => v.banForMs), [undefined, undefined, undefined, undefined, undefined, 600_000]);
    assert.equal(b.sourcePoints('192.0.2.1'), 0);
  });

  it('doubles the ban for a repeat offender within a day, up to maxBan, and forgets after a quiet day', () => {
    const { b, advance } = box({ maxBanMs: 1_800_000 });
    const banOnce = () => {
      for (;;) {
        const v = b.failedLogin('192.0.2.1', 'x');
        if (v.banForMs !== undefined) return v.banForMs;
      }
    };
    assert.equal(banOnce(), 600_000);
    advance(600_000);
    assert.equal(banOnce(), 1_200_000);
    advance(1_200_000);
    assert.equal(banOnce(), 1_800_000, 'capped at maxBan');
    advance(25 * 3_600_000);
    assert.equal(banOnce(), 600_000);
  });

  it('lets points drain with time, so a slow typist never adds up to a ban', () => {
    const { b, advance } = box();
    for (let i = 0; i < 100; i++) {
      assert.equal(b.failedLogin('192.0.2.1', 'alice').banForMs, undefined);
      advance(60_000);
    }
    assert.ok(b.sourcePoints('192.0.2.1') <= CFG.authFail);
  });

  it('charges connections that never log in less, but a flood of them still bans', () => {
    const { b } = box();
    const verdicts = Array.from({ length: 30 }, () => b.unauthenticated('198.51.100.9'));
    assert.equal(verdicts.findIndex((v) => v.banForMs !== undefined), 29);
    assert.ok(verdicts.every((v) => v.delayMs === 0));
  });

  it('keeps sources apart: one guessing address costs another nothing', () => {
    const { b } = box();
    for (let i = 0; i < 5; i++) b.failedLogin('192.0.2.1', `x${i}`);
    assert.equal(b.sourcePoints('192.0.2.2'), 0);
    assert.equal(b.failedLogin('192.0.2.2', 'bob').delayMs, 1000);
  });

  it('gives an account under attack from many sources a delay, never a ban', () => {
    const { b } = box();
    const verdicts = Array.from({ length: 50 }, (_, i) => b.failedLogin(`203.0.113.${i}`, 'Alice'));
    assert.ok(verdicts.every((v) => v.banForMs === undefined), 'no source reached banAt, and accounts are never banned');
    assert.equal(verdicts.at(-1)!.delayMs, 8000, 'the account\'s failures hold every source trying it');
    assert.ok(b.accountPoints('alice') > 100);
  });

  it('adds a /24 up: fifty addresses guessing a few times each get the network banned', () => {
    const { b } = box();
    let netBan: { target: string; forMs: number } | undefined;
    let guesses = 0;
    for (let round = 0; round < 4 && !netBan; round++) {
      for (let i = 0; i < 50 && !netBan; i++) {
        const v = b.failedLogin(`198.51.100.${i + 1}`, `user${i}`);
        guesses++;
        assert.equal(v.banForMs, undefined, 'no single address earned a ban');
        netBan = v.banNetwork;
      }
    }
    assert.deepEqual(netBan, { target: '198.51.100.0/24', forMs: 600_000 });
    assert.equal(guesses, 18, '18 guesses x 5 points reach networkBanAt 90');
    assert.equal(b.networkPoints('198.51.100.77'), 0, 'the tally starts over after the ban');
    assert.equal(b.failedLogin('203.0.113.9', 'x').banNetwork, undefined, 'another network is untouched');
  });

  it('forgets drained entries and never tracks more than MAX_TRACKED sources', () => {
    const { b, advance } = box();
    for (let i = 0; i < MAX_TRACKED + 50; i++) b.unauthenticated(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    assert.equal(b.tracked.sources, MAX_TRACKED);
    advance(60_000);
    b.sweep();
    assert.equal(b.tracked.sources, 0);
  });
});

describe('penalty arithmetic', () => {
  it('drains whole points only, so banAt quick failures ban exactly at banAt, and a part-drained point is kept', () => {
    const { b, advance } = box({ decayPerMinute: 6 });
    for (let i = 0; i < 5; i++) {
      assert.equal(b.failedLogin('192.0.2.1', 'x').banForMs, undefined);
      advance(900); // well under the 10 s one point takes to drain
    }
    assert.equal(b.failedLogin('192.0.2.1', 'x').banForMs, 600_000, 'the sixth failure makes 30 points');
    const { b: b2, advance: adv2 } = box({ decayPerMinute: 6 });
    b2.unauthenticated('192.0.2.2');
    b2.unauthenticated('192.0.2.2');
    adv2(6000);
    b2.unauthenticated('192.0.2.2'); // 3 points, 6 s into the drain of the first
    adv2(4000);
    assert.equal(b2.sourcePoints('192.0.2.2'), 2, 'the drain clock was not reset by the charge');
  });

  it('with no decay, points only ever add up', () => {
    const { b, advance } = box({ decayPerMinute: 0, banAt: 1000 });
    b.failedLogin('192.0.2.1', 'x');
    advance(3_600_000);
    b.failedLogin('192.0.2.1', 'x');
    assert.equal(b.sourcePoints('192.0.2.1'), 10);
  });
});
