import { CarrierError, ErrorCodes, TERMINAL_LIMITS, type Encoding } from '@carrier/core';
import type { DebugSink } from './debug-trace.js';
import type { OptionCallback, SubnegotiationCallback } from './negotiator.js';
import { DEFAULT_MAX_BUFFER } from './read-buffer.js';

export interface ConnectOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** default 23 */
  port?: number;
  /**
   * What TTYPE answers. A list is walked one name per TTYPE SEND, the last repeated (RFC
   * 1091). Default 'ansi' for cp437 and 'xterm-256color' for utf8, so a server that picks
   * its charset from the type (as carrier does) sends what `encoding` decodes.
   */
  terminalType?: string | readonly string[];
  /** the window NAWS reports and cursor-position probes are answered with; default 80x25 */
  cols?: number;
  rows?: number;
  /** NEW-ENVIRON variables to reveal when asked; nothing else is ever sent. Default none. */
  env?: Readonly<Record<string, string>>;
  /** how text is decoded and encoded, and the charset CHARSET accepts; default utf8 */
  encoding?: Encoding;
  /** ms for the TCP connect and the default for every read; default 10 s; Infinity waits forever */
  timeout?: number;
  /**
   * override any option decision, as telnetlib's option callback did. Agreeing (true) to
   * TSPEED, XDISPLOC or old ENVIRON needs `onSubnegotiation` to answer the server's SEND;
   * without it they are refused, since a server left waiting for the answer hangs.
   */
  onOption?: OptionCallback;
  /** answer subnegotiations of options without a built-in handler (see SubnegotiationCallback) */
  onSubnegotiation?: SubnegotiationCallback;
  /** no telnet processing at all: for line services (HTTP, SMTP) and for inspecting a server's raw bytes */
  raw?: boolean;
  /** log every byte sent and received with telnet commands named: true for stderr, or a sink */
  debug?: boolean | DebugSink;
  /** feed output into a headless terminal (`client.screen`) to assert on what a human would see */
  screen?: boolean;
  /** answer `ESC[6n` with the configured size (default true; the screen model answers instead when on) */
  answerCursorProbes?: boolean;
  /** source address to connect from (a load test spreads callers over 127.0.0.x) */
  localAddress?: string;
  /** most unread text kept, in UTF-16 code units; older text is dropped past it. Default 1 Mi */
  maxBuffer?: number;
}

export interface ResolvedOptions {
  host: string;
  port: number;
  terminalTypes: string[];
  cols: number;
  rows: number;
  env: Readonly<Record<string, string>>;
  encoding: Encoding;
  timeout: number;
  onOption: OptionCallback | undefined;
  onSubnegotiation: SubnegotiationCallback | undefined;
  raw: boolean;
  debug: DebugSink | undefined;
  screen: boolean;
  answerCursorProbes: boolean;
  localAddress: string | undefined;
  maxBuffer: number;
}

export const CLIENT_DEFAULTS = {
  host: '127.0.0.1',
  /** the IANA telnet port */
  port: 23,
  cols: TERMINAL_LIMITS.defaultCols,
  rows: TERMINAL_LIMITS.defaultRows,
  encoding: 'utf8' as Encoding,
  /** long enough for a BBS that waits out its negotiation deadline before the first screen */
  timeout: 10_000,
} as const;

function invalid(message: string, field: string): CarrierError {
  return new CarrierError(ErrorCodes.VALIDATION, message, { field });
}

function positiveInt(value: number | undefined, fallback: number, field: string, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) throw invalid(`${field} must be an integer 1-${max} (got ${value})`, field);
  return value;
}

/** Defaults filled in and every value checked: a bad option fails here with VALIDATION, not as a wire oddity later. */
export function resolveOptions(opts: ConnectOptions): ResolvedOptions {
  const encoding = opts.encoding ?? CLIENT_DEFAULTS.encoding;
  if (encoding !== 'utf8' && encoding !== 'cp437') throw invalid(`encoding must be utf8 or cp437 (got ${String(encoding)})`, 'encoding');
  const types = opts.terminalType === undefined ? [encoding === 'cp437' ? 'ansi' : 'xterm-256color'] : [opts.terminalType].flat();
  const timeout = opts.timeout ?? CLIENT_DEFAULTS.timeout;
  if (!(timeout > 0)) throw invalid(`timeout must be a positive number of ms or Infinity (got ${timeout})`, 'timeout');
  const debug = opts.debug === true ? (line: string) => process.stderr.write(`${line}\n`) : opts.debug || undefined;
  return {
    host: opts.host ?? CLIENT_DEFAULTS.host,
    port: positiveInt(opts.port, CLIENT_DEFAULTS.port, 'port', 65535),
    terminalTypes: types,
    // NAWS carries 16 bits; whether a size is sane is the server's call, as it is with real clients.
    cols: positiveInt(opts.cols, CLIENT_DEFAULTS.cols, 'cols', 65535),
    rows: positiveInt(opts.rows, CLIENT_DEFAULTS.rows, 'rows', 65535),
    env: { ...(opts.env ?? {}) },
    encoding,
    timeout,
    onOption: opts.onOption,
    onSubnegotiation: opts.onSubnegotiation,
    raw: opts.raw ?? false,
    debug,
    screen: opts.screen ?? false,
    answerCursorProbes: opts.answerCursorProbes ?? true,
    localAddress: opts.localAddress,
    maxBuffer: opts.maxBuffer === undefined ? DEFAULT_MAX_BUFFER : Math.max(0, Math.floor(opts.maxBuffer)),
  };
}
