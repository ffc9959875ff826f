// Each scenario's result: a table on stdout (p50/p90/p99/max, errors, the server's RSS and
// CPU) and the same as JSON for docs/benchmarks.md and for comparing runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { percentile } from '../stats.js';
import { MiB } from './proc.js';

export interface Distribution {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function distribution(values: readonly number[]): Distribution {
  const v = [...values];
  const mean = v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
  return { n: v.length, p50: percentile(v, 50), p90: percentile(v, 90), p99: percentile(v, 99), max: v.length ? Math.max(...v) : NaN, mean };
}

export interface ServerFigures {
  /** RSS with no callers, after one warm-up call */
  idleRss: number;
  /** RSS at the end of the measured phase */
  rss: number;
  peakRss: number;
  /** CPU over the measured phase, % of one core */
  cpuPercent: number;
  /** share of the measured phase the event loop spent waiting for a CPU, % */
  runQueueWaitPercent: number;
}

export interface ScenarioReport {
  scenario: string;
  command: string;
  startedAt: string;
  params: Record<string, number | string | boolean>;
  /** latency distributions, in ms */
  latencies: Record<string, Distribution>;
  /** other figures (rates, per-session memory), named with their unit */
  figures: Record<string, number>;
  errors: number;
  /** the first few distinct errors, for the reader to see what went wrong */
  errorSamples: string[];
  server: ServerFigures;
  generator: { rss: number; cpuPercent: number; eventLoopDelayP99Ms: number; runQueueWaitPercent: number };
  notes: string[];
}

const fmt = (n: number) => (!Number.isFinite(n) ? '-' : Number.isInteger(n) || n >= 100 ? n.toFixed(0) : n.toFixed(1));

export function printReport(r: ScenarioReport, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): void {
  out('');
  out(`scenario ${r.scenario}: ${Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  out(`  ${'latency (ms)'.padEnd(28)}${'n'.padStart(8)}${'p50'.padStart(9)}${'p90'.padStart(9)}${'p99'.padStart(9)}${'max'.padStart(9)}`);
  for (const [name, d] of Object.entries(r.latencies)) {
    out(`  ${name.padEnd(28)}${String(d.n).padStart(8)}${fmt(d.p50).padStart(9)}${fmt(d.p90).padStart(9)}${fmt(d.p99).padStart(9)}${fmt(d.max).padStart(9)}`);
  }
  for (const [name, v] of Object.entries(r.figures)) out(`  ${name.padEnd(28)}${fmt(v).padStart(8)}`);
  out(`  errors ${r.errors}${r.errorSamples.length ? `: ${r.errorSamples.join(' | ')}` : ''}`);
  const s = r.server;
  out(`  server RSS: idle ${fmt(s.idleRss / MiB)} MiB, now ${fmt(s.rss / MiB)} MiB, peak ${fmt(s.peakRss / MiB)} MiB; CPU ${fmt(s.cpuPercent)}% of one core; event loop waited for a CPU ${fmt(s.runQueueWaitPercent)}% of the time`);
  const g = r.generator;
  out(`  load generator: RSS ${fmt(g.rss / MiB)} MiB, CPU ${fmt(g.cpuPercent)}% of one core, event-loop delay p99 ${fmt(g.eventLoopDelayP99Ms)} ms, waited for a CPU ${fmt(g.runQueueWaitPercent)}% of the time`);
  for (const n of r.notes) out(`  note: ${n}`);
}

export function writeReport(r: ScenarioReport, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
}

/** Counts errors and keeps a few distinct messages. */
export class ErrorTally {
  count = 0;
  private readonly samples = new Map<string, number>();
  add(err: unknown): void {
    this.count++;
    const msg = (err instanceof Error ? err.message : String(err)).replace(/\d+/g, 'N').slice(0, 120);
    this.samples.set(msg, (this.samples.get(msg) ?? 0) + 1);
  }
  /** The values of the tasks that succeeded; every failure is counted here. */
  values<T>(results: ReadonlyArray<{ ok: true; value: T } | { ok: false; error: unknown }>): T[] {
    const out: T[] = [];
    for (const r of results) {
      if (r.ok) out.push(r.value);
      else this.add(r.error);
    }
    return out;
  }
  list(max = 5): string[] {
    return [...this.samples.entries()].sort((a, b) => b[1] - a[1]).slice(0, max).map(([m, n]) => `${n}x ${m}`);
  }
}
