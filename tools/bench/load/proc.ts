// A process's memory and CPU from /proc (Linux), for the server's figures in each report.
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times: USER_HZ, 100 on every Linux ABI Node runs on. */
const USER_HZ = 100;

export interface ProcSample {
  /** resident set size now, bytes */
  rss: number;
  /** the peak resident set size, bytes (VmHWM) */
  peakRss: number;
  /** user + system CPU time used so far, seconds */
  cpuSeconds: number;
  /**
   * Time the main thread (the event loop) spent runnable but waiting for a CPU, seconds
   * (/proc/<pid>/schedstat). When other work crowds the machine, this is where latency
   * goes that no code of the server's can win back.
   */
  runQueueWaitSeconds: number;
  at: number;
}

export function sampleProc(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  // Fields after the command name, which may itself contain spaces and parentheses.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5); after the name, the 12th and 13th.
  const ticks = Number(fields[11]) + Number(fields[12]);
  const wait = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
  return { rss: kb('VmRSS'), peakRss: kb('VmHWM'), cpuSeconds: ticks / USER_HZ, runQueueWaitSeconds: wait, at: performance.now() };
}

/** Share of the time between two samples the event loop waited for a CPU, in %. */
export function waitPercent(from: ProcSample, to: ProcSample): number {
  const wall = (to.at - from.at) / 1000;
  return wall > 0 ? (100 * (to.runQueueWaitSeconds - from.runQueueWaitSeconds)) / wall : NaN;
}

/** CPU used between two samples, as a percentage of one core. */
export function cpuPercent(from: ProcSample, to: ProcSample): number {
  const wall = (to.at - from.at) / 1000;
  return wall > 0 ? (100 * (to.cpuSeconds - from.cpuSeconds)) / wall : NaN;
}

export const MiB = 1024 * 1024;
