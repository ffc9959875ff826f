import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConnectionClosedError, createMemoryLogger, ErrorCodes } from '@carrier/core';
import { checkScripts } from './script-check.js';
import { ScriptLoader } from './script-loader.js';

let dir: string;
let tick = 0;

async function write(rel: string, source: string): Promise<void> {
  const file = join(dir, 'scripts', rel);
  await writeFile(file, source);
  const t = new Date(Date.now() + ++tick * 1000);
  await utimes(file, t, t);
}

function loader(): { loader: ScriptLoader; log: ReturnType<typeof createMemoryLogger> } {
  const log = createMemoryLogger();
  return { loader: new ScriptLoader(join(dir, 'scripts'), join(dir, 'cache'), log), log };
}

const call = async (fn: (...a: any[]) => unknown, ...args: unknown[]): Promise<unknown> => fn({}, ...args);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carrier-loader-'));
  await mkdir(join(dir, 'scripts'), { recursive: true });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ScriptLoader', () => {
  it('compiles a TypeScript script and returns its default export', async () => {
    await write('hello.ts', `import type { Session } from '@carrier/engine';\nexport default async function (s: Session, who: string): Promise<string> { return 'hello ' + who; }\n`);
    const { loader: l } = loader();
    assert.equal(await call(await l.load('hello'), 'ann'), 'hello ann');
  });

  it('drops a script\'s builds that are over an hour old once a newer build loads, and keeps recent ones', async () => {
    const builds = async () => (await readdir(join(dir, 'cache', 'scripts'))).filter((f) => f.startsWith('pruned.')).sort();
    await write('pruned.ts', `export default async () => 1;\n`);
    const { loader: l } = loader();
    await l.load('pruned');
    const [first] = await builds();
    await write('pruned.ts', `export default async () => 2;\n`);
    await l.load('pruned');
    assert.equal((await builds()).length, 2, 'a build made a moment ago stays (another process may be importing it)');
    const old = new Date(Date.now() - 2 * 3_600_000);
    await utimes(join(dir, 'cache', 'scripts', first!), old, old);
    await write('pruned.ts', `export default async () => 3;\n`);
    assert.equal(await call(await l.load('pruned')), 3);
    await new Promise((r) => setTimeout(r, 100));
    const left = await builds();
    assert.equal(left.length, 2);
    assert.ok(!left.includes(first!), 'the two-hour-old build is gone');
  });

  it('an edited script is seen on the next load, while a caller holding the old one finishes on it', async () => {
    await write('menu.ts', `export default async () => 'version 1';\n`);
    const { loader: l } = loader();
    const running = await l.load('menu');
    await write('menu.ts', `export default async () => 'version 2, longer';\n`);
    assert.equal(await call(running), 'version 1');
    assert.equal(await call(await l.load('menu')), 'version 2, longer');
  });

  it('an unchanged script is not compiled again', async () => {
    await write('same.ts', `export default async () => 1;\n`);
    const { loader: l, log } = loader();
    const a = await l.load('same');
    const b = await l.load('same');
    assert.equal(a, b);
    assert.equal(log.lines.filter((x) => x['event'] === 'script.loaded').length, 1);
  });

  it('a restarted loader imports the last build of an unchanged script without compiling, and still sees edits', async () => {
    await write('kept-helper.ts', `export const word = 'first';\n`);
    await write('kept.ts', `import { word } from './kept-helper.js';\nexport default async () => word;\n`);
    await loader().loader.load('kept');
    const { loader: again, log } = loader();
    assert.equal(await call(await again.load('kept')), 'first');
    assert.equal(log.lines.filter((x) => x['event'] === 'script.cached_build').length, 1, 'the cached build was used');
    await write('kept-helper.ts', `export const word = 'second';\n`);
    assert.equal(await call(await again.load('kept')), 'second', 'an edit after the restart is compiled');
    const { loader: third, log: log3 } = loader();
    assert.equal(await call(await third.load('kept')), 'second');
    assert.equal(log3.lines.filter((x) => x['event'] === 'script.cached_build').length, 1, 'the new build is the one remembered');
    await write('kept-helper.ts', `export const word = 'third';\n`);
    const { loader: fourth, log: log4 } = loader();
    assert.equal(await call(await fourth.load('kept')), 'third', 'a helper edited while the board was down is compiled');
    assert.equal(log4.lines.filter((x) => x['event'] === 'script.cached_build').length, 0);
  });

  it('a build recorded by another carrier (another install, or the sources instead of dist) is compiled again', async () => {
    await write('foreign.ts', `export default async () => 'mine';\n`);
    await loader().loader.load('foreign');
    const manifest = join(dir, 'cache', 'scripts', 'manifest', 'foreign.json');
    const m = JSON.parse(await readFile(manifest, 'utf8')) as { carrier: string };
    await writeFile(manifest, JSON.stringify({ ...m, carrier: 'file:///elsewhere/script-loader.js' }));
    const { loader: l, log } = loader();
    assert.equal(await call(await l.load('foreign')), 'mine');
    assert.equal(log.lines.filter((x) => x['event'] === 'script.cached_build').length, 0);
    assert.equal(log.lines.filter((x) => x['event'] === 'script.loaded').length, 1);
  });

  it('a compile error is logged with file and line and the previous good version stays in use', async () => {
    await write('shaky.ts', `export default async () => 'good';\n`);
    const { loader: l, log } = loader();
    assert.equal(await call(await l.load('shaky')), 'good');
    await write('shaky.ts', `export default async () => {\n  const x = ;\n};\n`);
    assert.equal(await call(await l.load('shaky')), 'good');
    assert.equal(await call(await l.load('shaky')), 'good');
    const errors = log.lines.filter((x) => x['event'] === 'script.compile_failed');
    assert.equal(errors.length, 1, 'one broken edit is compiled and logged once');
    assert.equal(errors[0]!['line'], 2);
    assert.match(String(errors[0]!['file']), /shaky\.ts$/);
    await write('shaky.ts', `export default async () => 'fixed';\n`);
    assert.equal(await call(await l.load('shaky')), 'fixed');
  });

  it('a script that never compiled fails with SCRIPT_FAILED naming the file and line', async () => {
    await write('never.ts', `export default async () => {\n\n  return (;\n};\n`);
    const { loader: l } = loader();
    await assert.rejects(l.load('never'), (err: Error & { code?: string }) => {
      assert.equal(err.code, ErrorCodes.SCRIPT_FAILED);
      assert.match(err.message, /never\.ts:3:/);
      return true;
    });
  });

  it('an unknown name or a name with a path in it is NOT_FOUND', async () => {
    const { loader: l } = loader();
    await assert.rejects(l.load('nosuch'), (err: Error & { code?: string }) => {
      assert.equal(err.code, ErrorCodes.NOT_FOUND);
      assert.match(err.message, /no script named "nosuch"/);
      return true;
    });
    await assert.rejects(l.load('../etc/passwd'), { code: ErrorCodes.NOT_FOUND });
  });

  it('a script without a default function export is refused', async () => {
    await write('nodefault.ts', `export const x = 1;\n`);
    const { loader: l } = loader();
    await assert.rejects(l.load('nodefault'), /default async function/);
  });

  it('editing a helper the script imports reloads the script', async () => {
    await write('helper.ts', `export const greeting = 'hi';\n`);
    await write('greeter.ts', `import { greeting } from './helper.js';\nexport default async () => greeting;\n`);
    const { loader: l } = loader();
    assert.equal(await call(await l.load('greeter')), 'hi');
    await write('helper.ts', `export const greeting = 'good evening';\n`);
    assert.equal(await call(await l.load('greeter')), 'good evening');
  });

  it("a script importing @carrier/core shares the engine's classes", async () => {
    await write('closer.ts', `import { ConnectionClosedError } from '@carrier/core';\nexport default async () => new ConnectionClosedError('x');\n`);
    const { loader: l } = loader();
    assert.ok((await call(await l.load('closer'))) instanceof ConnectionClosedError);
  });

  it('callers loading the same script at once share one compile', async () => {
    await write('busy.ts', `export default async () => 'busy';\n`);
    const { loader: l, log } = loader();
    const fns = await Promise.all([l.load('busy'), l.load('busy'), l.load('busy')]);
    assert.equal(new Set(fns).size, 1);
    assert.equal(log.lines.filter((x) => x['event'] === 'script.loaded').length, 1);
  });
});

describe('checkScripts', () => {
  it('reports each build error with file and line, and scripts without a default export', async () => {
    const checkDir = join(dir, 'check');
    await mkdir(checkDir, { recursive: true });
    await writeFile(join(checkDir, 'ok.ts'), `export default async () => 1;\n`);
    await writeFile(join(checkDir, 'syntax.ts'), `export default async () => {\n  let = 3;\n};\n`);
    await writeFile(join(checkDir, 'noexport.ts'), `export const a = 1;\n`);
    const problems = await checkScripts(checkDir);
    const summary = problems.map((p) => `${p.file.slice(checkDir.length + 1)}:${p.line}`).sort();
    assert.deepEqual(summary, ['noexport.ts:1', 'syntax.ts:2']);
  });

  it('an empty or missing dir is reported, not thrown', async () => {
    const problems = await checkScripts(join(dir, 'does-not-exist'));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /cannot read the scripts dir/);
  });
});
