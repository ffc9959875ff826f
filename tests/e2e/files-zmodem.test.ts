// File areas end to end over telnet with real peers: Debian's lrzsz as the caller's
// terminal (rz receives a download, sz sends an upload, rz -r resumes), a zip made by
// Debian's zip with a FILE_ID.DIZ, the quarantine and `carrier files approve`.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TelnetClient } from '@carrier/client';
import { startCarrier, type Carrier } from '../harness.js';
import { bridgeLrzsz, sha256, telnetToFiles } from './files-support.js';

let tools = true;
try {
  execFileSync('sh', ['-c', 'command -v rz && command -v sz && command -v zip'], { stdio: 'ignore' });
} catch {
  tools = false;
}

describe('file areas over telnet with lrzsz', { skip: tools ? false : 'needs lrzsz and zip (tools/ci-packages.txt)' }, () => {
  let board: Carrier;
  let dir: string;
  let general: string;
  const big = randomBytes(3 * 1024 * 1024 + 1234);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carrier-files-'));
    general = join(dir, 'general');
    await mkdir(general);
    await mkdir(join(dir, 'secret'));
    await writeFile(join(general, 'big.bin'), big);
    await writeFile(join(general, 'big.bin.desc'), 'Three megabytes of noise\n');
    await writeFile(join(general, 'read me first.txt'), 'a name with spaces, as SFTP uploads and sysops make them\n');
    await writeFile(join(dir, 'FILE_ID.DIZ'), 'COOLGAME v1.0\r\nA game about testing\r\n');
    await writeFile(join(dir, 'game.exe'), randomBytes(5000));
    execFileSync('zip', ['-q', '-j', join(general, 'coolgame.zip'), join(dir, 'FILE_ID.DIZ'), join(dir, 'game.exe')]);
    await writeFile(join(dir, 'secret', 'plans.txt'), 'sysop only');
    await writeFile(
      join(dir, 'files.yaml'),
      [
        `quarantine: ${JSON.stringify(join(dir, 'quarantine'))}`,
        'stallSeconds: 5',
        'uploads: { level: 10, maxFileMiB: 2, dailyQuotaMiB: 50 }',
        'areas:',
        `  - { tag: general, name: General, folder: ${JSON.stringify(general)}, list: 10 }`,
        `  - { tag: uploads, name: Uploads, folder: ${JSON.stringify(join(dir, 'uploads'))}, list: 10 }`,
        `  - { tag: secret, name: Secret, folder: ${JSON.stringify(join(dir, 'secret'))}, list: sysop }`,
      ].join('\n'),
    );
    board = await startCarrier({ yaml: `files: { file: ${JSON.stringify(join(dir, 'files.yaml'))} }`, logLevel: 'info' });
    await board.waitForLog((l) => l.event === 'files.scanned' && l.area === 'general', 30_000);
    await board.addUser('alice', 'correct horse battery');
    await board.addUser('bob', 'correct horse battery');
  });
  after(async () => {
    await board?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function caller(handle: string): Promise<TelnetClient> {
    return (await telnetToFiles({ port: board.ports.telnet!, timeout: 30_000, maxBuffer: 256 * 1024, handle, password: 'correct horse battery' })).c;
  }

  /** D with `line` typed at the prompt, rz receiving into a fresh folder: that folder and what the board said. */
  async function downloadBy(c: TelnetClient, line: string, files: number): Promise<{ out: string; said: string }> {
    const out = await mkdtemp(join(dir, 'rz-'));
    c.write('d');
    await c.readUntil('download from this area:');
    const rz = bridgeLrzsz(c, 'rz', ['-b', '-y'], out);
    c.writeLine(line);
    assert.equal(await rz.exit, 0, rz.stderr());
    const said = await c.readUntil(new RegExp(`${files} of ${files} file\\(s\\) sent`));
    await c.readUntil('uit: ');
    return { out, said };
  }

  it('lists the area with the zip\'s FILE_ID.DIZ and the sidecar description; a restricted area stays hidden', async () => {
    const c = await caller('alice');
    c.write('l');
    const listing = await c.readUntil('uit: ');
    assert.match(listing, /coolgame\.zip.*COOLGAME v1\.0/);
    assert.match(listing, /big\.bin.*Three megabytes of noise/);
    c.write('q');
    await c.readUntil('uit: ');
    c.write('j');
    const areas = await c.readUntil('Jump to which area');
    assert.match(areas, /General/);
    assert.doesNotMatch(areas, /Secret/);
    await c.close();
  });

  it('rz receives a download intact; rz -r resumes a broken copy', async () => {
    const out = await mkdtemp(join(dir, 'rz-'));
    const c = await caller('alice');
    c.write('d');
    await c.readUntil('download from this area:');
    const rz = bridgeLrzsz(c, 'rz', ['-b', '-y'], out);
    c.writeLine('big.bin');
    assert.equal(await rz.exit, 0, rz.stderr());
    await c.readUntil(/1 of 1 file\(s\) sent/);
    assert.equal(await sha256(join(out, 'big.bin')), await sha256(join(general, 'big.bin')));
    // counted and logged in the one place SFTP and scp downloads are too
    const logged = await board.waitForLog((l) => l.event === 'files.downloaded' && l.via === 'zmodem' && l.name === 'big.bin');
    assert.deepEqual([logged.user, logged.area, logged.bytes], ['alice', 'general', big.length]);

    // A download broken off at 1 MiB: rz -r asks to start from there.
    await writeFile(join(out, 'big.bin'), big.subarray(0, 1024 * 1024));
    await c.readUntil('uit: ');
    c.write('d');
    await c.readUntil('download from this area:');
    const again = bridgeLrzsz(c, 'rz', ['-b', '-r'], out);
    c.writeLine('big.bin');
    assert.equal(await again.exit, 0, again.stderr());
    await c.readUntil(/1 of 1 file\(s\) sent/);
    assert.equal(await sha256(join(out, 'big.bin')), await sha256(join(general, 'big.bin')));
    const resumed = await board.waitForLog((l) => l.event === 'files.download' && typeof l.bytes === 'number' && (l.bytes as number) < big.length);
    assert.ok((resumed.bytes as number) <= big.length - 1024 * 1024 + 1024);
    await c.close();
  });

  it('D takes a name with spaces (whole or quoted) and numbers from the listing, and says which words name nothing', async () => {
    const c = await caller('alice');
    c.write('l');
    // Listed by name: 1 big.bin, 2 coolgame.zip, 3 read me first.txt.
    assert.match(await c.readUntil('uit: '), / 3 read me first\.txt /);
    c.write('q');
    await c.readUntil('uit: ');

    const download = (line: string, files: number): Promise<{ out: string; said: string }> => downloadBy(c, line, files);
    const same = async (out: string, name: string): Promise<void> => assert.equal(await sha256(join(out, name)), await sha256(join(general, name)));

    const whole = await download('read me first.txt', 1);
    await same(whole.out, 'read me first.txt');
    const batch = await download('"read me first.txt" 2 nothere.zip', 2);
    assert.match(batch.said, /nothere\.zip: no such file here/);
    await same(batch.out, 'read me first.txt');
    await same(batch.out, 'coolgame.zip');
    await c.close();
  });

  it('sz uploads into quarantine: hidden from others until `carrier files approve`', async () => {
    const src = await mkdtemp(join(dir, 'sz-'));
    const data = randomBytes(700_000);
    await writeFile(join(src, 'mine.bin'), data);
    const c = await caller('alice');
    c.write('u');
    await c.readUntil('Start your ZMODEM upload');
    const sz = bridgeLrzsz(c, 'sz', ['-b', 'mine.bin'], src);
    assert.equal(await sz.exit, 0, sz.stderr());
    await c.readUntil('Describe mine.bin');
    c.writeLine('my own upload');
    await c.readUntil(/1 file\(s\) received/);
    await c.close();

    const pending = await board.cli(['files', 'pending']);
    const id = /#(\d+)\s+mine\.bin/.exec(pending.stdout)?.[1];
    assert.ok(id, pending.stdout + pending.stderr);

    const b = await caller('bob');
    b.write('s');
    await b.readUntil('for:');
    b.writeLine('mine');
    assert.match(await b.readUntil('uit: '), /No files/);
    b.write('q');
    await b.readUntil('uit: ');

    const approved = await board.cli(['files', 'approve', id, 'uploads']);
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal(await sha256(join(dir, 'uploads', 'mine.bin')), await sha256(join(src, 'mine.bin')));
    b.write('s');
    await b.readUntil('for:');
    b.writeLine('mine');
    assert.match(await b.readUntil('uit: '), /mine\.bin.*my own upload/);
    await b.close();
  });

  it('an upload of bytes the board has is refused before the caller is asked to describe it', async () => {
    const src = await mkdtemp(join(dir, 'sz-'));
    await writeFile(join(src, 'copy.txt'), 'a name with spaces, as SFTP uploads and sysops make them\n');
    const c = await caller('bob');
    c.write('u');
    await c.readUntil('Start your ZMODEM upload');
    const sz = bridgeLrzsz(c, 'sz', ['-b', 'copy.txt'], src);
    assert.equal(await sz.exit, 0, sz.stderr());
    const said = await c.readUntil(/Describe copy\.txt|already has this file \(same SHA-256\)/);
    assert.match(said, /copy\.txt: the board already has this file \(same SHA-256\)/);
    assert.match(await c.readUntil(/file\(s\) received/), /0 file\(s\) received/);
    const pending = await board.cli(['files', 'pending']);
    assert.doesNotMatch(pending.stdout, /copy\.txt/);
    await c.close();
  });

  it('an upload over the size cap is refused with a message, and no file is left', async () => {
    const src = await mkdtemp(join(dir, 'sz-'));
    await writeFile(join(src, 'huge.bin'), randomBytes(3 * 1024 * 1024));
    const c = await caller('bob');
    c.write('u');
    await c.readUntil('Start your ZMODEM upload');
    const sz = bridgeLrzsz(c, 'sz', ['-b', 'huge.bin'], src);
    await sz.exit;
    const text = await c.readUntil(/file\(s\) received/);
    assert.match(text, /huge\.bin: the file is larger than the 2\.0 MiB cap/);
    await assert.rejects(stat(join(dir, 'uploads', 'huge.bin')));
    const pending = await board.cli(['files', 'pending']);
    assert.doesNotMatch(pending.stdout, /huge\.bin/);
    await c.close();
  });

  it('five Ctrl-X from the caller cancel a download and the menu still answers', async () => {
    const c = await caller('alice');
    c.write('d');
    await c.readUntil('download from this area:');
    c.writeLine('big.bin');
    await c.readUntil('B00');
    c.write(Buffer.from([0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18]));
    await c.readUntil('Transfer cancelled.');
    await c.readUntil('uit: ');
    c.write('q');
    await c.readUntil('Command:');
    await c.close();
  });

  it('a kick mid-transfer cancels the caller\'s rz first, so the reason reaches the screen', async () => {
    const out = await mkdtemp(join(dir, 'rz-'));
    const c = await caller('bob');
    c.write('d');
    await c.readUntil('download from this area:');
    // rz, as the caller's terminal runs it: it hears the board, but its answers are held
    // back, so the board waits in the transfer (no timing: it cannot finish meanwhile).
    const rz = spawn('rz', ['-b', '-y'], { cwd: out, stdio: ['pipe', 'ignore', 'pipe'] });
    try {
      let rzErr = '';
      rz.stderr.on('data', (b: Buffer) => (rzErr += b.toString('latin1')));
      rz.stdin.on('error', () => undefined);
      const rzExit = new Promise<number | null>((resolve) => rz.on('close', resolve));
      const wire: Buffer[] = [];
      c.on('data', (b: Buffer) => {
        wire.push(b);
        rz.stdin.write(b);
      });
      c.writeLine('big.bin');
      await c.readUntil('B00');
      const who = await board.cli(['who']);
      const node = /^(\d+) +bob /m.exec(who.stdout)?.[1];
      assert.ok(node, who.stdout);
      const kick = await board.cli(['kick', node, 'the board needs the line']);
      assert.equal(kick.code, 0, kick.stderr);
      await c.whenClosed();
      const sent = Buffer.concat(wire).toString('latin1');
      const reason = sent.indexOf('Disconnected: the board needs the line');
      assert.ok(reason >= 0, JSON.stringify(sent.slice(-300)));
      // ZMODEM's abort (five CAN or more) comes before the line, or rz takes the line as data.
      assert.match(sent.slice(0, reason), /\x18{5}[^\x18]*$/, JSON.stringify(sent.slice(Math.max(0, reason - 80), reason)));
      // rz, whose input is still open, ends on the abort and not on a closed pipe.
      assert.equal(await rzExit, 128, rzErr);
      // The board's log says why the transfer ended: the kick, not a hang-up by the caller.
      const logged = await board.waitForLog((l) => l['event'] === 'files.download' && l['failure'] === 'HANGUP');
      assert.match(String(logged['problem']), /^the call ended: disconnected by sysop/, JSON.stringify(logged));
    } finally {
      rz.kill();
    }
  });

  it('D by a number L showed sends that file, though a file added since moved it down the area', async () => {
    const c = await caller('alice');
    c.write('l');
    assert.match(await c.readUntil('uit: '), / 2 coolgame\.zip /);
    c.write('q');
    await c.readUntil('uit: ');
    // The sysop drops a file in meanwhile: by name it comes first, so the area's second file is big.bin now.
    await writeFile(join(general, 'aaa first.txt'), 'new since the listing\n');
    try {
      const scanned = await board.cli(['files', 'scan', 'general']);
      assert.equal(scanned.code, 0, scanned.stderr);
      const { out } = await downloadBy(c, '2', 1);
      assert.deepEqual(await readdir(out), ['coolgame.zip']);
      assert.equal(await sha256(join(out, 'coolgame.zip')), await sha256(join(general, 'coolgame.zip')));
      await c.close();
    } finally {
      await rm(join(general, 'aaa first.txt'), { force: true });
      await board.cli(['files', 'scan', 'general']);
    }
  });

  it('D in a search listing takes that listing\'s numbers (not the area\'s) and sends the files', async () => {
    const c = await caller('bob');
    c.write('s');
    await c.readUntil('for: ');
    c.writeLine('game');
    // The search's 1 is coolgame.zip; the area's own 1 (by name) is big.bin.
    assert.match(await c.readUntil('uit: '), / 1 coolgame\.zip /);
    c.write('d');
    await c.readUntil('Download which numbers');
    const out = await mkdtemp(join(dir, 'rz-'));
    const rz = bridgeLrzsz(c, 'rz', ['-b', '-y'], out);
    c.writeLine('1');
    assert.equal(await rz.exit, 0, rz.stderr());
    await c.readUntil(/1 of 1 file\(s\) sent/);
    assert.deepEqual(await readdir(out), ['coolgame.zip']);
    assert.equal(await sha256(join(out, 'coolgame.zip')), await sha256(join(general, 'coolgame.zip')));
    await c.readUntil('uit: ');
    await c.close();
  });

  it('D at the menu after a search takes the number the search showed, in the area it is in', async () => {
    // The sysop drops a file into uploads; alice stays in general, whose own 1 is big.bin.
    await writeFile(join(dir, 'uploads', 'elsewhere.txt'), 'found by a search\n');
    try {
      assert.equal((await board.cli(['files', 'scan', 'uploads'])).code, 0);
      const c = await caller('alice');
      c.write('s');
      await c.readUntil('for: ');
      c.writeLine('elsewhere');
      assert.match(await c.readUntil('uit: '), / 1 elsewhere\.txt /);
      c.write('q');
      assert.match(await c.readUntil('uit: '), /File area: .*General/);
      const { out } = await downloadBy(c, '1', 1);
      assert.deepEqual(await readdir(out), ['elsewhere.txt'], 'before, the menu\'s D took general\'s own 1 (big.bin)');
      // An L of the area makes its numbers the area's again.
      c.write('l');
      assert.match(await c.readUntil('uit: '), / 1 big\.bin /);
      c.write('q');
      await c.readUntil('uit: ');
      const again = await downloadBy(c, '1', 1);
      assert.deepEqual(await readdir(again.out), ['big.bin']);
      await c.close();
    } finally {
      await rm(join(dir, 'uploads', 'elsewhere.txt'), { force: true });
      await board.cli(['files', 'scan', 'uploads']);
    }
  });

  it("two callers sz one name: both uploads are received and wait for the sysop, as over SFTP", async () => {
    /** `who` sends `name` holding `text` with sz; what the board said up to the received count. */
    const send = async (who: string, name: string, text: string): Promise<string> => {
      const src = await mkdtemp(join(dir, 'sz-'));
      await writeFile(join(src, name), text);
      const c = await caller(who);
      c.write('u');
      await c.readUntil('Start your ZMODEM upload');
      const sz = bridgeLrzsz(c, 'sz', ['-b', name], src);
      await sz.exit;
      const said = await c.readUntil(new RegExp(`Describe ${name.replace('.', '\\.')}|file\\(s\\) received`));
      let rest = '';
      if (said.includes('Describe')) {
        c.writeLine(`${who}'s copy`);
        rest = await c.readUntil(/file\(s\) received/);
      }
      await c.close();
      return said + rest;
    };
    assert.match(await send('alice', 'twin.bin', 'alice wrote this'), /1 file\(s\) received/);
    const bobs = await send('bob', 'twin.bin', 'bob wrote this');
    assert.match(bobs, /1 file\(s\) received/, 'before, bob read: Refused twin.bin: a file with this name is already waiting for the sysop');
    const pending = (await board.cli(['files', 'pending'])).stdout;
    assert.deepEqual([...pending.matchAll(/#\d+\s+twin\.bin\s.*by (\w+)/g)].map((m) => m[1]), ['alice', 'bob'], pending);
    // The sysop's A list on the board names each uploader, so the two are told apart.
    await board.addUser('boss', 'correct horse battery', true);
    const boss = await caller('boss');
    boss.write('a');
    const list = (await boss.readUntil('to approve')).replace(/\x1b\[[0-9;]*m/g, '');
    assert.deepEqual([...list.matchAll(/#\d+ twin\.bin \S+ by (\w+)/g)].map((m) => m[1]), ['alice', 'bob'], list);
    boss.writeLine('');
    await boss.readUntil('uit: ');
    await boss.close();
    // The uploader's own second copy is refused, with the reason on their screen.
    assert.match(await send('alice', 'twin.bin', 'alice again'), /Refused twin\.bin: you already have a file with this name waiting for the sysop/);
  });
});
