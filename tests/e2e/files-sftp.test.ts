// SFTP on the board's SSH login against OpenSSH's sftp: areas as folders (only the ones
// the caller may list), get, put into the quarantine (the caller's /pending folder),
// `carrier files approve`, and no way out of the root.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@carrier/core';
import { openStore } from '@carrier/store';
import type { Carrier } from '../harness.js';
import { sha256, startSshFilesBoard } from './files-support.js';

let tools = true;
try {
  execFileSync('sh', ['-c', 'command -v sftp && command -v sshpass'], { stdio: 'ignore' });
} catch {
  tools = false;
}

describe('SFTP on the ssh login (OpenSSH sftp)', { skip: tools ? false : 'needs openssh-client and sshpass' }, () => {
  let board: Carrier;
  let dir: string;
  const PASSWORD = 'correct horse battery';

  let close: () => Promise<void> = async () => undefined;
  before(async () => {
    ({ board, dir, close } = await startSshFilesBoard({ prefix: 'carrier-sftp-', maxFileMiB: 5 }));
    await board.addUser('alice', PASSWORD);
    await board.addUser('bob', PASSWORD);
    await board.addUser('boss', PASSWORD, true);
  });
  after(() => close());

  /** Run sftp in batch mode (a leading '-' lets a command fail without ending the batch). */
  function sftp(user: string, commands: string[], cwd = dir, options: string[] = []): Promise<{ code: number; out: string }> {
    const batch = join(dir, `batch-${randomBytes(4).toString('hex')}`);
    execFileSync('sh', ['-c', `cat > ${batch}`], { input: commands.join('\n') + '\n' });
    return new Promise((resolve) => {
      execFile(
        'sshpass',
        ['-p', PASSWORD, 'sftp', '-o', 'BatchMode=no', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
          '-o', 'PubkeyAuthentication=no', ...options, '-b', batch, '-P', String(board.ports.ssh), `${user}@127.0.0.1`],
        { cwd, timeout: 60_000 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      );
    });
  }

  it('ls / shows the areas the caller may list and pending; a low level cannot see the restricted area', async () => {
    const r = await sftp('alice', ['ls -1 /']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /general/);
    assert.match(r.out, /uploads/);
    assert.match(r.out, /pending/);
    assert.doesNotMatch(r.out, /secret/);
    const denied = await sftp('alice', ['get /secret/plans.txt']);
    assert.notEqual(denied.code, 0);
    const sysop = await sftp('boss', ['ls -1 /']);
    assert.match(sysop.out, /secret/);
  });

  it('get fetches a file intact, counted and logged once (not per read); a reget of a partial copy counts, of a whole one not; ../../etc/passwd is refused', async () => {
    const out = await mkdtemp(join(dir, 'get-'));
    const r = await sftp('alice', ['get /general/big.bin'], out);
    assert.equal(r.code, 0, r.out);
    assert.equal(await sha256(join(out, 'big.bin')), await sha256(join(dir, 'general', 'big.bin')));
    // 1.5 MB is dozens of READ requests: one download
    await board.waitForLog((l) => l['event'] === 'files.downloaded' && l['via'] === 'sftp' && l['name'] === 'big.bin');
    const store = await openStore({ dataDir: board.dataDir, log: silentLogger });
    try {
      assert.equal((await store.files.find('general', 'big.bin'))?.downloads, 1);
    } finally {
      await store.close();
    }
    const logged = board.logs.filter((l) => l['event'] === 'files.downloaded' && l['name'] === 'big.bin');
    assert.deepEqual(logged.map((l) => [l['user'], l['via'], l['area'], l['bytes']]), [['alice', 'sftp', 'general', 1_500_000]]);
    // A resumed get (reget) of a partial copy sends only the tail and is counted, as a
    // resumed ZMODEM download is: the caller now has the whole file. One count per handle.
    const bobs = await mkdtemp(join(dir, 'reget-'));
    await writeFile(join(bobs, 'big.bin'), (await readFile(join(dir, 'general', 'big.bin'))).subarray(0, 1_000_000));
    const resumed = await sftp('bob', ['reget /general/big.bin'], bobs);
    assert.equal(resumed.code, 0, resumed.out);
    assert.equal(await sha256(join(bobs, 'big.bin')), await sha256(join(dir, 'general', 'big.bin')));
    const counted = await board.waitForLog((l) => l['event'] === 'files.downloaded' && l['name'] === 'big.bin' && l['user'] === 'bob');
    assert.deepEqual([counted['via'], counted['bytes']], ['sftp', 500_000]);
    // A reget of a copy that is already whole reads nothing new: not counted, logged as partial.
    const seen = board.logs.length;
    const again = await sftp('bob', ['reget /general/big.bin'], bobs);
    assert.equal(again.code, 0, again.out);
    const none = await board.waitForLog((l) => board.logs.indexOf(l) >= seen && l['event'] === 'files.download_partial' && l['name'] === 'big.bin');
    assert.deepEqual([none['user'], none['bytes']], ['bob', 0]);
    assert.deepEqual(board.logs.filter((l) => l['event'] === 'files.downloaded' && l['name'] === 'big.bin').map((l) => l['user']), ['alice', 'bob']);

    // Asking for 256 KiB a read, answered 64 KiB at a time: the client asks again for the
    // rest after reads further on, and the download still counts.
    const wide = await mkdtemp(join(dir, 'wide-'));
    const big = await sftp('boss', ['get /general/big.bin'], wide, ['-B', '262144', '-R', '16']);
    assert.equal(big.code, 0, big.out);
    assert.equal(await sha256(join(wide, 'big.bin')), await sha256(join(dir, 'general', 'big.bin')));
    const bossCounted = await board.waitForLog((l) => l['event'] === 'files.downloaded' && l['name'] === 'big.bin' && l['user'] === 'boss');
    assert.equal(bossCounted['bytes'], 1_500_000);
    const after2 = await openStore({ dataDir: board.dataDir, log: silentLogger });
    try {
      assert.equal((await after2.files.find('general', 'big.bin'))?.downloads, 3);
    } finally {
      await after2.close();
    }
    const bad = await sftp('alice', ['get ../../etc/passwd'], out);
    assert.notEqual(bad.code, 0);
    assert.match(bad.out, /not found|No such file/i);
    const rename = await sftp('alice', ['rename /general/big.bin /general/x.bin']);
    assert.notEqual(rename.code, 0);
  });

  it('put into /pending lands in quarantine, hidden from others until `carrier files approve`', async () => {
    const src = await mkdtemp(join(dir, 'put-'));
    await writeFile(join(src, 'sent.bin'), randomBytes(300_000));
    const put = await sftp('alice', ['put sent.bin /pending/sent.bin', 'ls -1 /pending'], src);
    assert.equal(put.code, 0, put.out);
    assert.match(put.out, /sent\.bin/);
    const others = await sftp('bob', ['ls -1 /pending', 'ls -1 /uploads']);
    assert.doesNotMatch(others.out, /sent\.bin/);
    const pending = await board.cli(['files', 'pending']);
    const id = /#(\d+)\s+sent\.bin/.exec(pending.stdout)?.[1];
    assert.ok(id, pending.stdout);
    const approved = await board.cli(['files', 'approve', id, 'uploads']);
    assert.equal(approved.code, 0, approved.stderr);
    const now = await sftp('bob', ['ls -1 /uploads']);
    assert.match(now.out, /sent\.bin/);
    const gone = await sftp('alice', ['ls -1 /pending']);
    assert.doesNotMatch(gone.out, /sent\.bin/);
    const outside = await sftp('alice', ['put sent.bin /general/sent2.bin'], src);
    assert.notEqual(outside.code, 0);
    // U+202E would show "gpj.exe" as "exe.jpg": refused by the one name check every transfer uses
    const rlo = 'photo\u202egpj.exe';
    await writeFile(join(src, rlo), 'not a picture');
    const reversed = await sftp('alice', [`put "${rlo}" "/pending/${rlo}"`], src);
    assert.notEqual(reversed.code, 0, reversed.out);
    assert.doesNotMatch((await board.cli(['files', 'pending'])).stdout, /photo/);
    const refused = await board.waitForLog((l) => l['event'] === 'sftp.upload_refused' && String(l['name']).startsWith('photo'));
    assert.match(String(refused['reason']), /invisible or text-direction/);
    // `put` at the root, the first thing a caller tries, is an upload too: it waits in /pending.
    await writeFile(join(src, 'rooted.bin'), randomBytes(2000));
    const atRoot = await sftp('alice', ['put rooted.bin', 'ls -1 /pending', 'ls -1 /'], src);
    assert.equal(atRoot.code, 0, atRoot.out);
    assert.match(atRoot.out, /^\/pending\/rooted\.bin$/m, atRoot.out);
    assert.match((await board.cli(['files', 'pending'])).stdout, /#\d+\s+rooted\.bin/);
    const intoArea = await sftp('alice', ['put sent.bin /uploads/sent3.bin'], src);
    assert.notEqual(intoArea.code, 0);
    assert.match(intoArea.out, /Permission denied/);
    assert.doesNotMatch((await board.cli(['files', 'pending'])).stdout, /sent3\.bin/);
  });

  it('a pending upload and an area file of the same name: ls, get and rm each act on the file they name', async () => {
    // alice's upload waits; meanwhile the sysop drops a different file of that name into
    // the uploads area. Before, /uploads showed the area's copy while rm deleted alice's.
    const src = await mkdtemp(join(dir, 'twin-'));
    await writeFile(join(src, 'twin.txt'), 'alice wrote this');
    const put = await sftp('alice', ['put twin.txt /pending/twin.txt'], src);
    assert.equal(put.code, 0, put.out);
    await writeFile(join(dir, 'uploads', 'twin.txt'), 'the sysop put this');
    const scan = await board.cli(['files', 'scan', 'uploads']);
    assert.equal(scan.code, 0, scan.stderr);

    const got = await mkdtemp(join(dir, 'twin-get-'));
    await mkdir(join(got, 'area'));
    await mkdir(join(got, 'mine'));
    const listed = await sftp('alice', ['ls -1 /uploads', 'ls -1 /pending', 'get /uploads/twin.txt area/twin.txt', 'get /pending/twin.txt mine/twin.txt'], got);
    assert.equal(listed.code, 0, listed.out);
    assert.deepEqual(listed.out.match(/^\/\w+\/twin\.txt$/gm), ['/uploads/twin.txt', '/pending/twin.txt'], `listed in both folders:\n${listed.out}`);
    assert.equal(await readFile(join(got, 'area', 'twin.txt'), 'utf8'), 'the sysop put this');
    assert.equal(await readFile(join(got, 'mine', 'twin.txt'), 'utf8'), 'alice wrote this');

    const rmArea = await sftp('alice', ['rm /uploads/twin.txt']);
    assert.notEqual(rmArea.code, 0, rmArea.out);
    assert.match(rmArea.out, /Permission denied/);
    const stillPending = await sftp('alice', ['ls -1 /pending']);
    assert.match(stillPending.out, /^\/pending\/twin\.txt$/m, 'refusing rm in the area left the pending upload alone');

    const rmOwn = await sftp('alice', ['rm /pending/twin.txt', 'ls -1 /pending', 'ls -1 /uploads']);
    assert.equal(rmOwn.code, 0, rmOwn.out);
    assert.deepEqual(rmOwn.out.match(/^\/\w+\/twin\.txt$/gm), ['/uploads/twin.txt'], `only the area's copy is left:\n${rmOwn.out}`);
    assert.equal(await readFile(join(dir, 'uploads', 'twin.txt'), 'utf8'), 'the sysop put this');
    const pending = await board.cli(['files', 'pending']);
    assert.doesNotMatch(pending.stdout, /twin\.txt/);
  });

  it("two callers put one name: both uploads wait for the sysop, each caller sees and gets only their own", async () => {
    // Before, bob's put was refused because alice's upload of that name waited, and
    // OpenSSH's sftp showed him only "Permission denied".
    const a = await mkdtemp(join(dir, 'same-a-'));
    const b = await mkdtemp(join(dir, 'same-b-'));
    await writeFile(join(a, 'same.txt'), 'alice wrote this');
    await writeFile(join(b, 'same.txt'), 'bob wrote this');
    const putA = await sftp('alice', ['put same.txt /pending/same.txt'], a);
    assert.equal(putA.code, 0, putA.out);
    const putB = await sftp('bob', ['put same.txt /pending/same.txt'], b);
    assert.equal(putB.code, 0, putB.out);
    for (const [who, folder, text] of [['alice', a, 'alice wrote this'], ['bob', b, 'bob wrote this']] as const) {
      await mkdir(join(folder, 'back'));
      const got = await sftp(who, ['ls -l /pending', 'get /pending/same.txt back/same.txt'], folder);
      assert.equal(got.code, 0, got.out);
      const rows = [...got.out.matchAll(/^-\S+\s+\d+\s+\S+\s+\S+\s+(\d+)\s+\S+\s+same\.txt$/gm)].map((m) => Number(m[1]));
      assert.deepEqual(rows, [text.length], `one same.txt listed, the caller's own:\n${got.out}`);
      assert.equal(await readFile(join(folder, 'back', 'same.txt'), 'utf8'), text);
    }
    // The uploader's own second copy of the name is refused (their /pending must name one file).
    const again = await sftp('alice', ['put same.txt /pending/same.txt'], b);
    assert.notEqual(again.code, 0, again.out);
    await board.waitForLog((l) => l['event'] === 'sftp.upload_refused' && l['user'] === 'alice' && l['reason'] === 'you already have a file with this name waiting for the sysop');
    const pending = (await board.cli(['files', 'pending'])).stdout;
    const ids = [...pending.matchAll(/#(\d+)\s+same\.txt\s.*by (\w+)/g)].map((m) => ({ id: m[1]!, by: m[2]! }));
    assert.deepEqual(ids.map((u) => u.by), ['alice', 'bob'], pending);
    const first = await board.cli(['files', 'approve', ids[0]!.id, 'uploads']);
    assert.equal(first.code, 0, first.stderr);
    const second = await board.cli(['files', 'approve', ids[1]!.id, 'uploads']);
    assert.notEqual(second.code, 0);
    assert.match(second.stderr, /Uploads already has a file named same\.txt/);
    assert.equal(await readFile(join(dir, 'uploads', 'same.txt'), 'utf8'), 'alice wrote this');
    const rejected = await board.cli(['files', 'reject', ids[1]!.id]);
    assert.equal(rejected.code, 0, rejected.stderr);
  });

  it("a refused put or rename says why on the caller's terminal, not only sftp's 'Failure' or 'Permission denied'", async () => {
    // OpenSSH's sftp prints its own text for a status code and drops the board's message;
    // the board's reason comes as a line on the channel's standard error, which ssh prints.
    const src = await mkdtemp(join(dir, 'why-'));
    await writeFile(join(src, 'huge.bin'), randomBytes(6 * 1024 * 1024));
    await writeFile(join(src, 'empty.txt'), '');
    await writeFile(join(src, 'CON.txt'), 'a device name');
    await writeFile(join(src, 'samebytes.bin'), await readFile(join(dir, 'general', 'big.bin')));
    const got = await mkdtemp(join(dir, 'why-get-'));
    const r = await sftp('alice', ['-put huge.bin', '-put empty.txt', '-put CON.txt', '-put samebytes.bin', '-rename /pending/a.txt /pending/b.txt', `get /general/big.bin ${join(got, 'big.bin')}`], src);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /huge\.bin: the upload went over its limit \(5242880 bytes/, r.out);
    assert.match(r.out, /empty\.txt: the file is empty: nothing was kept/, r.out);
    assert.match(r.out, /CON\.txt: the name is a reserved device name/, r.out);
    assert.match(r.out, /samebytes\.bin: the board already has this file \(same SHA-256\)/, r.out);
    assert.match(r.out, /rename is not allowed on this board/, r.out);
    // The lines take nothing from the session: a download after them arrives intact.
    assert.equal(await sha256(join(got, 'big.bin')), await sha256(join(dir, 'general', 'big.bin')));
    assert.doesNotMatch((await board.cli(['files', 'pending'])).stdout, /huge\.bin|empty\.txt|CON\.txt|samebytes\.bin/);
  });
});
