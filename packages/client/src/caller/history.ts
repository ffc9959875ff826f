import type { ClientHistoryEntry } from '@carrier/core';

/**
 * Where the interactive caller records its connections. The server wires the board's
 * store (SQLite by default) in; the client package knows only this shape.
 */
export type HistoryEntry = ClientHistoryEntry;

export interface ConnectionHistory {
  start(input: { host: string; port: number }): Promise<number>;
  finish(id: number, counts: { bytesIn: number; bytesOut: number }): Promise<void>;
  /** Byte counts while the connection runs, so an open call never reads 0 B. */
  progress?(id: number, counts: { bytesIn: number; bytesOut: number }): Promise<void>;
  recent(limit: number): Promise<readonly HistoryEntry[]>;
}

/** A history kept in memory for one run: for tests, and when no store is at hand. */
export function memoryHistory(clock: () => number = Date.now): ConnectionHistory {
  const entries: HistoryEntry[] = [];
  return {
    async start({ host, port }) {
      const id = entries.length + 1;
      entries.push({ id, host, port, startedAt: clock(), endedAt: null, bytesIn: 0, bytesOut: 0 });
      return id;
    },
    async finish(id, counts) {
      const i = entries.findIndex((e) => e.id === id);
      const e = entries[i];
      if (e && e.endedAt === null) entries[i] = { ...e, endedAt: clock(), ...counts };
    },
    async progress(id, counts) {
      const i = entries.findIndex((e) => e.id === id);
      const e = entries[i];
      if (e && e.endedAt === null) entries[i] = { ...e, ...counts };
    },
    async recent(limit) {
      return [...entries].reverse().slice(0, Math.max(0, limit));
    },
  };
}

function when(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}

/** A table of connections, newest first, one line each. Hosts are shown escaped: they came from a person, but they are printed to a terminal. */
export function formatHistory(entries: readonly HistoryEntry[], now = Date.now()): string[] {
  if (entries.length === 0) return ['no connections yet'];
  const rows = entries.map((e) => [
    when(e.startedAt),
    `${e.host.replace(/[^\x21-\x7e]/g, '?')}:${e.port}`,
    e.endedAt === null ? `${formatDuration(now - e.startedAt)} (open)` : formatDuration(e.endedAt - e.startedAt),
    formatBytes(e.bytesIn),
    formatBytes(e.bytesOut),
  ]);
  const head = ['started', 'host:port', 'duration', 'received', 'sent'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}
