import type { Encoding } from '@carrier/core';

/**
 * A door's whole environment, built from an allow-list: nothing of carrier's own
 * environment (secrets such as DATABASE_URL or REDIS_URL) and nothing the caller typed.
 * The terminal type a client reports is caller-controlled, so TERM is chosen from a
 * fixed list and anything else maps to a plain default.
 */

export const DOOR_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/games';

/**
 * Terminal types passed through as they are; every one has a terminfo entry on Debian.
 * `dumb` reaches only doors marked `terminal: plain` (others are refused to such a caller).
 */
const KNOWN_TERMS = new Set(['dumb', 'ansi', 'vt100', 'vt102', 'vt220', 'linux', 'xterm', 'xterm-256color', 'screen', 'screen-256color', 'tmux', 'tmux-256color', 'putty']);

/** TERM for a door: the caller's type when it is a known one, else ansi (CP437 callers) or xterm-256color. */
export function doorTerm(callerType: string, callerEncoding: Encoding): string {
  const t = callerType.toLowerCase();
  if (KNOWN_TERMS.has(t)) return t;
  if (t === 'syncterm' || t === 'cterm' || t === 'pcansi' || t === 'ansi-bbs') return 'ansi';
  return callerEncoding === 'cp437' ? 'ansi' : 'xterm-256color';
}

export interface DoorEnvironmentInput {
  term: string;
  cols: number;
  rows: number;
  /** what the door speaks */
  encoding: Encoding;
  /** the node directory: HOME, and where the drop files are */
  nodeDir: string;
  node: number;
  /** the sysop's `env:` from doors.yaml, validated there; it may override the defaults */
  sysop: Readonly<Record<string, string>>;
}

export function doorEnvironment(input: DoorEnvironmentInput): Record<string, string> {
  return {
    PATH: DOOR_PATH,
    HOME: input.nodeDir,
    TERM: input.term,
    COLUMNS: String(input.cols),
    LINES: String(input.rows),
    // A UTF-8 door's libc must know it may print UTF-8; a CP437 door wants bytes as they are.
    LANG: input.encoding === 'utf8' ? 'C.UTF-8' : 'C',
    CARRIER_NODE: String(input.node),
    CARRIER_DROP_DIR: input.nodeDir,
    ...input.sysop,
  };
}
