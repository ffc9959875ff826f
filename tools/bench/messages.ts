// Benchmark: the message base on a large board, on SQLite and on PostgreSQL.
// Seeds 100,000 messages in 20 areas and 1,000 users (each with a last-read pointer per
// area somewhere in the middle), then times, through the store's repositories as the
// board's scripts call them:
//   new-scan to first message: scan of all 20 areas + loading the first new message
//   list page:                 20 summaries after a random point of an area
//   open:                      one message by id + moving the reader's pointer
//   search:                    a full-text query (one or two words) over all 20 areas
// and 200 callers posting at once (200 users, one post each, all started together):
// posts per second and each post's latency. Each figure is taken 3 times; the report
// prints every run and the median.
//   node --conditions=carrier-src --import tsx tools/bench/messages.ts [--kind sqlite|postgres|both] [--messages 100000]
// PostgreSQL: CARRIER_TEST_PG_URL or postgres://postgres@127.0.0.1:5432/test, in a
// schema of its own that is dropped afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@carrier/core';
import { openStore, type Store } from '@carrier/store';
import { percentile } from './stats.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? def) : def;
}

const MESSAGES = Number(arg('messages', '100000'));
const KIND = arg('kind', 'both');
const AREAS = Array.from({ length: 20 }, (_, i) => `area${String(i + 1).padStart(2, '0')}`);
const USERS = 1000;
const SAMPLES = 300;
const POSTERS = 200;
const RUNS = 3;
const PG_URL = process.env['CARRIER_TEST_PG_URL'] || 'postgres://postgres@127.0.0.1:5432/test';

// A fixed vocabulary (a seeded generator, so every run has the same base).
let seed = 12345;
const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const WORDS = Array.from({ length: 5000 }, (_, i) => `${['mod', 'baud', 'ansi', 'door', 'sysop', 'node', 'warez', 'echo', 'net', 'fido'][i % 10]}${i.toString(36)}`);
const sentence = (n: number): string => Array.from({ length: n }, () => pick(WORDS)).join(' ');

async function seedBase(store: Store): Promise<{ maxId: number }> {
  const knex = store.knex;
  const now = Date.now();
  const users = Array.from({ length: USERS }, (_, i) => ({
    handle: `user${i}`,
    handle_key: `user${i}`,
    password_hash: 'x',
    level: 20,
    created_at: now,
    call_count: 0,
  }));
  // Some boards' users table gained columns from later migrations (not null with defaults): only the base columns are set here.
  for (let i = 0; i < users.length; i += 200) await knex('users').insert(users.slice(i, i + 200));
  const ids = ((await knex('users').select('id')) as Array<{ id: number }>).map((r) => Number(r.id));
  const t0 = performance.now();
  const batch = 250;
  for (let i = 0; i < MESSAGES; i += batch) {
    const rows = Array.from({ length: Math.min(batch, MESSAGES - i) }, () => {
      const from = pick(ids);
      return {
        area: pick(AREAS),
        parent_id: null,
        thread_id: null,
        from_user_id: from,
        from_handle: `user${from}`,
        to_handle: 'All',
        subject: sentence(4),
        body: Array.from({ length: 6 }, () => sentence(10)).join('\n'),
        created_at: now - (MESSAGES - i) * 1000,
      };
    });
    await knex('messages').insert(rows);
  }
  const maxRow = (await knex('messages').max({ m: 'id' }).first()) as { m: number | string };
  const maxId = Number(maxRow.m);
  // Everyone has read some way into every area.
  const reads = ids.flatMap((u) => AREAS.map((area) => ({ user_id: u, area, last_read_id: Math.floor(maxId * (0.5 + rand() * 0.45)) })));
  for (let i = 0; i < reads.length; i += 500) await knex('message_reads').insert(reads.slice(i, i + 500));
  if (store.kind === 'postgres') await knex.raw('analyze');
  console.log(`  seeded ${MESSAGES} messages, ${USERS} users in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { maxId };
}

async function time(n: number, op: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await op(i);
    out.push(performance.now() - t0);
  }
  return out;
}

interface Measured {
  newScan: Stat;
  list: Stat;
  open: Stat;
  search: Stat;
  posts: Stat & { perSecond: number };
}

interface Stat {
  p50: number;
  p99: number;
}

async function measure(store: Store, maxId: number): Promise<Measured> {
  const userId = (): number => 1 + Math.floor(rand() * USERS);
  const fig = (xs: number[]) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99) });
  const newScan = await time(SAMPLES, async () => {
    const u = userId();
    const scans = await store.messages.scan(u, AREAS);
    const first = scans.find((x) => x.firstId !== null);
    if (first?.firstId) await store.messages.get(first.firstId);
  });
  const list = await time(SAMPLES, () => store.messages.list(pick(AREAS), { afterId: Math.floor(rand() * maxId), limit: 20 }));
  const open = await time(SAMPLES, async () => {
    const m = await store.messages.get(1 + Math.floor(rand() * maxId));
    if (m) await store.messages.markRead(userId(), m.area, m.id);
  });
  const search = await time(SAMPLES, (i) => store.messages.search(i % 2 ? pick(WORDS) : `${pick(WORDS)} ${pick(WORDS)}`, AREAS, 50));
  // 200 callers post at once.
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: POSTERS }, async (_, i) => {
      const s = performance.now();
      await store.messages.post({ area: pick(AREAS), fromUserId: i + 1, fromHandle: `user${i + 1}`, subject: sentence(4), body: sentence(60), rate: { max: 1000, windowMs: 60_000 } });
      latencies.push(performance.now() - s);
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  return { newScan: fig(newScan), list: fig(list), open: fig(open), search: fig(search), posts: { perSecond: POSTERS / wall, ...fig(latencies) } };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function bench(kind: 'sqlite' | 'postgres'): Promise<void> {
  console.log(`\n${kind}: ${MESSAGES} messages in ${AREAS.length} areas, ${USERS} users (load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${cpus().length} cpus)`);
  const dataDir = await mkdtemp(join(tmpdir(), 'carrier-bench-msg-'));
  const schema = `carrier_bench_${randomBytes(4).toString('hex')}`;
  const store = await openStore({
    dataDir,
    log: createMemoryLogger(),
    ...(kind === 'postgres' ? { databaseUrl: PG_URL, searchPath: schema } : {}),
  });
  try {
    const { maxId } = await seedBase(store);
    const runs = [];
    for (let r = 0; r < RUNS; r++) runs.push(await measure(store, maxId));
    const rows: Array<[string, string]> = [];
    for (const what of ['newScan', 'list', 'open', 'search'] as const) {
      const p50 = runs.map((x) => x[what].p50);
      const p99 = runs.map((x) => x[what].p99);
      rows.push([what, `p50 ${median(p50).toFixed(2)} ms, p99 ${median(p99).toFixed(2)} ms   (runs p99: ${p99.map((v) => v.toFixed(1)).join(' / ')})`]);
    }
    const pps = runs.map((x) => x.posts.perSecond);
    const pp99 = runs.map((x) => x.posts.p99);
    rows.push(['200 posting', `${median(pps).toFixed(0)} posts/s, p50 ${median(runs.map((x) => x.posts.p50)).toFixed(1)} ms, p99 ${median(pp99).toFixed(1)} ms   (runs: ${pps.map((v) => v.toFixed(0)).join(' / ')} posts/s)`]);
    for (const [k, v] of rows) console.log(`  ${k.padEnd(12)} ${v}`);
  } finally {
    if (kind === 'postgres') await store.knex.raw('drop schema if exists ?? cascade', [schema]);
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (KIND === 'sqlite' || KIND === 'both') await bench('sqlite');
if (KIND === 'postgres' || KIND === 'both') await bench('postgres');
