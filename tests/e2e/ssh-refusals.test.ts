// Why the board turned an ssh caller away reaches the caller's own client as text, with
// OpenSSH's ssh (sshpass for passwords) and PuTTY's plink: too many wrong passwords and a
// locked account (an SSH_MSG_USERAUTH_BANNER before the end), a ban and a full board at
// connect (a DISCONNECT with the reason, before any key exchange). Before, ssh printed
// only "Permission denied" or "Connection closed".
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { eventually, holdOpen, refusedAsBanned } from './security-support.js';

let tools = true;
try {
  execFileSync('sh', ['-c', 'command -v ssh && command -v sshpass && command -v plink && command -v ssh-keygen'], { stdio: 'ignore' });
} catch {
  tools = false;
}

/** What a client printed, and how it ended. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 30_000, env }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }));
  });
}

describe('ssh refusals reach the caller as text', { skip: tools ? false : 'needs openssh-client, sshpass and putty-tools' }, () => {
  let board: Carrier;
  const tmp = scratchDir('carrier-ssh-refusals');
  const knownHosts = join(tmp, 'known_hosts');
  const PASSWORD = 'wonderland7';
  /** The board's ed25519 host key, as plink -hostkey takes it. */
  let hostKey = '';

  before(async () => {
    board = await startCarrier({
      ssh: true,
      logLevel: 'info',
      yaml: [
        'security: { banRefresh: 200ms, penalties: { delay: 100ms, maxDelay: 1s, banAt: 15, banFor: 1m } }',
        'limits: { maxPerIp: 4 }',
        'session: { maxLoginTries: 3 }',
      ].join('\n'),
    });
    await board.addUser('alice', PASSWORD);
    await board.addUser('bob', PASSWORD);
    hostKey = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(board.dataDir, 'ssh_host_ed25519_key.pub')], { encoding: 'utf8' }).split(' ')[1]!;
  });
  after(() => board?.stop());

  const ssh = (user: string, password: string, extra: string[] = []): Promise<{ code: number; out: string }> =>
    run('sshpass', ['-p', password, 'ssh', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'PubkeyAuthentication=no', ...extra, '-p', String(board.ports.ssh), `${user}@127.0.0.1`, 'true']);
  const plink = (user: string, password: string): Promise<{ code: number; out: string }> =>
    run('plink', ['-ssh', '-batch', '-hostkey', hostKey, '-P', String(board.ports.ssh), '-l', user, '-pw', password, '127.0.0.1', 'true']);

  /** ssh typing a wrong password at every prompt (sshpass gives up at the second: ssh's own askpass answers all three). */
  const guessing = (extra: string[] = []): Promise<{ code: number; out: string }> => {
    const askpass = join(tmp, 'askpass.sh');
    writeFileSync(askpass, '#!/bin/sh\necho not-the-password\n', { mode: 0o755 });
    return run(
      'ssh',
      ['-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'PubkeyAuthentication=no', ...extra, '-p', String(board.ports.ssh), 'alice@127.0.0.1', 'true'],
      { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' },
    );
  };

  it('wrong passwords until the board hangs up: OpenSSH prints why', async () => {
    const r = await guessing();
    assert.notEqual(r.code, 0);
    assert.match(r.out, /Received disconnect from 127\.0\.0\.1 port \d+:14: Too many failed logins\. Goodbye\./, r.out);
  });

  it('a locked account with its right password: ssh and plink print that it is locked, and it is no failed guess', async () => {
    const locked = await board.cli(['user', 'lock', 'bob']);
    assert.equal(locked.code, 0, locked.stderr);
    const r = await ssh('bob', PASSWORD);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /This account is locked\. Contact the sysop\./, r.out);
    const p = await plink('bob', PASSWORD);
    assert.notEqual(p.code, 0);
    assert.match(p.out, /This account is locked\. Contact the sysop\./, p.out);
    assert.ok(board.logs.some((l) => l['event'] === 'ssh.auth_refused' && l['user'] === 'bob'));
    assert.equal(board.logs.filter((l) => l['event'] === 'ssh.auth_failed' && l['user'] === 'bob' && l['method'] !== 'none').length, 0, 'the right password is not counted as a wrong one');
    // A wrong password for the locked account learns nothing about the lock.
    const wrong = await plink('bob', 'not-the-password');
    assert.doesNotMatch(wrong.out, /locked/);
    // Nor does a key that is not the account's; the account's own key hears it.
    const key = join(tmp, 'id_bob');
    const other = join(tmp, 'id_other');
    for (const k of [key, other]) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', k]);
    const added = await board.cli(['user', 'key', 'add', 'bob', `${key}.pub`]);
    assert.equal(added.code, 0, added.stderr);
    const byKey = (k: string) =>
      run('ssh', ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'IdentitiesOnly=yes', '-i', k, '-p', String(board.ports.ssh), 'bob@127.0.0.1', 'true']);
    const own = await byKey(key);
    assert.match(own.out, /:11: This account is locked\. Contact the sysop\./, own.out);
    const stranger = await byKey(other);
    assert.doesNotMatch(stranger.out, /locked/, stranger.out);
    assert.match(stranger.out, /Permission denied/);
  });

  it('a banned address at connect: ssh prints the reason the DISCONNECT carries', async () => {
    const add = await board.cli(['ban', 'add', '127.0.0.2', '--for', '1h']);
    assert.equal(add.code, 0, add.stderr);
    await eventually(() => refusedAsBanned(board.ports.telnet!, '127.0.0.2'), 5000, 'the CLI ban to reach the board');
    const r = await ssh('alice', PASSWORD, ['-b', '127.0.0.2']);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /Received disconnect from 127\.0\.0\.1 port \d+:1: This address is banned\./, r.out);
  });

  it('wrong passwords until the source is banned, in the middle of authenticating: ssh prints the ban', async () => {
    // 5 penalty points a wrong password, banned at 15: the third guess bans 127.0.0.3.
    const r = await guessing(['-b', '127.0.0.3']);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /Received disconnect from 127\.0\.0\.1 port \d+:1: This address is banned\./, r.out);
    await board.waitForLog((l) => l['event'] === 'security.ban' && l['target'] === '127.0.0.3');
  });

  it('too many connections at connect: plink and ssh print the reason', async () => {
    const held = await holdOpen(board.ports.ssh!, '127.0.0.1', 4);
    try {
      const p = await plink('alice', PASSWORD);
      assert.notEqual(p.code, 0);
      assert.match(p.out, /carrier: too many connections from your address\. Please call again later\./, p.out);
      const r = await ssh('alice', PASSWORD);
      assert.match(r.out, /:12: carrier: too many connections from your address\. Please call again later\./, r.out);
    } finally {
      for (const s of held) s.destroy();
    }
  });
});
