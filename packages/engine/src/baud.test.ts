import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BAUD_TICK_MS, playAtBaud, type BaudClock } from './baud.js';

/** A clock that moves only when the playback sleeps, so the test is exact and instant. */
function fakeClock(): BaudClock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

test('2400 baud sends 240 bytes a second, in slices of the time that passed', async () => {
  const art = Buffer.alloc(1200, 0x41);
  const writes: Buffer[] = [];
  const clock = fakeClock();
  const result = await playAtBaud(art, 2400, { write: (b) => writes.push(b), interrupted: () => false, closed: () => false }, clock);
  assert.equal(result, 'done');
  assert.deepEqual(Buffer.concat(writes), art);
  // 1200 bytes at 240 bytes/s is 5 s of line time.
  assert.ok(clock.t >= 4980 && clock.t <= 5000 + BAUD_TICK_MS, `took ${clock.t} ms of line time`);
  for (const w of writes) assert.ok(w.length <= Math.ceil((240 * BAUD_TICK_MS) / 1000), `a slice of ${w.length} bytes is faster than the line`);
});

test('300 baud is slower than one byte per tick and still sends every byte', async () => {
  const art = Buffer.from('slow modem');
  const writes: Buffer[] = [];
  const clock = fakeClock();
  await playAtBaud(art, 300, { write: (b) => writes.push(b), interrupted: () => false, closed: () => false }, clock);
  assert.equal(Buffer.concat(writes).toString(), 'slow modem');
  assert.ok(clock.t >= 300, `10 bytes at 30 bytes/s take a third of a second, took ${clock.t}`);
});

test('a key sends the rest at once', async () => {
  const art = Buffer.alloc(1000, 0x42);
  const writes: Buffer[] = [];
  const clock = fakeClock();
  const result = await playAtBaud(
    art,
    1200,
    { write: (b) => writes.push(b), interrupted: () => clock.t >= 500, closed: () => false },
    clock,
  );
  assert.equal(result, 'interrupted');
  assert.deepEqual(Buffer.concat(writes), art);
  assert.ok(writes[writes.length - 1]!.length > 800, 'the last write is the whole remainder');
  assert.ok(clock.t <= 500 + BAUD_TICK_MS);
});

test('a caller who hangs up gets nothing more', async () => {
  const art = Buffer.alloc(1000, 0x43);
  const writes: Buffer[] = [];
  const clock = fakeClock();
  const result = await playAtBaud(art, 1200, { write: (b) => writes.push(b), interrupted: () => false, closed: () => clock.t >= 200 }, clock);
  assert.equal(result, 'closed');
  assert.ok(Buffer.concat(writes).length < 40);
});
