import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { silentLogger } from '@carrier/core';
import { NAME } from './actions.js';
import { MenuLibrary, type MenuRefs } from './library.js';
import { pathKey } from './schema.js';
import type { Menu, MenuParser, MenuProblem } from './types.js';

export interface MenuCheckOptions {
  dir: string;
  parse: MenuParser;
  refs: MenuRefs;
}

/**
 * What `carrier check` reports for a menus folder: for every menu what loading it would
 * refuse (syntax, schema, duplicate hotkeys, targets and art that do not exist), files
 * that look like menus but are not read, and gosub loops between menus.
 */
export async function checkMenus(opts: MenuCheckOptions): Promise<MenuProblem[]> {
  let names: string[];
  try {
    names = (await readdir(opts.dir)).sort();
  } catch (err) {
    return [{ file: resolve(opts.dir), key: '(folder)', message: `cannot read the menus folder: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }];
  }
  const library = new MenuLibrary({ ...opts, log: silentLogger });
  const problems: MenuProblem[] = [];
  const menus: Menu[] = [];
  for (const fileName of names) {
    const file = join(opts.dir, fileName);
    if (/\.yml$/i.test(fileName)) {
      problems.push({ file, key: '(file)', message: 'menus are read from .yaml files; rename this one to be read' });
      continue;
    }
    if (!fileName.endsWith('.yaml')) continue;
    const name = fileName.slice(0, -'.yaml'.length);
    if (!NAME.test(name)) {
      problems.push({ file, key: '(file)', message: 'a menu file name is letters, digits, _ and - (then .yaml); this one is never read' });
      continue;
    }
    const result = await library.load(name);
    if (result.ok) menus.push(result.menu);
    else problems.push(...result.problems);
  }
  problems.push(...gosubLoops(menus));
  return problems;
}

/**
 * A gosub from a menu back to itself, directly or through others, nests one more menu
 * each time round until the script stack's depth limit ends it with an apology. goto
 * replaces the menu instead, which is what such a loop means. One problem per loop, at
 * the item that closes it.
 */
export function gosubLoops(menus: readonly Menu[]): MenuProblem[] {
  const byName = new Map(menus.map((m) => [m.name, m]));
  const edges = (m: Menu) =>
    m.items.flatMap((item, i) =>
      item.action.kind === 'gosub' && item.action.target.type === 'menu' ? [{ to: item.action.target.name, i, line: item.actionLine }] : [],
    );
  const problems: MenuProblem[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (m: Menu): void => {
    state.set(m.name, 'open');
    trail.push(m.name);
    for (const e of edges(m)) {
      const next = byName.get(e.to);
      if (!next) continue;
      if (state.get(e.to) === 'open') {
        const loop = [...trail.slice(trail.indexOf(e.to)), e.to].join(' -> ');
        problems.push({
          file: m.file,
          line: e.line,
          key: pathKey(['items', e.i, 'gosub']),
          message: `gosub loop ${loop}: every pass nests one more menu until the stack limit; use goto to go round`,
        });
      } else if (!state.has(e.to)) visit(next);
    }
    trail.pop();
    state.set(m.name, 'done');
  };
  for (const m of menus) if (!state.has(m.name)) visit(m);
  return problems;
}
