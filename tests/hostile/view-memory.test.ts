// Issue 11 item 2: who's online cost about 21 MB per caller at 499x298 (25 callers took
// the server from 220 MB to 756 MB). A view is now capped (limits.view: 200x50 by
// default), so 100 callers at the largest size a terminal may report, all in who's
// online at once, cost a bounded few MiB each.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACCOUNTS, startBattery, type Battery } from './support/battery.js';
import { memoryOf, MiB } from './support/memory.js';
import { StormTelnet } from './support/storm.js';

const CALLERS = 100;
/** Measured ~2-3 MiB a view at the 200x50 cap (docs/benchmarks.md); 21 MB before the cap. */
const MAX_PER_VIEW_BYTES = 6 * MiB;

describe("100 callers at the largest size in who's online (issue 11 item 2)", { timeout: 600_000 }, () => {
  let battery: Battery;
  const callers: StormTelnet[] = [];

  before(async () => {
    battery = await startBattery({ session: { loginTimeout: '300s', idleTimeout: '600s' } });
  });
  after(async () => {
    for (const c of callers) c.close();
    await battery?.stop();
  });

  it('costs a bounded amount of memory per open view', async () => {
    const pid = battery.board.process.pid!;
    for (let i = 0; i < CALLERS; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, CALLERS - i) }, async (_, j) => {
          const c = await StormTelnet.connect(battery.ports.telnet!, `127.0.${10 + Math.floor((i + j) / 200)}.${2 + ((i + j) % 200)}`, { cols: 500, rows: 300 });
          const a = ACCOUNTS[(i + j) % ACCOUNTS.length]!;
          await c.login(a.handle, a.password);
          return c;
        }),
      );
      callers.push(...batch);
    }
    await new Promise((r) => setTimeout(r, 2000));
    const atMenu = memoryOf(pid).rss;
    for (let i = 0; i < callers.length; i += 20) {
      await Promise.all(callers.slice(i, i + 20).map((c) => c.type('w', "Who's online -", 60_000)));
    }
    await new Promise((r) => setTimeout(r, 3000));
    const inViews = memoryOf(pid).rss;
    const perView = (inViews - atMenu) / CALLERS;
    if (process.env['CARRIER_BATTERY_REPORT']) {
      console.log(`# ${CALLERS} callers at 500x300: RSS at the menu ${(atMenu / MiB).toFixed(0)} MiB, in who's online ${(inViews / MiB).toFixed(0)} MiB, ${(perView / MiB).toFixed(2)} MiB a view`);
    }
    assert.ok(perView <= MAX_PER_VIEW_BYTES, `${(perView / MiB).toFixed(1)} MiB per open view at 500x300`);
  });
});
