// The server's memory as the kernel sees it, so a bound cannot be hidden by a lazy GC:
// VmRSS now and VmHWM, the peak since the last reset. Resetting the peak before an attack
// makes VmHWM afterwards the most the attack ever cost, even if the memory was freed again.
import { readFileSync, writeFileSync } from 'node:fs';

export interface Memory {
  /** resident bytes now */
  rss: number;
  /** resident bytes at the peak since the last resetPeak */
  peak: number;
}

export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(m[1]) * 1024;
  };
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/**
 * Reset VmHWM to the current RSS (proc(5): writing 5 to clear_refs). Returns false where
 * the kernel refuses; the peak then still bounds the attack from above, only less tightly.
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export const MiB = 1024 * 1024;
