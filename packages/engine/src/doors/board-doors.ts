import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { client, type Logger } from '@carrier/core';
import { validateDoors, type DoorDefinition, type DoorProblem, type DoorsDocument } from '@carrier/doors';
import { stampOf } from '../file-stamp.js';

/** Text -> a parsed document with lines (the server's YAML parser, as for menus). */
export type DoorsParser = (text: string) => DoorsDocument;

export interface BoardDoorsOptions {
  /** config/doors.yaml; a missing file is a board without doors */
  file: string;
  parse: DoorsParser;
  /** node directories are `<dataDir>/nodes/<node>/` */
  dataDir: string;
  log: Logger;
  /** what DOOR32.SYS line 4 and DOOR.SYS say the board is */
  software?: string | undefined;
  sysopName?: string | undefined;
  /** prlimit(1); default /usr/bin/prlimit */
  prlimit?: string | undefined;
  /** between SIGHUP/SIGTERM and SIGKILL */
  killGraceMs?: number | undefined;
}

/** A doors.yaml bigger than this is not a door list. */
const MAX_DOORS_FILE_BYTES = 256 * 1024;
/** A broken file that stays broken is re-read at most this often. */
const RETRY_BROKEN_MS = 1_000;

/**
 * The board's doors: config/doors.yaml (re-read when it changes, like menus: a broken
 * edit is logged once and the last good list keeps serving) and who is in which door on
 * this process. `maxCallers` counts this process's callers and, with a Redis bus, the
 * other processes' callers through presence (their activity names the door).
 */
export class BoardDoors {
  private doors: DoorDefinition[] = [];
  private stamp: string | undefined = 'never read';
  private brokenAt = 0;
  private brokenSignature = '';
  private loading: Promise<void> | undefined;
  private readonly inside = new Map<string, Set<string>>();

  constructor(readonly opts: BoardDoorsOptions) {}

  get dataDir(): string {
    return this.opts.dataDir;
  }

  nodeDir(node: number): string {
    return join(this.opts.dataDir, 'nodes', String(node));
  }

  /** Every enabled door, in file order. */
  async list(): Promise<DoorDefinition[]> {
    await this.refresh();
    return this.doors.filter((d) => d.enabled);
  }

  /** An enabled door by name (case-insensitive). */
  async get(name: string): Promise<DoorDefinition | undefined> {
    const lower = name.toLowerCase();
    return (await this.list()).find((d) => d.name.toLowerCase() === lower);
  }

  /** Sessions of this process inside `door` right now. */
  callersHere(door: string): number {
    return this.inside.get(door.toLowerCase())?.size ?? 0;
  }

  /** Count `sessionId` in `door` until the returned release is called. */
  enter(door: string, sessionId: string): () => void {
    const key = door.toLowerCase();
    let set = this.inside.get(key);
    if (!set) this.inside.set(key, (set = new Set()));
    set.add(sessionId);
    return () => {
      set.delete(sessionId);
      if (set.size === 0 && this.inside.get(key) === set) this.inside.delete(key);
    };
  }

  private refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<void> {
    const stamp = await stampOf(this.opts.file);
    if (stamp === this.stamp) return;
    if (stamp === undefined) {
      this.doors = [];
      this.stamp = undefined;
      return;
    }
    if (this.brokenAt > 0 && Date.now() - this.brokenAt < RETRY_BROKEN_MS) return;
    const result = await readDoorsFile(this.opts.file, this.opts.parse);
    if (result.ok) {
      this.doors = result.doors;
      this.stamp = stamp;
      this.brokenAt = 0;
      this.brokenSignature = '';
      this.opts.log.info('doors.loaded', { file: this.opts.file, doors: result.doors.length });
      return;
    }
    this.brokenAt = Date.now();
    const signature = result.problems.map((p) => `${p.line}:${p.key}:${p.message}`).join('\n');
    if (signature !== this.brokenSignature) {
      this.brokenSignature = signature;
      for (const p of result.problems.slice(0, 20)) {
        this.opts.log.warn('doors.invalid', { file: p.file, line: p.line, key: p.key, problem: client(p.message) });
      }
    }
  }
}

/** Read and validate a doors file (what `carrier check` and the board both do). */
export async function readDoorsFile(
  file: string,
  parse: DoorsParser,
): Promise<{ ok: true; doors: DoorDefinition[] } | { ok: false; problems: DoorProblem[] }> {
  let text: string;
  try {
    const bytes = await readFile(file);
    if (bytes.length > MAX_DOORS_FILE_BYTES) {
      return { ok: false, problems: [{ file, key: '(file)', message: `${bytes.length} bytes; a doors file is at most ${MAX_DOORS_FILE_BYTES}` }] };
    }
    text = bytes.toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, doors: [] };
    return { ok: false, problems: [{ file, key: '(file)', message: (err as Error).message }] };
  }
  return validateDoors(parse(text), file);
}
