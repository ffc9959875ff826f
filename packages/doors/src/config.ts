import { isAbsolute } from 'node:path';
import type { Encoding } from '@carrier/core';
import { DROP_FILE_KINDS, type DropFileKind } from './drop-files.js';

/**
 * config/doors.yaml, validated. The doors package reads no YAML: the server parses the
 * file (keeping each key's line) and hands the document here, like menus.
 *
 *   doors:
 *     - name: nethack                 letters, digits, _ and -; what `door: nethack` names
 *       description: NetHack 3.6      what the door list shows
 *       command: [/usr/games/nethack] the argument vector, exactly; never a shell string
 *       cwd: /var/games/nethack       optional; default the caller's node directory
 *       env: { NETHACKOPTIONS: "…" }  optional, fixed by the sysop (added to the allow-list)
 *       dropFiles: [door32.sys]       any of door32.sys, door.sys, dorinfo1.def (default door32.sys)
 *       encoding: utf8                what the door writes and reads: cp437 or utf8
 *       terminal: plain               ansi (default): it needs cursor control, so a caller on a
 *                                     plain terminal (TERM=dumb) is told so; plain: it writes
 *                                     lines of text and runs for every caller
 *       timeLimit: 30m                per call (default 30m); also capped by the call's time left
 *       dailyLimit: 2h                per user per day (default none)
 *       maxCallers: 1                 in the door at once (default unlimited)
 *       level: 20                     minimum security level (default 20, a validated user)
 *       cpuSeconds: 120               CPU time limit (prlimit --cpu), default 300
 *       memoryMiB: 512                address-space limit (prlimit --as), default 1024
 *       enabled: true                 default true
 */

/** What a door draws with: ANSI cursor control, or plain lines of text. */
export type DoorTerminal = 'ansi' | 'plain';

export interface DoorDefinition {
  name: string;
  description: string;
  command: readonly string[];
  cwd?: string | undefined;
  env: Readonly<Record<string, string>>;
  dropFiles: readonly DropFileKind[];
  io: 'stdio';
  encoding: Encoding;
  /** ansi: needs cursor control (not run for a plain terminal); plain: line-by-line text, runs anywhere */
  terminal: DoorTerminal;
  timeLimitMs: number;
  dailyLimitMs?: number | undefined;
  maxCallers?: number | undefined;
  level: number;
  cpuSeconds: number;
  memoryMiB: number;
  enabled: boolean;
  line?: number | undefined;
}

/** A parsed file: the data, syntax errors, and the line of a key (the server's YAML parser). */
export interface DoorsDocument {
  readonly value: unknown;
  readonly errors: readonly { line?: number | undefined; message: string }[];
  lineOf(path: readonly (string | number)[]): number | undefined;
}

export interface DoorProblem {
  file: string;
  line?: number | undefined;
  key: string;
  message: string;
}

export type DoorsValidation = { ok: true; doors: DoorDefinition[] } | { ok: false; problems: DoorProblem[] };

export const DOOR_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,31}$/;
export const MAX_DOORS = 200;
const MAX_ARGS = 64;
const MAX_ARG = 1024;
const MAX_ENV = 32;
const MAX_DESCRIPTION = 60;
/** Environment names a sysop may set: POSIX portable names, never the loader's (LD_PRELOAD runs code). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const FORBIDDEN_ENV = /^(LD_|DYLD_)|^NODE_OPTIONS$/;
export const DEFAULT_LEVEL = 20;
const DEFAULT_TIME_LIMIT_MS = 30 * 60_000;
const MAX_TIME_LIMIT_MS = 24 * 3_600_000;
const DEFAULT_CPU_SECONDS = 300;
const DEFAULT_MEMORY_MIB = 1024;

const TOP_KEYS = ['doors'];
const DOOR_KEYS = [
  'name', 'description', 'command', 'cwd', 'env', 'dropFiles', 'io', 'encoding', 'terminal', 'timeLimit', 'dailyLimit',
  'maxCallers', 'level', 'cpuSeconds', 'memoryMiB', 'enabled',
];

type Path = readonly (string | number)[];

function pathKey(path: Path): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out || '(top)';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `90s`, `30m`, `2h`, or a number of seconds; undefined when it is none of those. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? Math.round(v * 1000) : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{1,6})\s*(s|m|h)$/.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 3_600_000;
  return n > 0 ? n * unit : undefined;
}

function int(v: unknown, min: number, max: number): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined;
}

export function validateDoors(doc: DoorsDocument, file: string): DoorsValidation {
  const problems: DoorProblem[] = [];
  const problem = (path: Path, message: string): void => {
    problems.push({ file, line: doc.lineOf(path), key: pathKey(path), message });
  };
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => ({ file, line: e.line, key: '(syntax)', message: e.message })) };
  }
  const v = doc.value;
  // An empty file (or only comments) is a board without doors.
  if (v === undefined || v === null) return { ok: true, doors: [] };
  if (!isObject(v)) {
    problem([], 'doors.yaml is a mapping with one key, doors: a list');
    return { ok: false, problems };
  }
  for (const k of Object.keys(v)) if (!TOP_KEYS.includes(k)) problem([k], 'unknown key; the file has one key, doors');
  const raw = v['doors'];
  const doors: DoorDefinition[] = [];
  if (raw === undefined || raw === null) return problems.length > 0 ? { ok: false, problems } : { ok: true, doors };
  if (!Array.isArray(raw)) {
    problem(['doors'], 'must be a list of doors');
    return { ok: false, problems };
  }
  if (raw.length > MAX_DOORS) problem(['doors'], `at most ${MAX_DOORS} doors (got ${raw.length})`);
  const seen = new Map<string, number>();
  raw.slice(0, MAX_DOORS).forEach((entry, i) => {
    const door = validateDoor(entry, ['doors', i], problem, doc);
    if (!door) return;
    const key = door.name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      problem(['doors', i, 'name'], `duplicate door name ${JSON.stringify(door.name)}: doors[${first}] already uses it`);
      return;
    }
    seen.set(key, i);
    doors.push(door);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, doors };
}

function validateDoor(raw: unknown, path: Path, problem: (p: Path, m: string) => void, doc: DoorsDocument): DoorDefinition | undefined {
  if (!isObject(raw)) {
    problem(path, 'a door is a mapping with name, description and command');
    return undefined;
  }
  let ok = true;
  const fail = (sub: Path, message: string): void => {
    ok = false;
    problem([...path, ...sub], message);
  };
  for (const k of Object.keys(raw)) if (!DOOR_KEYS.includes(k)) fail([k], `unknown key; a door has ${DOOR_KEYS.join(', ')}`);

  const name = raw['name'];
  if (typeof name !== 'string' || !DOOR_NAME.test(name)) fail(name === undefined ? [] : ['name'], 'name is required: 1-32 letters, digits, _ and -');
  const description = raw['description'];
  if (typeof description !== 'string' || description.trim() === '' || description.length > MAX_DESCRIPTION) {
    fail(description === undefined ? [] : ['description'], `description is required: text of 1-${MAX_DESCRIPTION} characters`);
  }

  const command = raw['command'];
  if (typeof command === 'string') {
    fail(['command'], 'must be a list (the argument vector), not a string: carrier never runs a shell; write [/usr/games/foo, --arg]');
  } else if (!Array.isArray(command) || command.length === 0 || command.length > MAX_ARGS) {
    fail(command === undefined ? [] : ['command'], `command is required: a list of 1-${MAX_ARGS} arguments, the program first`);
  } else {
    command.forEach((arg, j) => {
      // eslint-disable-next-line no-control-regex
      if (typeof arg !== 'string' || arg.length === 0 || arg.length > MAX_ARG || /[\u0000]/.test(arg)) {
        fail(['command', j], `each argument is text of 1-${MAX_ARG} characters`);
      }
    });
    if (typeof command[0] === 'string' && !isAbsolute(command[0])) {
      fail(['command', 0], 'the program must be an absolute path (/usr/games/foo): no PATH search');
    }
  }

  const cwd = raw['cwd'];
  if (cwd !== undefined && (typeof cwd !== 'string' || !isAbsolute(cwd))) fail(['cwd'], 'must be an absolute path');

  const env: Record<string, string> = {};
  const rawEnv = raw['env'];
  if (rawEnv !== undefined) {
    if (!isObject(rawEnv)) fail(['env'], 'must be a mapping of NAME: value');
    else {
      const entries = Object.entries(rawEnv);
      if (entries.length > MAX_ENV) fail(['env'], `at most ${MAX_ENV} variables`);
      for (const [k, val] of entries) {
        if (!ENV_NAME.test(k) || FORBIDDEN_ENV.test(k)) fail(['env', k], 'not a name a door may be given (letters, digits, _; no LD_*, DYLD_*, NODE_OPTIONS)');
        else if (typeof val !== 'string' && typeof val !== 'number') fail(['env', k], 'must be text or a number');
        else env[k] = String(val);
      }
    }
  }

  let dropFiles: DropFileKind[] = ['door32.sys'];
  const rawDrop = raw['dropFiles'];
  if (rawDrop !== undefined) {
    const list = typeof rawDrop === 'string' ? [rawDrop] : rawDrop;
    if (!Array.isArray(list)) fail(['dropFiles'], `must be a list of ${DROP_FILE_KINDS.join(', ')}`);
    else {
      dropFiles = [];
      list.forEach((d, j) => {
        const kind = typeof d === 'string' ? (d.toLowerCase() as DropFileKind) : undefined;
        if (!kind || !DROP_FILE_KINDS.includes(kind)) fail(['dropFiles', j], `unknown drop file; one of ${DROP_FILE_KINDS.join(', ')}`);
        else if (!dropFiles.includes(kind)) dropFiles.push(kind);
      });
    }
  }

  const io = raw['io'];
  if (io !== undefined && io !== 'stdio') {
    fail(
      ['io'],
      io === 'socket'
        ? 'socket doors are not supported: Node cannot hand a socket to a child and keep serving it (see README, Doors); use stdio'
        : 'must be stdio',
    );
  }

  let encoding: Encoding = 'cp437';
  const rawEnc = raw['encoding'];
  if (rawEnc !== undefined) {
    if (rawEnc !== 'cp437' && rawEnc !== 'utf8') fail(['encoding'], 'must be cp437 or utf8');
    else encoding = rawEnc;
  }

  let terminal: DoorTerminal = 'ansi';
  const rawTerminal = raw['terminal'];
  if (rawTerminal !== undefined) {
    if (rawTerminal !== 'ansi' && rawTerminal !== 'plain') fail(['terminal'], 'must be ansi or plain');
    else terminal = rawTerminal;
  }

  const duration = (key: string, fallback: number | undefined): number | undefined => {
    const val = raw[key];
    if (val === undefined) return fallback;
    const ms = parseDuration(val);
    if (ms === undefined || ms > MAX_TIME_LIMIT_MS) {
      fail([key], 'must be a duration such as 90s, 30m or 2h (at most 24h), or a number of seconds');
      return fallback;
    }
    return ms;
  };
  const timeLimitMs = duration('timeLimit', DEFAULT_TIME_LIMIT_MS)!;
  const dailyLimitMs = duration('dailyLimit', undefined);

  const number = (key: string, min: number, max: number, fallback: number | undefined, what: string): number | undefined => {
    const val = raw[key];
    if (val === undefined) return fallback;
    const n = int(val, min, max);
    if (n === undefined) fail([key], `must be a whole number from ${min} to ${max} (${what})`);
    return n ?? fallback;
  };
  const maxCallers = number('maxCallers', 1, 1000, undefined, 'callers in the door at once');
  // 0-100: store's MIN_LEVEL..MAX_LEVEL (levels.ts); the doors package depends on core only.
  const level = number('level', 0, 100, DEFAULT_LEVEL, 'minimum security level')!;
  const cpuSeconds = number('cpuSeconds', 1, 86_400, DEFAULT_CPU_SECONDS, 'CPU seconds per run')!;
  const memoryMiB = number('memoryMiB', 16, 65_536, DEFAULT_MEMORY_MIB, 'address space in MiB')!;
  const enabled = raw['enabled'];
  if (enabled !== undefined && typeof enabled !== 'boolean') fail(['enabled'], 'must be true or false');

  if (!ok) return undefined;
  return {
    name: name as string,
    description: description as string,
    command: command as string[],
    cwd: cwd as string | undefined,
    env,
    dropFiles,
    io: 'stdio',
    encoding,
    terminal,
    timeLimitMs,
    dailyLimitMs,
    maxCallers,
    level,
    cpuSeconds,
    memoryMiB,
    enabled: enabled !== false,
    line: doc.lineOf(path),
  };
}
