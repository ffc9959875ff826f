import { createLogger, type Logger, type LogLevel } from '@carrier/core';
import type { LogLine } from '@carrier/sysop/protocol';

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
    return new TappedLogger(this, inner);
  }

  private tapLogger: Logger | undefined;

  /** @internal the tap's own root logger: formats the lines a console is sent */
  tapRoot(): Logger {
    return (this.tapLogger ??= createLogger({ level: 'debug', sinks: [{ write: (l) => this.line(l) }] }));
  }

  /** @internal whether a line at this level goes to the tap */
  wants(level: LogLevel): boolean {
    return level === 'warn' || level === 'error' || (this.wantInfo > 0 && level === 'info');
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

  /** @internal a formatted line from the tap's logger */
  line(text: string): void {
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

/**
 * One logger of the board's tree with the tap in it. Every session makes a few children
 * (connection, user, node) and a parked caller holds them for the whole call, so a
 * child is one small object: the fields from the root down, and its two loggers (the
 * board's, and the tap's that formats a line for the console) made on first use as one
 * child of each root with those fields, which writes the same lines as a chain of
 * children would (a logger merges its fields over its parent's) without making the
 * loggers in between. (Eager loggers, five closures each, cost a parked caller ~4 KiB.)
 */
class TappedLogger implements Logger {
  private innerLogger: Logger | undefined;
  private tapLogger: Logger | undefined;

  constructor(
    private readonly owner: LogTap,
    private readonly root: Logger,
    /** every field added since the root, in order; undefined for the root itself */
    private readonly fields?: Record<string, unknown>,
  ) {}

  private inner(): Logger {
    return (this.innerLogger ??= this.fields ? this.root.child(this.fields) : this.root);
  }

  private tap(): Logger {
    return (this.tapLogger ??= this.fields ? this.owner.tapRoot().child(this.fields) : this.owner.tapRoot());
  }

  private at(level: 'info' | 'warn' | 'error', event: string, fields?: Record<string, unknown>): void {
    this.inner()[level](event, fields);
    if (this.owner.wants(level)) this.tap()[level](event, fields);
  }

  debug(event: string, fields?: Record<string, unknown>): void {
    this.inner().debug(event, fields);
  }

  info(event: string, fields?: Record<string, unknown>): void {
    this.at('info', event, fields);
  }

  warn(event: string, fields?: Record<string, unknown>): void {
    this.at('warn', event, fields);
  }

  error(event: string, fields?: Record<string, unknown>): void {
    this.at('error', event, fields);
  }

  child(fields: Record<string, unknown>): Logger {
    return new TappedLogger(this.owner, this.root, { ...this.fields, ...fields });
  }
}
