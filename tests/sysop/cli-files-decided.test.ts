// `carrier files approve|reject` of an upload the sysop already decided on names what
// became of it (approved into which area, or rejected), not "no pending upload" as for a
// number that never was. The uploads come over OpenSSH's sftp, as a caller's would.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run, type Carrier } from '../harness.js';
import { startSshFilesBoard } from '../e2e/files-support.js';

const tools = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v sftp && command -v sshpass'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('files approve and reject of a decided upload', { skip: tools ? false : 'needs openssh-client and sshpass', timeout: 120_000 }, () => {
  const PASSWORD = 'correct horse battery';
  let board: Carrier;
  let dir: string;
  let close: () => Promise<void> = async () => undefined;
  before(async () => {
    ({ board, dir, close } = await startSshFilesBoard({ prefix: 'carrier-decided-', maxFileMiB: 1 }));
    await board.addUser('alice', PASSWORD);
  });
  after(() => close());

  /** alice puts `name` into /pending; resolves with its upload number from `files pending`. */
  async function upload(name: string): Promise<string> {
    await writeFile(join(dir, name), `${name} from alice\n`);
    const opts = ['-o', 'BatchMode=no', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`, '-o', 'PubkeyAuthentication=no'];
    const put = await run('sshpass', ['-p', PASSWORD, 'sftp', ...opts, '-b', '-', '-P', String(board.ports.ssh), 'alice@127.0.0.1'], { input: `put ${join(dir, name)} /pending/${name}\n`, timeoutMs: 60_000 });
    assert.equal(put.code, 0, put.stderr);
    const pending = await board.cli(['files', 'pending']);
    const id = new RegExp(`^#(\\d+) +${name.replace('.', '\\.')} `, 'm').exec(pending.stdout)?.[1];
    assert.ok(id, pending.stdout);
    return id;
  }

  it('an approved upload: approving or rejecting it again says it is in its area', async () => {
    const id = await upload('note.txt');
    const first = await board.cli(['files', 'approve', id, 'uploads']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `approved #${id}: note.txt is in uploads\n`);
    const again = await board.cli(['files', 'approve', id, 'general']);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, `carrier: files approve: upload #${id} (note.txt) is already approved: it is in uploads\n`);
    const reject = await board.cli(['files', 'reject', id]);
    assert.equal(reject.code, 1);
    assert.equal(reject.stderr, `carrier: files reject: upload #${id} (note.txt) is already approved: it is in uploads\n`);
  });

  it('a rejected upload: approving it says it was rejected; a number never used is still "no pending upload"', async () => {
    const id = await upload('gone.txt');
    assert.equal((await board.cli(['files', 'reject', id])).code, 0);
    const approve = await board.cli(['files', 'approve', id, 'uploads']);
    assert.equal(approve.code, 1);
    assert.equal(approve.stderr, `carrier: files approve: upload #${id} (gone.txt) was rejected: its bytes are deleted\n`);
    const never = await board.cli(['files', 'approve', '9999', 'uploads']);
    assert.equal(never.code, 1);
    assert.equal(never.stderr, 'carrier: files approve: no pending upload #9999\n');
  });
});
