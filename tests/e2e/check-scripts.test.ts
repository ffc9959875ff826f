// `carrier check` run as a sysop runs it (the real CLI, in its own process): the board's
// scripts are type-checked, each error named by file:line:column, and every problem
// (config keys, menus, targets, scripts) is reported in the same run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { carrierArgv, repoRoot } from '../harness.js';


function check(config: string | undefined): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '', REDIS_URL: '' };
  delete env['CARRIER_CONFIG'];
  if (config) env['CARRIER_CONFIG'] = config;
  return new Promise((res) => {
    const p = spawn(process.execPath, [...carrierArgv, 'check'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

/** 1-based line and column of the first `needle` in `text`. */
function position(text: string, needle: string): { line: number; column: number } {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} not in the text`);
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

describe('carrier check', { timeout: 180_000 }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'carrier-check-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('passes on the shipped board, with its scripts type-checked', async () => {
    const r = await check(undefined);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /scripts: \d+ checked in .*\(built and type-checked\)/);
    assert.match(r.stdout, /check passed/);
  });

  it('names a script typo (printline for println) by file:line:column and fails', async () => {
    const scripts = join(dir, 'typo-scripts');
    cpSync(join(repoRoot, 'scripts'), scripts, { recursive: true });
    const file = join(scripts, 'oneliners.ts');
    const text = readFileSync(file, 'utf8').replace('s.println(', 's.printline(');
    writeFileSync(file, text);
    const at = position(text, 'printline');
    const config = join(dir, 'typo.yaml');
    writeFileSync(config, `paths: { scripts: ${JSON.stringify(scripts)}, art: ${JSON.stringify(join(repoRoot, 'art'))}, menus: ${JSON.stringify(join(repoRoot, 'config', 'menus'))} }\n`);
    const r = await check(config);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const wanted = `${file}:${at.line}:${at.column}: Property 'printline' does not exist on type 'Session'`;
    assert.ok(r.stdout.includes(wanted), `wanted ${wanted} in:\n${r.stdout}`);
    assert.match(r.stdout, /check failed: 1 problem\(s\)/);
  });

  it('reports a config shape error, menu shape errors, a missing target and a type error in one run', async () => {
    const scripts = join(dir, 'all-scripts');
    const menus = join(dir, 'all-menus');
    mkdirSync(scripts);
    mkdirSync(menus);
    const hello = `import type { Session } from '@carrier/engine';\nexport default async function hello(s: Session): Promise<void> {\n  const n: number = s.user?.handle ?? '';\n  s.println(String(n));\n}\n`;
    writeFileSync(join(scripts, 'hello.ts'), hello);
    writeFileSync(
      join(menus, 'main.yaml'),
      ['title: Main', 'items:', '  - key: H', '    text: Hello', '    gosub: hello', '  - key: W', '    text: Who', '    gosub: nosuchscript', '  - key: X', '    text: Broken', '    gosbu: hello', ''].join('\n'),
    );
    const config = join(dir, 'all.yaml');
    writeFileSync(
      config,
      [
        'telnet: { port: 99999 }',
        'session: { nosuchkey: 1 }',
        `paths: { scripts: ${JSON.stringify(scripts)}, art: ${JSON.stringify(join(repoRoot, 'art'))}, menus: ${JSON.stringify(menus)} }`,
        '',
      ].join('\n'),
    );
    const r = await check(config);
    const out = r.stdout;
    assert.equal(r.code, 2, 'a config file with problems exits 2, as for every verb');
    assert.match(out, new RegExp(`${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: telnet\\.port: must be a port number`));
    assert.match(out, /all\.yaml:2: session\.nosuchkey: unknown key/);
    assert.match(out, /main\.yaml:8: items\[1\]\.gosub: no script named "nosuchscript"/);
    assert.match(out, /main\.yaml:11: items\[2\]\.gosbu: unknown key/);
    const at = position(hello, 'n: number');
    assert.ok(out.includes(`hello.ts:${at.line}:${at.column}: Type 'string' is not assignable to type 'number'`), out);
    assert.match(out, /check failed: 6 problem\(s\)/, 'the two config keys, the unknown item key and its missing action, the missing script, the type error');
  });
});
