import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { boardMenuRefs, checkMenus, checkScripts, loadFilesFile, loadMessageAreasFile, readDoorsFile } from '@carrier/engine';
import { checkDoorPrograms } from './doors-check.js';
import { checkArtFile } from '@carrier/terminal';
import { loadConfig, type ConfigError, type LoadedConfig } from './config.js';
import { typecheckScripts } from './check-types.js';
import { parseMenuYaml } from './menu-yaml.js';

export interface Problem {
  file: string;
  line?: number | undefined;
  column?: number | undefined;
  key?: string | undefined;
  message: string;
}

/** `file:line:column: key: message`, each part only when known. */
export function formatProblem(p: Problem): string {
  const where = `${p.file}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''}`;
  return `${where}: ${p.key ? `${p.key}: ` : ''}${p.message}`;
}

/**
 * The `check` verb. The config is read collecting its problems (a bad key keeps its
 * default), so one run reports the config, the scripts, the menus and the art together.
 * Exit 0 when all is well, 2 when the config file or files.yaml has problems (as for every
 * verb: the board would not start), else 1.
 */
export async function checkCommand(out: (line: string) => void): Promise<number> {
  const configProblems: ConfigError[] = [];
  const loaded = loadConfig({ problems: configProblems });
  const code = await runCheck(
    loaded,
    out,
    configProblems.map((e) => ({ file: e.source, line: e.line, key: e.key, message: e.problem })),
  );
  return code !== 0 && configProblems.length > 0 ? 2 : code;
}

function listFiles(dir: string, test: (name: string) => boolean): string[] {
  try {
    return readdirSync(dir).filter(test).sort().map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/**
 * `carrier check`: the config (its problems found while loading it), every script (built,
 * then type-checked), the doors, the menus, the art and the message areas, all in one run.
 */
export async function runCheck(loaded: LoadedConfig, out: (line: string) => void, configProblems: Problem[] = []): Promise<number> {
  const cfg = loaded.config;
  const problems: Problem[] = [...configProblems];
  out(`config ${configProblems.length === 0 ? 'ok' : `has ${configProblems.length} problem(s), checking the rest with defaults for those keys`}: ${loaded.file ?? '(built-in defaults)'}`);

  const buildProblems = await checkScripts(cfg.paths.scripts);
  problems.push(...buildProblems);
  const typed = await typecheckScripts(cfg.paths.scripts);
  // A line that does not build is reported once, by the build.
  const built = new Set(buildProblems.map((p) => `${p.file}:${p.line ?? 0}`));
  problems.push(...typed.problems.filter((p) => !built.has(`${p.file}:${p.line ?? 0}`)));
  const scripts = listFiles(cfg.paths.scripts, (n) => n.endsWith('.ts'));
  out(`scripts: ${scripts.length} checked in ${cfg.paths.scripts} (${typed.skipped ? `type-check skipped: ${typed.skipped}` : 'built and type-checked'})`);

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

  // The loader the board runs at start and on every change of the file.
  const filesFile = resolve(cfg.files.file);
  const files = await loadFilesFile(filesFile, parseMenuYaml, resolve(cfg.dataDir));
  problems.push(...files.problems.map((p) => ({ file: p.file, line: p.line, key: p.key || undefined, message: p.message })));
  out(`file areas: ${files.config ? `${files.config.areas.length} in ${existsSync(filesFile) ? filesFile : `the defaults (no ${filesFile})`}` : `invalid in ${filesFile}`}`);

  for (const p of problems) out(formatProblem(p));
  out(problems.length === 0 ? 'check passed' : `check failed: ${problems.length} problem(s)`);
  // files.yaml is config too: a board would not start on it (exit 2, like carrier.yaml).
  if (files.problems.length > 0) return 2;
  return problems.length === 0 ? 0 : 1;
}
