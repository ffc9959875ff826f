import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { boardMenuRefs, checkMenus, checkScripts, loadMessageAreasFile, readDoorsFile } from '@carrier/engine';
import { checkDoorPrograms } from './doors-check.js';
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

  const doors = await readDoorsFile(cfg.doors.file, parseMenuYaml);
  if (doors.ok) problems.push(...(await checkDoorPrograms(cfg.doors.file, doors.doors, cfg.doors.prlimit)));
  else problems.push(...doors.problems);
  const doorNames = new Set(doors.ok ? doors.doors.filter((d) => d.enabled).map((d) => d.name.toLowerCase()) : []);
  out(`doors: ${doors.ok ? `${doorNames.size} enabled` : 'invalid'} in ${cfg.doors.file}`);

  const menuRefs = {
    ...boardMenuRefs((name) => join(cfg.paths.scripts, `${name}.ts`), cfg.paths.art),
    // A broken doors.yaml is reported above; its door names are not checked again here.
    ...(doors.ok ? { doorExists: async (name: string) => doorNames.has(name.toLowerCase()) } : {}),
  };
  problems.push(...(await checkMenus({ dir: cfg.paths.menus, parse: parseMenuYaml, refs: menuRefs })));
  out(`menus: ${listFiles(cfg.paths.menus, (n) => n.endsWith('.yaml')).length} checked in ${cfg.paths.menus}`);

  const messagesFile = resolve(cfg.messages.file);
  if (existsSync(messagesFile)) {
    const loaded = await loadMessageAreasFile(messagesFile, parseMenuYaml);
    problems.push(...loaded.problems.map((p) => ({ file: messagesFile, line: p.line, key: p.key, message: p.message })));
    out(`message areas: ${loaded.areas?.areas.length ?? 0} in ${messagesFile}`);
  } else out(`message areas: the defaults (no ${messagesFile})`);

  for (const p of problems) out(`${p.file}${p.line ? `:${p.line}` : ''}: ${p.key ? `${p.key}: ` : ''}${p.message}`);
  out(problems.length === 0 ? 'check passed' : `check failed: ${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}
