import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** carrier's packages a script may import (the engine and what it depends on: docs/scripting.md). */
const SCRIPT_PACKAGES = ['core', 'terminal', 'store', 'doors', 'sysop', 'zmodem', 'engine'] as const;

type TypeScript = typeof import('typescript');

/** One compiler error: where (file, 1-based line and column when the error has a place) and what. */
export interface TypeProblem {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

function isScriptFile(name: string): boolean {
  return name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts');
}

/**
 * Where `@carrier/<pkg>` is for this process: its `src/index.ts` when carrier runs from
 * the sources (tests), its `dist/index.d.ts` in a build. The scripts folder has no
 * node_modules of its own, so the program maps these names to the files.
 */
function packageEntries(): { paths: Record<string, string[]>; fromSource: boolean } {
  const paths: Record<string, string[]> = {};
  let fromSource = false;
  for (const pkg of SCRIPT_PACKAGES) {
    let entry: string;
    try {
      entry = fileURLToPath(import.meta.resolve(`@carrier/${pkg}`));
    } catch {
      continue; // not installed here: a script importing it gets "cannot find module"
    }
    if (entry.endsWith('.ts')) fromSource = true;
    paths[`@carrier/${pkg}`] = [entry.replace(/\.js$/, '.d.ts')];
  }
  return { paths, fromSource };
}

/**
 * The TypeScript compiler's errors in the board's scripts, each with file, line and
 * column. typescript is imported here, when `carrier check` asks, and never by a
 * running board. Only the scripts' own diagnostics are reported (with the helpers they
 * import from the folder): the packages they import are carrier's, checked by its build.
 */
export async function typecheckScripts(dir: string): Promise<{ problems: TypeProblem[]; files: number; skipped?: string }> {
  let names: string[];
  try {
    names = readdirSync(dir).filter(isScriptFile).sort();
  } catch {
    return { problems: [], files: 0 }; // the build check reports an unreadable folder
  }
  const files = names.map((n) => resolve(dir, n));
  if (files.length === 0) return { problems: [], files: 0 };
  let ts: TypeScript;
  try {
    ts = (await import('typescript')).default;
  } catch {
    return { problems: [], files: 0, skipped: 'the typescript package is not installed' };
  }
  const require = createRequire(import.meta.url);
  let nodeTypes: string | undefined;
  try {
    nodeTypes = dirname(dirname(require.resolve('@types/node/package.json')));
  } catch {
    /* scripts that use Node's globals then get their errors */
  }
  const { paths, fromSource } = packageEntries();
  const { options, errors } = ts.convertCompilerOptionsFromJson(
    {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      ...(fromSource ? { customConditions: ['carrier-src'] } : {}),
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      types: nodeTypes ? ['node'] : [],
      ...(nodeTypes ? { typeRoots: [nodeTypes] } : {}),
      paths,
    },
    dir,
  );
  const program = ts.createProgram({ rootNames: files, options });
  const inScripts = (file: string) => resolve(file).startsWith(resolve(dir) + sep);
  const diagnostics = [
    ...errors,
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSourceFiles().filter((f) => inScripts(f.fileName)).flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ];
  const problems: TypeProblem[] = [];
  for (const d of diagnostics) {
    if (d.category !== ts.DiagnosticCategory.Error) continue;
    const message = `${ts.flattenDiagnosticMessageText(d.messageText, ' ')} (TS${d.code})`;
    if (d.file && d.start !== undefined) {
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      problems.push({ file: resolve(d.file.fileName), line: line + 1, column: character + 1, message });
    } else problems.push({ file: '(typescript)', message });
  }
  return { problems, files: files.length };
}
