import { stat } from 'node:fs/promises';
import type { Logger } from '@carrier/core';
import { findArtFiles } from '@carrier/terminal';
import type { ScriptFunction } from '../session-api.js';
import type { ScriptLoader } from '../script-loader.js';
import { MenuLibrary, type MenuRefs } from './library.js';
import { runMenu } from './runner.js';
import type { MenuParser } from './types.js';

/** What the board is given to run menus: the folder, and a parser for the files (the server's YAML). */
export interface BoardMenuOptions {
  dir: string;
  parse: MenuParser;
}

/** Menu references resolved against the board's scripts and art folders. */
export function boardMenuRefs(scriptFile: (name: string) => string, artDir: string): MenuRefs {
  return {
    async scriptExists(name) {
      try {
        return (await stat(scriptFile(name))).isFile();
      } catch {
        return false;
      }
    },
    artFiles: (name) => findArtFiles(artDir, name),
  };
}

/** What the board hands each session for its menus: the script-stack frame that runs menu `name`. */
export interface BoardMenus {
  frame(name: string): ScriptFunction;
}

export function boardMenus(opts: BoardMenuOptions, loader: ScriptLoader, artDir: string, log: Logger): BoardMenus {
  const refs = boardMenuRefs((name) => loader.fileFor(name), artDir);
  const deps = { library: new MenuLibrary({ dir: opts.dir, parse: opts.parse, log, refs }), scriptExists: refs.scriptExists };
  return { frame: (name) => (s) => runMenu(s, name, deps) };
}
