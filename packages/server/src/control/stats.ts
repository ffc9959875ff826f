import type { Store } from '@carrier/store';

/**
 * Today's counts on the console. A source names a table and its time column; one whose
 * table this board does not have (yet) is left out, so a feature that adds a table adds
 * a line here and nothing else.
 */
export interface StatSource {
  name: string;
  table: string;
  /** milliseconds since the epoch */
  atColumn: string;
}

const SOURCES: StatSource[] = [
  { name: 'calls', table: 'calls', atColumn: 'started_at' },
  { name: 'new users', table: 'users', atColumn: 'created_at' },
  { name: 'posts', table: 'messages', atColumn: 'created_at' },
  { name: 'uploads', table: 'files', atColumn: 'uploaded_at' },
];

export function registerStatSource(s: StatSource): void {
  const i = SOURCES.findIndex((x) => x.name === s.name);
  if (i >= 0) SOURCES[i] = s;
  else SOURCES.push(s);
}

/** Local midnight, as the sysop reads "today". */
export function startOfToday(now = Date.now()): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

const present = new Map<string, boolean>();

export async function todayCounts(store: Store, now = Date.now()): Promise<{ name: string; count: number }[]> {
  const since = startOfToday(now);
  const out: { name: string; count: number }[] = [];
  for (const s of SOURCES) {
    const key = `${s.table}.${s.atColumn}`;
    let has = present.get(key);
    // Asked once per table and column while it exists; a missing one is asked again (a migration may add it).
    if (has !== true) {
      has = (await store.knex.schema.hasTable(s.table)) && (await store.knex.schema.hasColumn(s.table, s.atColumn));
      if (has) present.set(key, true);
    }
    if (!has) continue;
    const row = (await store.knex(s.table).where(s.atColumn, '>=', since).count({ n: '*' }).first()) as { n: number | string } | undefined;
    out.push({ name: s.name, count: Number(row?.n ?? 0) });
  }
  return out;
}
