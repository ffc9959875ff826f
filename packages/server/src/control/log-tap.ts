import { createLogger, type Logger, type LogLevel } from '@carrier/core';
import type { LogLine } from '@carrier/sysop';

/** Warnings and errors kept for a console that opens later. */
const KEEP = 200;
/** The longest line a console gets (the rest is cut). */
const MAX_LINE = 2000;

type Listener = (line: LogLine) => void;

/**
 * The console's log tail. Wraps the board's logger: warnings and errors are always
 * kept in a small ring (they are rare); info lines are formatted for the tail only while
 * a console follows one node, so the tap costs nothing while nobody watches.
 */
export class LogTap {
  private readonly recent: LogLine[] = [];
  private readonly listeners = new Map<Listener, { node: number | undefined; all: boolean }>();
  private wantInfo = 0;

  /** The board's logger with the tap in it: pass this to everything the board runs. */
  wrap(inner: Logger): Logger {
    return this.tapped(inner, createLogger({ level: 'debug', sinks: [{ write: (l) => this.line(l) }] }));
  }

  /** Lines kept so far (warnings and up, or one node's); newest last. */
  tail(filter: { node?: number | undefined; all?: boolean | undefined } = {}): LogLine[] {
    return this.recent.filter((l) => matches(l, filter.node, filter.all ?? false));
  }

  follow(fn: Listener, filter: { node?: number | undefined; all?: boolean | undefined } = {}): () => void {
    const f = { node: filter.node, all: filter.all ?? false };
    this.listeners.set(fn, f);
    if (f.node !== undefined || f.all) this.wantInfo++;
    return () => {
      if (!this.listeners.delete(fn)) return;
      if (f.node !== undefined || f.all) this.wantInfo--;
    };
  }

  private tapped(inner: Logger, tap: Logger): Logger {
    const at =
      (level: LogLevel) =>
      (event: string, fields?: Record<string, unknown>): void => {
        inner[level](event, fields);
        if (level === 'warn' || level === 'error' || (this.wantInfo > 0 && level === 'info')) tap[level](event, fields);
      };
    return {
      debug: (e, f) => inner.debug(e, f),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (fields) => this.tapped(inner.child(fields), tap.child(fields)),
    };
  }

  private line(text: string): void {
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    const level = String(rec['level']);
    const node = typeof rec['node'] === 'number' ? rec['node'] : undefined;
    const line: LogLine = { level, event: String(rec['event']), ...(node !== undefined ? { node } : {}), line: text.trimEnd().slice(0, MAX_LINE) };
    if (level === 'warn' || level === 'error') {
      this.recent.push(line);
      if (this.recent.length > KEEP) this.recent.shift();
    }
    for (const [fn, f] of this.listeners) if (matches(line, f.node, f.all)) fn(line);
  }
}

function matches(l: LogLine, node: number | undefined, all: boolean): boolean {
  if (node !== undefined) return l.node === node;
  return all || l.level === 'warn' || l.level === 'error';
}
