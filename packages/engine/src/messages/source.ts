import { readFile, stat } from 'node:fs/promises';
import type { Logger } from '@carrier/core';
import type { ScriptBoard } from '../session-api.js';
import type { MenuParser } from '../menu/types.js';
import { DEFAULT_MESSAGE_AREAS, validateMessageAreas, type MessageAreas, type MessageAreasProblem } from './areas.js';

/**
 * Where a board's message areas come from: config/messages.yaml, re-read when it
 * changes (a stat at most once a second), the last good version kept when an edit is
 * broken (logged once per distinct problem set). No file: the default areas.
 */
export interface MessageAreasSourceOptions {
  file: string;
  parse: MenuParser;
  log: Logger;
}

/** Files larger than this are refused: a sysop's area list is a few KiB. */
const MAX_FILE_BYTES = 256 * 1024;
const RECHECK_MS = 1000;

export class MessageAreasSource {
  private current: MessageAreas = DEFAULT_MESSAGE_AREAS;
  private stamp = '';
  private checkedAt = 0;
  private loading: Promise<MessageAreas> | undefined;
  private lastProblems = '';

  constructor(private readonly opts: MessageAreasSourceOptions) {}

  /** The areas now (re-reading the file if it changed). */
  areas(now = Date.now()): Promise<MessageAreas> {
    if (now - this.checkedAt < RECHECK_MS) return Promise.resolve(this.current);
    this.loading ??= this.refresh(now).finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async refresh(now: number): Promise<MessageAreas> {
    this.checkedAt = now;
    let stamp: string;
    try {
      const st = await stat(this.opts.file);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch {
      if (this.stamp !== 'missing') this.opts.log.info('messages.areas_default', { file: this.opts.file });
      this.stamp = 'missing';
      this.current = DEFAULT_MESSAGE_AREAS;
      return this.current;
    }
    if (stamp === this.stamp) return this.current;
    this.stamp = stamp;
    const loaded = await loadMessageAreasFile(this.opts.file, this.opts.parse);
    if (loaded.areas) {
      this.current = loaded.areas;
      this.lastProblems = '';
      this.opts.log.info('messages.areas_loaded', { file: this.opts.file, areas: loaded.areas.areas.length });
    } else {
      const key = JSON.stringify(loaded.problems);
      if (key !== this.lastProblems) {
        this.lastProblems = key;
        for (const p of loaded.problems) this.opts.log.warn('messages.areas_invalid', { file: this.opts.file, line: p.line, key: p.key, message: p.message });
      }
    }
    return this.current;
  }
}

/** Read and validate a messages.yaml (for the board and for `carrier check`). */
export async function loadMessageAreasFile(file: string, parse: MenuParser): Promise<{ areas?: MessageAreas; problems: MessageAreasProblem[] }> {
  let text: string;
  try {
    const st = await stat(file);
    if (st.size > MAX_FILE_BYTES) return { problems: [{ key: '', message: `larger than ${MAX_FILE_BYTES} bytes` }] };
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { problems: [{ key: '', message: `cannot read: ${(err as Error).message}` }] };
  }
  return validateMessageAreas(parse(text));
}

const sources = new WeakMap<ScriptBoard, MessageAreasSource>();

/** The server calls this once after createBoard; a board without it uses the default areas. */
export function attachMessageAreas(board: ScriptBoard, opts: MessageAreasSourceOptions): MessageAreasSource {
  const source = new MessageAreasSource(opts);
  sources.set(board, source);
  return source;
}

/** The board's message areas now. */
export function messageAreasOf(board: ScriptBoard): Promise<MessageAreas> {
  return sources.get(board)?.areas() ?? Promise.resolve(DEFAULT_MESSAGE_AREAS);
}
