import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDuration, validateDoors, type DoorsDocument } from './config.js';

const doc = (value: unknown): DoorsDocument => ({ value, errors: [], lineOf: (p) => p.length + 1 });

describe('doors.yaml schema', () => {
  it('an empty file is a board without doors', () => {
    assert.deepEqual(validateDoors(doc(undefined), 'doors.yaml'), { ok: true, doors: [] });
    assert.deepEqual(validateDoors(doc({ doors: [] }), 'doors.yaml'), { ok: true, doors: [] });
  });

  it('fills the defaults of a minimal door', () => {
    const r = validateDoors(doc({ doors: [{ name: 'robots', description: 'Robots', command: ['/usr/games/robots'] }] }), 'd.yaml');
    assert.ok(r.ok);
    const d = r.doors[0]!;
    assert.deepEqual(d.command, ['/usr/games/robots']);
    assert.deepEqual(d.dropFiles, ['door32.sys']);
    assert.equal(d.encoding, 'cp437');
    assert.equal(d.terminal, 'ansi', 'a door needs cursor control unless the sysop says it is plain text');
    assert.equal(d.timeLimitMs, 30 * 60_000);
    assert.equal(d.maxCallers, undefined);
    assert.equal(d.level, 20);
    assert.equal(d.enabled, true);
  });

  it('terminal: plain marks a line-by-line door; anything but ansi or plain is refused by key', () => {
    const ok = validateDoors(doc({ doors: [{ name: 'adv', description: 'Adventure', command: ['/usr/games/adventure'], terminal: 'plain' }] }), 'd.yaml');
    assert.ok(ok.ok);
    assert.equal(ok.doors[0]!.terminal, 'plain');
    const bad = validateDoors(doc({ doors: [{ name: 'adv', description: 'Adventure', command: ['/usr/games/adventure'], terminal: 'vt52' }] }), 'd.yaml');
    assert.ok(!bad.ok);
    assert.deepEqual(bad.problems.map((p) => [p.key, p.message]), [['doors[0].terminal', 'must be ansi or plain']]);
  });

  it('refuses a shell string, a relative program, a socket door and loader variables, naming file and key', () => {
    const r = validateDoors(
      doc({
        doors: [
          { name: 'a', description: 'A', command: '/bin/sh -c "rm -rf /"' },
          { name: 'b', description: 'B', command: ['robots'], io: 'socket', env: { LD_PRELOAD: '/x.so' } },
        ],
      }),
      'config/doors.yaml',
    );
    assert.ok(!r.ok);
    const keys = r.problems.map((p) => `${p.file} ${p.key}`);
    assert.deepEqual(keys, [
      'config/doors.yaml doors[0].command',
      'config/doors.yaml doors[1].command[0]',
      'config/doors.yaml doors[1].env.LD_PRELOAD',
      'config/doors.yaml doors[1].io',
    ]);
    assert.match(r.problems[0]!.message, /never runs a shell/);
    assert.match(r.problems[3]!.message, /not supported/);
  });

  it('refuses duplicate names (case-insensitive), unknown keys and bad limits', () => {
    const r = validateDoors(
      doc({
        doors: [
          { name: 'x', description: 'X', command: ['/bin/true'] },
          { name: 'X', description: 'X', command: ['/bin/true'], maxCallers: 0, timeLimit: 'forever', colour: 'red' },
          { name: 'y', description: 'Y', command: ['/bin/true'], dropFiles: ['chain.txt'] },
          { name: 'x', description: 'X', command: ['/bin/true'] },
        ],
      }),
      'd.yaml',
    );
    assert.ok(!r.ok);
    assert.deepEqual(
      r.problems.map((p) => p.key),
      ['doors[1].colour', 'doors[1].timeLimit', 'doors[1].maxCallers', 'doors[2].dropFiles[0]', 'doors[3].name'],
    );
  });

  it('durations are 90s, 30m, 2h or seconds', () => {
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('30m'), 1_800_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration(5), 5_000);
    assert.equal(parseDuration('1d'), undefined);
    assert.equal(parseDuration(-1), undefined);
  });
});
