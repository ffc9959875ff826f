// scp to and from the board with OpenSSH's scp: the default (SFTP underneath, OpenSSH 9+)
// and the legacy protocol (`scp -O`: the client execs `scp -t`/`scp -f`, which carrier
// parses and serves itself with the SFTP rules; nothing is run).
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Carrier } from '../harness.js';
import { sha256, startSshFilesBoard } from './files-support.js';

let tools = true;
try {
  execFileSync('sh', ['-c', 'command -v scp && command -v sshpass'], { stdio: 'ignore' });
} catch {
  tools = false;
}

describe('scp to and from the board (OpenSSH scp, SFTP and legacy -O)', { skip: tools ? false : 'needs openssh-client and sshpass' }, () => {
  let board: Carrier;
  let dir: string;
  const PASSWORD = 'correct horse battery';

  let close: () => Promise<void> = async () => undefined;
  before(async () => {
    ({ board, dir, close } = await startSshFilesBoard({ prefix: 'carrier-scp-', maxFileMiB: 2, generalFiles: { 'small.txt': 'hello from the board\n' } }));
    await board.addUser('alice', PASSWORD);
  });
  after(() => close());

  function scp(args: string[], legacy: boolean): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      execFile(
        'sshpass',
        ['-p', PASSWORD, 'scp', ...(legacy ? ['-O'] : []), '-o', 'BatchMode=no', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
          '-o', 'PubkeyAuthentication=no', '-P', String(board.ports.ssh), ...args],
        { cwd: dir, timeout: 60_000 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      );
    });
  }
  const remote = (path: string): string => `alice@127.0.0.1:${path}`;
  const downloadsLogged = (): number => board.logs.filter((l) => l['event'] === 'files.downloaded' && l['name'] === 'big.bin').length;

  async function pendingNamed(name: string): Promise<string | undefined> {
    const pending = await board.cli(['files', 'pending']);
    return new RegExp(`#(\\d+)\\s+${name.replace('.', '\\.')}`).exec(pending.stdout)?.[1];
  }

  for (const legacy of [false, true]) {
    const mode = legacy ? 'scp -O (legacy protocol)' : 'scp (SFTP)';

    it(`${mode}: fetches a file intact, and uploads land in quarantine`, async () => {
      const out = await mkdtemp(join(dir, 'out-'));
      const before = downloadsLogged();
      const got = await scp([remote('general/big.bin'), join(out, 'big.bin')], legacy);
      assert.equal(got.code, 0, got.out);
      assert.equal(await sha256(join(out, 'big.bin')), await sha256(join(dir, 'general', 'big.bin')));
      // counted and logged once, as ZMODEM's are (scp over SFTP is SFTP on the wire)
      const via = legacy ? 'scp' : 'sftp';
      await board.waitForLog((l) => l['event'] === 'files.downloaded' && l['via'] === via && board.logs.indexOf(l) >= before);
      assert.equal(downloadsLogged() - before, 1);

      const name = legacy ? 'legacy-up.bin' : 'sftp-up.bin';
      await writeFile(join(out, name), randomBytes(300_000));
      const put = await scp([join(out, name), remote('pending/')], legacy);
      assert.equal(put.code, 0, put.out);
      // OpenSSH sets the new file's mode on its handle; the board says OK (and keeps its own).
      assert.doesNotMatch(put.out, /fsetstat|Permission denied/, 'a clean upload prints no error');
      const id = await pendingNamed(name);
      assert.ok(id, `no pending upload ${name}`);
      const quarantined = (await readdir(join(dir, 'quarantine'))).find((f) => f.endsWith(`-${name}`));
      assert.ok(quarantined);
      assert.equal(await sha256(join(dir, 'quarantine', quarantined)), await sha256(join(out, name)));
      await assert.rejects(stat(join(dir, 'uploads', name)));
      // `scp file bbs:` (the home folder, the root here) is an upload too.
      const home = legacy ? 'legacy-home.bin' : 'sftp-home.bin';
      await writeFile(join(out, home), randomBytes(1000));
      const toHome = await scp([join(out, home), remote('')], legacy);
      assert.equal(toHome.code, 0, toHome.out);
      assert.ok(await pendingNamed(home), `no pending upload ${home}`);
    });

    it(`${mode}: refuses a path outside the areas, a hidden area, writes outside pending and an upload over the cap`, async () => {
      const out = await mkdtemp(join(dir, 'out-'));
      const escape = await scp([remote('../../etc/passwd'), join(out, 'passwd')], legacy);
      assert.notEqual(escape.code, 0);
      await assert.rejects(stat(join(out, 'passwd')));
      const hidden = await scp([remote('secret/plans.txt'), join(out, 'plans.txt')], legacy);
      assert.notEqual(hidden.code, 0);
      await assert.rejects(stat(join(out, 'plans.txt')));

      await writeFile(join(out, 'elsewhere.txt'), 'nope');
      const wrongPlace = await scp([join(out, 'elsewhere.txt'), remote('general/')], legacy);
      assert.notEqual(wrongPlace.code, 0);
      await assert.rejects(stat(join(dir, 'general', 'elsewhere.txt')));
      // the uploads area is an area like any other: what waits for the sysop is in /pending
      const intoArea = await scp([join(out, 'elsewhere.txt'), remote('uploads/')], legacy);
      assert.notEqual(intoArea.code, 0);
      assert.equal(await pendingNamed('elsewhere.txt'), undefined);

      const huge = legacy ? 'huge-legacy.bin' : 'huge-sftp.bin';
      await writeFile(join(out, huge), randomBytes(3 * 1024 * 1024));
      const over = await scp([join(out, huge), remote('pending/')], legacy);
      assert.notEqual(over.code, 0);
      if (legacy) assert.match(over.out, /larger than its limit/);
      assert.equal(await pendingNamed(huge), undefined);
      const left = (await readdir(join(dir, 'quarantine', 'incoming'))).filter((f) => f.endsWith('.part'));
      assert.deepEqual(left, []);
    });
  }

  it('scp -O: a recursive copy and shell syntax are refused with a reason, one log line each', async () => {
    const out = await mkdtemp(join(dir, 'out-'));
    const rec = await scp(['-r', remote('general'), join(out, 'g')], true);
    assert.notEqual(rec.code, 0);
    assert.match(rec.out, /recursive copies \(-r\) are not served/);
    const glob = await scp([remote('general/*.txt'), out], true);
    assert.notEqual(glob.code, 0);
    assert.match(glob.out, /shell syntax are not served/);
    await board.waitForLog((l) => l.event === 'ssh.request_refused' && l.request === 'exec' && String(l.detail).includes('*.txt'));
    // A name with a space, escaped as a shell would (scp -O matches the returned name against the request).
    await writeFile(join(dir, 'general', 'two words.txt'), 'spaced\n');
    const scan = await board.cli(['files', 'scan', 'general']);
    assert.equal(scan.code, 0, scan.stderr);
    const spaced = await scp([remote('general/two\\ words.txt'), join(out, 'spaced.txt')], true);
    assert.equal(spaced.code, 0, spaced.out);
  });
});
