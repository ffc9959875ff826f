import { escapeClientText, escapeInvisible } from './escape.js';

/**
 * Structured logging: one JSON object per event, one line each. Fields named in
 * `clientFields` (or any string passed through `client()`) are escaped, so TTYPE,
 * env, handles and typed text cannot inject lines or escape sequences into a sysop's log.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogSink {
  write(line: string): void;
}

export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  /** A logger that adds these fields to every line. */
  child(fields: Record<string, unknown>): Logger;
}

/** Wrap a client-supplied value so the logger escapes it. */
export class ClientText {
  constructor(readonly value: string | Buffer) {}
  toJSON(): string {
    return escapeClientText(this.value);
  }
}
export const client = (value: string | Buffer): ClientText => new ClientText(value);

function normalize(v: unknown): unknown {
  if (v instanceof ClientText) return v.toJSON();
  if (v instanceof Error) {
    const e = v as Error & { code?: unknown };
    return { name: e.name, message: escapeClientText(e.message, 500), code: e.code, stack: e.stack };
  }
  if (Buffer.isBuffer(v)) return escapeClientText(v);
  if (typeof v === 'string') return escapeInvisible(v);
  return v;
}

/**
 * A line's own keys. A field of the same name (a control verb's `level` argument, say)
 * is written as `_level`, so it never stands in for the line's time, level or event.
 */
const RESERVED = new Set(['t', 'level', 'event']);

export function createLogger(opts: { level?: LogLevel; sinks?: LogSink[]; base?: Record<string, unknown> } = {}): Logger {
  const min = LEVELS[opts.level ?? 'info'];
  const sinks = opts.sinks ?? [{ write: (l: string) => process.stdout.write(l) }];
  const base = opts.base ?? {};
  const emit = (level: LogLevel, event: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[level] < min) return;
    const rec: Record<string, unknown> = { t: new Date().toISOString(), level, event };
    for (const [k, v] of Object.entries(base)) rec[RESERVED.has(k) ? `_${k}` : k] = v;
    if (fields) for (const [k, v] of Object.entries(fields)) rec[RESERVED.has(k) ? `_${k}` : k] = normalize(v);
    let line: string;
    try {
      line = JSON.stringify(rec) + '\n';
    } catch {
      line = JSON.stringify({ t: rec['t'], level, event, note: 'unserializable fields' }) + '\n';
    }
    for (const s of sinks) s.write(line);
  };
  return {
    debug: (e, f) => emit('debug', e, f),
    info: (e, f) => emit('info', e, f),
    warn: (e, f) => emit('warn', e, f),
    error: (e, f) => emit('error', e, f),
    child: (fields) => createLogger({ level: opts.level ?? 'info', sinks, base: { ...base, ...fields } }),
  };
}

/** A logger that keeps lines in memory: for tests. */
export function createMemoryLogger(): Logger & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level: 'debug', sinks: [{ write: (l) => lines.push(JSON.parse(l)) }] });
  return Object.assign(log, { lines });
}

export const silentLogger: Logger = createLogger({ sinks: [] });
