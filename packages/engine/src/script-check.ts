import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { compileScript, type ScriptProblem } from './script-compiler.js';

function isScriptFile(name: string): boolean {
  return name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts');
}

/**
 * What `carrier check` reports for a scripts dir: every build error with file and line
 * (esbuild) and a script without a default export. The type errors are the server's
 * `carrier check` (packages/server/src/check-types.ts), which alone loads the compiler.
 */
export async function checkScripts(dir: string): Promise<ScriptProblem[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter(isScriptFile).sort();
  } catch (err) {
    return [{ file: resolve(dir), message: `cannot read the scripts dir: ${(err as Error).message}` }];
  }
  const files = names.map((n) => resolve(dir, n));
  const problems: ScriptProblem[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const result = await compileScript(file);
    if (!result.ok) {
      for (const p of result.problems) {
        // A broken helper shared by several scripts is one problem, not one per script.
        const key = `${p.file}:${p.line ?? 0}:${p.column ?? 0}:${p.message}`;
        if (!seen.has(key)) problems.push(p);
        seen.add(key);
      }
    } else if (!result.exports.includes('default')) {
      problems.push({ file, line: 1, message: 'a script must export a default async function (s: Session)' });
    }
  }
  return problems;
}
