// files.yaml as the sysop meets it through the real CLI: `carrier check` and `carrier start`
// read it with the board's own loader and exit 2 naming file, line and key; a quarantine
// that is (or holds, or sits in) an area's folder is refused, and `carrier files scan`
// never indexes the quarantine, even through a symlink.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@carrier/core';
import { openStore } from '@carrier/store';
import { carrierArgv, repoRoot, run } from '../harness.js';

const cli = (config: string, args: string[], input?: string): ReturnType<typeof run> =>
  run(process.execPath, [...carrierArgv, ...args], {
    env: { ...process.env, CARRIER_CONFIG: config, DATABASE_URL: '', REDIS_URL: '' },
    timeoutMs: 90_000,
    ...(input === undefined ? {} : { input }),
  });

describe('files.yaml through carrier check, start and files scan', { timeout: 300_000 }, () => {
  let dir: string;
  /** a carrier.yaml on an empty board (no scripts, menus or art to check) using `filesYaml` */
  const board = (name: string, filesYaml: string[]): { config: string; files: string; data: string } => {
    const root = join(dir, name);
    const data = join(root, 'data');
    for (const d of ['scripts', 'menus', 'art', 'data']) mkdirSync(join(root, d), { recursive: true });
    const files = join(root, 'files.yaml');
    writeFileSync(files, filesYaml.join('\n') + '\n');
    const config = join(root, 'carrier.yaml');
    writeFileSync(
      config,
      [
        `dataDir: ${JSON.stringify(data)}`,
        'telnet: { port: 0 }',
        'ssh: { port: off }',
        'web: { port: off }',
        `paths: { scripts: ${JSON.stringify(join(root, 'scripts'))}, menus: ${JSON.stringify(join(root, 'menus'))}, art: ${JSON.stringify(join(root, 'art'))} }`,
        `files: { file: ${JSON.stringify(files)} }`,
        `messages: { file: ${JSON.stringify(join(root, 'messages.yaml'))} }`,
        `doors: { file: ${JSON.stringify(join(root, 'doors.yaml'))} }`,
      ].join('\n') + '\n',
    );
    return { config, files, data };
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'carrier-files-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('check passes a good files.yaml and says how many areas', async () => {
    const b = board('good', ['quarantine: files/quarantine', 'areas:', '  - { tag: general, folder: files/general }']);
    const r = await cli(b.config, ['check']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /file areas: 1 in .*files\.yaml/);
  });

  it('check and start exit 2 on a quarantine inside an area, naming file, line and key', async () => {
    const b = board('nested', ['quarantine: files/uploads/waiting', 'areas:', '  - tag: uploads', '    folder: files/uploads', '  - tag: general']);
    const checked = await cli(b.config, ['check']);
    assert.equal(checked.code, 2, checked.stdout + checked.stderr);
    assert.ok(checked.stdout.includes(`${b.files}:4: areas[0].folder: `), checked.stdout);
    assert.match(checked.stdout, /must not be one folder or inside one another/);
    const started = await cli(b.config, ['start']);
    assert.equal(started.code, 2, started.stderr);
    assert.ok(started.stderr.includes(`carrier: invalid config: ${b.files}:4: areas[0].folder: `), started.stderr);
    assert.doesNotMatch(started.stderr, /\n\s+at /, 'no stack trace');
    const scanned = await cli(b.config, ['files', 'scan']);
    assert.equal(scanned.code, 2, scanned.stderr);
    assert.ok(scanned.stderr.includes(`${b.files}:4: areas[0].folder`), scanned.stderr);
  });

  it('check exits 2 on an unknown key and a bad value in files.yaml', async () => {
    const b = board('typo', ['quarantne: elsewhere', 'stallSeconds: 0', 'areas:', '  - { tag: general }']);
    const r = await cli(b.config, ['check']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(`${b.files}:1: quarantne: unknown key`), r.stdout);
    assert.ok(r.stdout.includes(`${b.files}:2: stallSeconds: must be`), r.stdout);
  });

  it('files scan refuses an area whose folder is a symlink to the quarantine, and indexes nothing from it', async () => {
    const b = board('symlink', ['quarantine: q', 'areas:', '  - { tag: general, folder: general }', '  - { tag: sneaky, folder: sneaky }']);
    mkdirSync(join(b.data, 'q'), { recursive: true });
    mkdirSync(join(b.data, 'general'), { recursive: true });
    writeFileSync(join(b.data, 'q', 'aaaa-secret.bin'), 'not approved');
    writeFileSync(join(b.data, 'general', 'ok.txt'), 'public');
    symlinkSync(join(b.data, 'q'), join(b.data, 'sneaky'));
    const r = await cli(b.config, ['files', 'scan']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /general: 1 added/);
    assert.match(r.stderr, /sneaky: not scanned: .*quarantine/);
    assert.doesNotMatch(r.stdout, /sneaky: \d+ added/);
  });

  it('files scan names each file it leaves out of an area and why, instead of a silent 0 added', async () => {
    const b = board('names', ['quarantine: q', 'areas:', '  - { tag: general, folder: general }']);
    const general = join(b.data, 'general');
    mkdirSync(join(general, 'sub'), { recursive: true });
    for (const name of ['ok.txt', '-rf.txt', 'what?.txt', 'CON.txt', 'ok.txt.desc', '.hidden']) writeFileSync(join(general, name), name);
    symlinkSync('/etc/hostname', join(general, 'link.txt'));
    const r = await cli(b.config, ['files', 'scan']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /general: 1 added/);
    const left = r.stdout.split('\n').filter((l) => l.includes('not indexed'));
    assert.deepEqual(
      left.map((l) => /not indexed: (.+?): /.exec(l)?.[1]).sort(),
      ['-rf.txt', 'CON.txt', 'link.txt', 'sub', 'what?.txt'],
      r.stdout,
    );
    assert.match(r.stdout, /CON\.txt: the name is a reserved device name/);
    assert.match(r.stdout, /link\.txt: a symbolic link/);
  });

  it('user delete with no board running removes the account\'s quarantined uploads too', async () => {
    const b = board('delete', ['quarantine: q', 'areas:', '  - { tag: general, folder: general }']);
    const added = await cli(b.config, ['user', 'add', 'eve', '--password-stdin'], 'correct horse battery\n');
    assert.equal(added.code, 0, added.stderr);
    // an upload waiting for the sysop, as the board leaves one (row + file in the quarantine)
    const store = await openStore({ dataDir: b.data, log: silentLogger });
    try {
      const eve = await store.users.findByHandle('eve');
      await store.files.addUpload({ userId: eve!.id, name: 'waiting.txt', size: 5, sha256: 'a'.repeat(64), stored: '0123456789ab-waiting.txt' });
    } finally {
      await store.close();
    }
    mkdirSync(join(b.data, 'q'), { recursive: true });
    writeFileSync(join(b.data, 'q', '0123456789ab-waiting.txt'), 'bytes');
    const r = await cli(b.config, ['user', 'delete', 'eve']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^deleted eve; 0 post\(s\) kept as "deleted user"; 1 upload\(s\) waiting for the sysop deleted; no board answers/m);
    assert.equal(existsSync(join(b.data, 'q', '0123456789ab-waiting.txt')), false);
    assert.match((await cli(b.config, ['files', 'pending'])).stdout, /nothing waits in quarantine/);
  });
});
