import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CarrierError, ErrorCodes, isCarrierError, readOpenFileBounded, type Logger } from '@carrier/core';
import { decodeCp437Art, detectUtf8Text } from '@carrier/terminal';
import { stampOf } from '../file-stamp.js';
import { singleFlight } from '../single-flight.js';
import { actionDefinition, NAME } from './actions.js';
import { pathKey, validateMenu, type Validation } from './schema.js';
import type { Menu, MenuParser, MenuProblem, MenuRef } from './types.js';

/** What menus point at, looked up where the board keeps it. */
export interface MenuRefs {
  scriptExists(name: string): Promise<boolean>;
  /** the files that would serve art `name`; rejects with VALIDATION for a name that is not plain */
  artFiles(name: string): Promise<string[]>;
  /** whether doors.yaml has an enabled door `name`; without it `door:` targets are checked when run */
  doorExists?(name: string): Promise<boolean>;
}

export interface MenuLibraryOptions {
  dir: string;
  parse: MenuParser;
  log: Logger;
  refs: MenuRefs;
}

/** A menu is a screenful of YAML; anything this big is not one, and is not read. */
export const MAX_MENU_BYTES = 256 * 1024;
/** A `page` text (rules, bulletins) is read whole into memory for the pager. */
export const MAX_PAGE_BYTES = 1024 * 1024;
/**
 * A broken menu that stays broken is validated again at most this often: often enough
 * that creating the script it pointed at is noticed without touching the menu, rarely
 * enough that callers hammering a broken menu cost almost nothing.
 */
const RETRY_BROKEN_MS = 1_000;
/** One log line per problem, up to this many per failed load. */
const MAX_LOGGED_PROBLEMS = 20;

interface Entry {
  good?: { menu: Menu; stamp: string };
  broken?: { stamp: string; at: number; error: CarrierError; signature: string };
  inflight?: Promise<Menu>;
}

/**
 * Menus from `config/menus/<name>.yaml`, validated and cached. Every get() stats the
 * file: an edit is seen by the next caller to draw the menu, with no restart. An edit
 * that does not validate (syntax, schema, duplicate hotkeys, targets or art that do not
 * exist) is refused with a log line per problem, and the last good version keeps serving.
 */
export class MenuLibrary {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: MenuLibraryOptions) {}

  get dir(): string {
    return this.opts.dir;
  }

  fileFor(name: string): string {
    return join(this.opts.dir, `${name}.yaml`);
  }

  /** The current good version of menu `name`; rejects NOT_FOUND or VALIDATION when there is none. */
  async get(name: string): Promise<Menu> {
    if (!NAME.test(name)) throw new CarrierError(ErrorCodes.NOT_FOUND, `not a menu name: ${JSON.stringify(name.slice(0, 80))}`);
    let entry = this.entries.get(name);
    if (!entry) this.entries.set(name, (entry = {}));
    // Callers arriving while the file is read share that read.
    const e = entry;
    return singleFlight(e, () => this.refresh(name, e));
  }

  /** Read and validate menu `name` from disk now, without the cache (what `carrier check` does). */
  async load(name: string): Promise<Validation> {
    const file = this.fileFor(name);
    let text: string;
    try {
      text = (await readBounded(file, MAX_MENU_BYTES)).toString('utf8');
    } catch (err) {
      return { ok: false, problems: [{ file, key: '(file)', message: (err as Error).message }] };
    }
    let result: Validation;
    try {
      result = validateMenu(this.opts.parse(text), file, name);
    } catch (err) {
      return { ok: false, problems: [{ file, key: '(syntax)', message: (err as Error).message }] };
    }
    // Shape problems do not hide missing targets: the items that did validate are checked too.
    if (!result.ok) return result.partial ? { ok: false, problems: [...result.problems, ...(await this.missingRefs(result.partial))] } : result;
    const problems = await this.missingRefs(result.menu);
    return problems.length > 0 ? { ok: false, problems } : result;
  }

  /** The text of a `page` file under the menus folder: UTF-8 when it is valid UTF-8, else CP437. */
  async readPage(path: string): Promise<string> {
    const bytes = await readBounded(join(this.opts.dir, ...path.split('/')), MAX_PAGE_BYTES);
    return detectUtf8Text(bytes) || !bytes.some((b) => b >= 0x80) ? bytes.toString('utf8') : decodeCp437Art(bytes);
  }

  private async refresh(name: string, entry: Entry): Promise<Menu> {
    const file = this.fileFor(name);
    const stamp = await stampOf(file);
    if (stamp === undefined) {
      // Forgotten, so names asked for and never found (a script's typo, in a loop) cannot pile up.
      this.entries.delete(name);
      throw new CarrierError(ErrorCodes.NOT_FOUND, `no menu named "${name}" (looked for ${file})`, { menu: name, file });
    }
    if (entry.good?.stamp === stamp) return entry.good.menu;
    const broken = entry.broken;
    if (broken && broken.stamp === stamp && Date.now() - broken.at < RETRY_BROKEN_MS) {
      if (entry.good) return entry.good.menu;
      throw broken.error;
    }
    const result = await this.load(name);
    if (result.ok) {
      entry.good = { menu: result.menu, stamp };
      entry.broken = undefined;
      this.opts.log.info('menu.loaded', { menu: name, file, items: result.menu.items.length });
      return result.menu;
    }
    const first = result.problems[0]!;
    const error = new CarrierError(ErrorCodes.VALIDATION, `menu "${name}" is invalid: ${formatProblem(first)}`, {
      menu: name,
      problems: result.problems,
    });
    const signature = JSON.stringify(result.problems);
    // The same unfixed problems are logged once, not on every retry.
    if (broken?.signature !== signature) {
      for (const p of result.problems.slice(0, MAX_LOGGED_PROBLEMS)) {
        this.opts.log.error('menu.invalid', { menu: name, file: p.file, line: p.line, key: p.key, message: p.message });
      }
      if (entry.good) this.opts.log.warn('menu.kept_previous', { menu: name, file });
    }
    entry.broken = { stamp, at: Date.now(), error, signature };
    if (entry.good) return entry.good.menu;
    throw error;
  }

  private async missingRefs(menu: Menu): Promise<MenuProblem[]> {
    const problems: MenuProblem[] = [];
    const check = async (ref: MenuRef, path: readonly (string | number)[], line: number | undefined): Promise<void> => {
      const message = await this.refProblem(ref);
      if (message) problems.push({ file: menu.file, line, key: pathKey(path), message });
    };
    if (menu.art) await check({ kind: 'art', name: menu.art.name }, ['art'], menu.artLine);
    for (const [i, item] of menu.items.entries()) {
      const kind = item.action.kind;
      for (const ref of actionDefinition(kind).refs(item.action)) await check(ref, ['items', i, kind], item.actionLine);
    }
    return problems;
  }

  private async refProblem(ref: MenuRef): Promise<string | undefined> {
    switch (ref.kind) {
      case 'script':
        return (await this.opts.refs.scriptExists(ref.name)) ? undefined : `no script named "${ref.name}"`;
      case 'menu':
        return (await stampOf(this.fileFor(ref.name))) ? undefined : `no menu named "${ref.name}" (${this.fileFor(ref.name)})`;
      case 'art':
        try {
          return (await this.opts.refs.artFiles(ref.name)).length > 0 ? undefined : `no art named "${ref.name}"`;
        } catch (err) {
          return isCarrierError(err) ? err.message : `art "${ref.name}": ${(err as Error).message}`;
        }
      case 'file': {
        const file = join(this.opts.dir, ...ref.path.split('/'));
        try {
          const st = await stat(file);
          if (!st.isFile()) return `${file} is not a file`;
          if (st.size > MAX_PAGE_BYTES) return `${file} is ${st.size} bytes, over the ${MAX_PAGE_BYTES}-byte limit for paged text`;
          return undefined;
        } catch {
          return `no file ${file}`;
        }
      }
      case 'door':
        if (!this.opts.refs.doorExists) return undefined;
        return (await this.opts.refs.doorExists(ref.name)) ? undefined : `no enabled door named "${ref.name}" in doors.yaml`;
    }
  }
}

export function formatProblem(p: MenuProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}: ${p.key}: ${p.message}`;
}

/** The whole file, refused by its size (fstat of the open file) before a byte is read. */
async function readBounded(file: string, max: number): Promise<Buffer> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CarrierError(code === 'ENOENT' ? ErrorCodes.NOT_FOUND : ErrorCodes.VALIDATION, `cannot read ${file}: ${code ?? (err as Error).message}`, { file });
  }
  try {
    return (await readOpenFileBounded(fh, file, max)).bytes;
  } finally {
    await fh.close();
  }
}
