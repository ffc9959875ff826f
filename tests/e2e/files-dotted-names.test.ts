// File names with ".." inside them ("v1..2.zip", "notes...txt") are names, not path
// tricks: only a name that IS "." or ".." (or holds a separator) climbs anywhere. Real
// peers: Debian's lrzsz sz as a telnet caller's terminal, OpenSSH's sftp, `carrier files
// scan`, and a web download link fetched over HTTP.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TelnetClient } from '@carrier/client';
import type { Carrier } from '../harness.js';
import { bridgeLrzsz, sha256, startSshFilesBoard, telnetToFiles } from './files-support.js';

let tools = true;
try {
  execFileSync('sh', ['-c', 'command -v sz && command -v sftp && command -v sshpass'], { stdio: 'ignore' });
} catch {
  tools = false;
}

const PASSWORD = 'dots in names 42';

describe('file names with ".." inside them', { skip: tools ? false : 'needs lrzsz, openssh-client and sshpass' }, () => {
  let board: Carrier;
  let dir: string;
  let close: () => Promise<void> = async () => undefined;

  before(async () => {
    ({ board, dir, close } = await startSshFilesBoard({ prefix: 'carrier-dotted-', maxFileMiB: 5 }));
    await board.addUser('alice', PASSWORD);
    await board.addUser('bob', PASSWORD);
  });
  after(() => close());

  /** OpenSSH sftp as `user`, the commands on its standard input (`-b -`), run in `cwd`. */
  function sftp(user: string, commands: string[], cwd: string): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      const child = execFile(
        'sshpass',
        ['-p', PASSWORD, 'sftp', '-o', 'BatchMode=no', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`, '-o', 'PubkeyAuthentication=no',
          '-b', '-', '-P', String(board.ports.ssh), `${user}@127.0.0.1`],
        { cwd, timeout: 60_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      );
      child.stdin?.end(commands.join('\n') + '\n');
    });
  }

  async function caller(handle: string): Promise<TelnetClient> {
    return (await telnetToFiles({ port: board.ports.telnet!, timeout: 30_000, localAddress: '127.0.0.2', handle, password: PASSWORD })).c;
  }

  it('`carrier files scan` indexes release..final.zip and notes...txt; SFTP lists and gets them; a W link serves the bytes over HTTP', async () => {
    const data = randomBytes(40_000);
    // Not v1..2.zip: the uploads below use that name, and a name already in an area is refused.
    await writeFile(join(dir, 'general', 'release..final.zip'), data);
    await writeFile(join(dir, 'general', 'notes...txt'), 'three dots, one name\n');
    const scanned = await board.cli(['files', 'scan', 'general']);
    assert.equal(scanned.code, 0, scanned.stderr);
    // Fails without: 'general: not indexed: release..final.zip: the name has ".." in it'.
    assert.doesNotMatch(scanned.stdout + scanned.stderr, /release\.\.final\.zip|notes\.\.\.txt/, scanned.stdout + scanned.stderr);

    const out = await mkdtemp(join(dir, 'get-'));
    const listed = await sftp('bob', ['ls -1 /general', 'get /general/release..final.zip'], out);
    assert.equal(listed.code, 0, listed.out);
    assert.match(listed.out, /^\/general\/release\.\.final\.zip$/m);
    assert.match(listed.out, /^\/general\/notes\.\.\.txt$/m);
    assert.equal(await sha256(join(out, 'release..final.zip')), await sha256(join(dir, 'general', 'release..final.zip')));

    const c = await caller('bob');
    try {
      c.write('w');
      await c.readUntil('web download link: ');
      c.writeLine('release..final.zip');
      const said = await c.readUntil('uit: ');
      const url = /(http:\/\/127\.0\.0\.1:\d+\/dl\/[^\s\x1b]+)/.exec(said)?.[1];
      assert.ok(url, said);
      assert.ok(url.endsWith('/release..final.zip'), url);
      const res = await fetch(url);
      assert.equal(res.status, 200, await res.clone().text());
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(createHash('sha256').update(body).digest('hex'), createHash('sha256').update(data).digest('hex'));
    } finally {
      await c.close();
    }
  });

  it('sz uploads v1..2.zip over telnet: received, waiting for the sysop', async () => {
    const src = await mkdtemp(join(dir, 'sz-'));
    await writeFile(join(src, 'v1..2.zip'), randomBytes(30_000));
    const c = await caller('alice');
    try {
      c.write('u');
      await c.readUntil('Start your ZMODEM upload');
      const sz = bridgeLrzsz(c, 'sz', ['-b', 'v1..2.zip'], src);
      assert.equal(await sz.exit, 0, sz.stderr());
      // Fails without: 'the name has ".." in it' and 0 file(s) received.
      await c.readUntil('Describe v1..2.zip');
      c.writeLine('a version with two dots');
      await c.readUntil(/1 file\(s\) received/);
    } finally {
      await c.close();
    }
    const pending = await board.cli(['files', 'pending']);
    assert.match(pending.stdout, /#\d+ {2}v1\.\.2\.zip .* by alice /, pending.stdout + pending.stderr);
  });

  it('sftp put of v1..2.zip lands in /pending', async () => {
    const src = await mkdtemp(join(dir, 'put-'));
    await writeFile(join(src, 'v1..2.zip'), randomBytes(20_000));
    const put = await sftp('bob', ['put v1..2.zip /pending/v1..2.zip', 'ls -1 /pending'], src);
    // Fails without: "Permission denied" and 'the name has ".." in it' on standard error.
    assert.equal(put.code, 0, put.out);
    assert.match(put.out, /^\/pending\/v1\.\.2\.zip$/m);
    const pending = await board.cli(['files', 'pending']);
    assert.match(pending.stdout, /#\d+ {2}v1\.\.2\.zip .* by bob /, pending.stdout + pending.stderr);
  });
});
