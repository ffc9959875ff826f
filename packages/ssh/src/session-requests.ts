import {
  clampSize,
  encodingForTerminalType,
  encodingFromEnv,
  sanitizeToken,
  TERMINAL_LIMITS,
  type TerminalInfo,
} from '@carrier/core';

/**
 * Decisions for an SSH session's requests, as pure functions. Anything not decided
 * here is refused: ssh2's own default is also "no", but carrier writes each refusal
 * out so a log and a test can see it (STYLE, "Deny by default, written out").
 */

/** What a pty-req says, after sanitizing (RFC 4254 §6.2). */
export interface PtyRequest {
  term: string;
  cols: number;
  rows: number;
}

/** Written to an exec channel's stderr before exit status 1. */
export const EXEC_REFUSAL = 'carrier: this board offers an interactive shell only; commands are not run';

/**
 * TERM is lowercased, stripped to printable ASCII and capped (a 4 KiB TERM becomes 40
 * bytes); the size is kept as sent and judged when the terminal is built.
 */
export function decidePty(info: { term?: unknown; cols?: unknown; rows?: unknown }): PtyRequest {
  return {
    term: sanitizeToken(typeof info.term === 'string' ? info.term : '', TERMINAL_LIMITS.maxTypeLength, true),
    cols: typeof info.cols === 'number' ? info.cols : 0,
    rows: typeof info.rows === 'number' ? info.rows : 0,
  };
}

export type EnvDecision = { accept: true; key: string; value: string } | { accept: false; reason: string };

/** POSIX environment names; anything else is not a variable a terminal would send. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * An env request (RFC 4254 §6.4) is a hint about the caller's terminal (LANG, LC_*,
 * COLORTERM), never identity. Names are uppercased like telnet's NEW-ENVIRON keys;
 * values are stripped to printable ASCII and capped; at most maxEnvEntries distinct
 * names are kept, so a flood of variables costs nothing.
 */
export function decideEnv(env: Readonly<Record<string, string>>, key: unknown, value: unknown): EnvDecision {
  if (typeof key !== 'string' || !ENV_NAME.test(key) || key.length > TERMINAL_LIMITS.maxEnvKeyLength) {
    return { accept: false, reason: 'not an environment variable name' };
  }
  const name = key.toUpperCase();
  if (!(name in env) && Object.keys(env).length >= TERMINAL_LIMITS.maxEnvEntries) {
    return { accept: false, reason: 'too many environment variables' };
  }
  return { accept: true, key: name, value: sanitizeToken(typeof value === 'string' ? value : '', TERMINAL_LIMITS.maxEnvValueLength) };
}

/**
 * The terminal a shell starts with. Encoding: LANG/LC_* first (the caller's own locale
 * is the strongest signal ssh carries), then the TERM table, else left to the engine's
 * probe. No pty: type 'unknown' and the default size, for the engine to probe.
 * A nonsense pty size (0 or 65535 columns) also stays 'default'.
 */
export function sshTerminal(pty: PtyRequest | undefined, env: Readonly<Record<string, string>>): Partial<TerminalInfo> {
  const terminal: Partial<TerminalInfo> = { protocol: 'ssh', type: 'unknown', types: [], env: { ...env } };
  if (pty) {
    if (pty.term) {
      terminal.type = pty.term;
      terminal.types = [pty.term];
    }
    const size = clampSize(pty.cols, pty.rows);
    terminal.cols = size.cols;
    terminal.rows = size.rows;
    terminal.sizeSource = size.sane ? 'pty' : 'default';
  }
  const fromEnv = encodingFromEnv(env);
  const fromType = pty?.term ? encodingForTerminalType(pty.term) : undefined;
  if (fromEnv) Object.assign(terminal, { encoding: fromEnv, encodingSource: 'lang' });
  else if (fromType) Object.assign(terminal, { encoding: fromType, encodingSource: 'ttype' });
  return terminal;
}
