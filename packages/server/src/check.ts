import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { boardMenuRefs, checkMenus, checkScripts } from '@carrier/engine';
import { checkArtFile } from '@carrier/terminal';
import type { LoadedConfig } from './config.js';
import { parseMenuYaml } from './menu-yaml.js';

export interface Problem {
  file: string;
  line?: number;
  key?: string;
  message: string;
}

function listFiles(dir: string, test: (name: string) => boolean): string[] {
  try {
    return readdirSync(dir).filter(test).sort().map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/** `carrier check`: the config (already valid to get here), every script and every art file. */
export async function runCheck(loaded: LoadedConfig, out: (line: string) => void): Promise<number> {
  const cfg = loaded.config;
  const problems: Problem[] = [];
  out(`config ok: ${loaded.file ?? '(built-in defaults)'}`);

  const scriptProblems = await checkScripts(cfg.paths.scripts);
  problems.push(...scriptProblems);
  const scripts = listFiles(cfg.paths.scripts, (n) => n.endsWith('.ts'));
  out(`scripts: ${scripts.length} checked in ${cfg.paths.scripts}`);

  const art = listFiles(cfg.paths.art, (n) => /\.(ans|asc|txt)$/i.test(n));
  for (const file of art) {
    const problem = await checkArtFile(file);
    if (problem) problems.push({ file, message: problem });
  }
  out(`art: ${art.length} checked in ${cfg.paths.art}`);

  const menuRefs = boardMenuRefs((name) => join(cfg.paths.scripts, `${name}.ts`), cfg.paths.art);
  problems.push(...(await checkMenus({ dir: cfg.paths.menus, parse: parseMenuYaml, refs: menuRefs })));
  out(`menus: ${listFiles(cfg.paths.menus, (n) => n.endsWith('.yaml')).length} checked in ${cfg.paths.menus}`);

  for (const p of problems) out(`${p.file}${p.line ? `:${p.line}` : ''}: ${p.key ? `${p.key}: ` : ''}${p.message}`);
  out(problems.length === 0 ? 'check passed' : `check failed: ${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}
