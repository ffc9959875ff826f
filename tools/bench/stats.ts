import { readFileSync } from 'node:fs';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

/** Resident set size of a process, in bytes, from /proc. */
export async function rssOf(pid: number): Promise<number> {
  return statusBytes(pid, ['VmRSS']).VmRSS;
}

/** Sizes from /proc/<pid>/status in bytes (VmRSS, RssAnon, RssFile, VmHWM...); NaN for a missing key. */
export function statusBytes<K extends string>(pid: number, keys: readonly K[]): Record<K, number> {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const out = {} as Record<K, number>;
  for (const key of keys) out[key] = Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
