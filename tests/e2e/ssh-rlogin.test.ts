// The ssh and rlogin front ends through the whole board, with real clients: OpenSSH
// (sshpass for passwords, a key registered with the CLI), netkit rlogin, and a raw
// rlogin handshake from a trusted and an untrusted address.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { scratchDir } from '@carrier/core/testing';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, run, startCarrier, type Carrier } from '../harness.js';
import { loginRaw } from '../raw-telnet.js';

const exp = (name: string) => join(repoRoot, 'tests/e2e', name);

/** A raw rlogin handshake from `localAddress`; resolves with the output up to the first prompt. */
function rloginCall(port: number, localAddress: string, handshake: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    let got = '';
    s.on('connect', () => s.write(Buffer.from(handshake, 'latin1')));
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (/Command:|password:/.test(got)) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', reject);
    setTimeout(() => {
      s.destroy();
      reject(new Error(`no prompt; got ${JSON.stringify(got.slice(-300))}`));
    }, 15_000);
  });
}

describe('callers over ssh and rlogin', () => {
  let board: Carrier;
  const tmp = scratchDir('carrier-ssh-e2e');
  const knownHosts = join(tmp, 'known_hosts');

  before(async () => {
    board = await startCarrier({ ssh: true, rlogin: 'trusted: [127.0.0.3], synctermOrder: [127.0.0.4]' });
    await board.addUser('alice', 'wonderland7');
    await board.addUser('bob', 'builder-42');
  });
  after(async () => {
    await board.stop();
  });

  /** bob pastes a key line into the board's K menu over telnet; waits for `answer`. */
  async function addKeyWithK(line: string, answer: string): Promise<void> {
    const bob = await loginRaw(board.ports.telnet!, 'bob', 'builder-42');
    try {
      bob.send('k');
      await bob.waitForNext('uit: ');
      bob.send('a');
      await bob.waitForNext('Paste one line');
      bob.send(line + '\r');
      await bob.waitForNext(answer);
    } finally {
      bob.close();
    }
  }

  it('logs in with OpenSSH and a password, lists a telnet caller in who\'s online, and logs off', async () => {
    const bob = await loginRaw(board.ports.telnet!, 'bob', 'builder-42');
    try {
      const r = await run('expect', [exp('ssh-caller.exp'), String(board.ports.ssh), 'alice', 'wonderland7', 'bob', knownHosts], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stdout.slice(-1500));
    } finally {
      bob.close();
    }
    await board.waitForLog((l) => l['event'] === 'session.end' && l['user'] === 'alice' && l['reason'] === 'logoff');
  });

  it('passes a window change from OpenSSH to the live session', async () => {
    const bob = await loginRaw(board.ports.telnet!, 'bob', 'builder-42');
    try {
      const r = await run('expect', [exp('ssh-caller.exp'), String(board.ports.ssh), 'alice', 'wonderland7', 'bob', knownHosts, 'resize'], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stdout.slice(-1500));
      await board.waitForLog((l) => l['event'] === 'session.resize' && l['cols'] === 132 && l['rows'] === 50);
    } finally {
      bob.close();
    }
  });

  it('logs in with a public key added through the CLI, with no password prompt', async () => {
    const key = join(tmp, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key, '-C', 'alice@test']);
    const added = await board.cli(['user', 'key', 'add', 'alice', `${key}.pub`]);
    assert.equal(added.code, 0, added.stderr);
    const listed = await board.cli(['user', 'key', 'list', 'alice']);
    assert.match(listed.stdout, /ssh-ed25519\tSHA256:/);
    const r = await run('expect', [exp('ssh-key-caller.exp'), String(board.ports.ssh), 'alice', key, knownHosts], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stdout.slice(-1500));
    assert.match(r.stdout, /\nOK/);
  });

  it('lets a caller add a key from the board (K), then log in over ssh with it', async () => {
    const key = join(tmp, 'id_bob');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key, '-C', 'bob@laptop']);
    await addKeyWithK(readFileSync(`${key}.pub`, 'latin1').trim(), 'Added');
    const r = await run('expect', [exp('ssh-key-caller.exp'), String(board.ports.ssh), 'bob', key, knownHosts], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stdout.slice(-1500));
    assert.match(r.stdout, /\nOK/);
  });

  it('refuses a truncated public key, from the board (K) and from the CLI, with a short reason; nothing is stored', async () => {
    const key = join(tmp, 'id_cut');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key, '-C', 'bob@cut']);
    const [algo, b64, comment] = readFileSync(`${key}.pub`, 'latin1').trim().split(' ');
    // A copy that lost its end: still base64, still the right type name inside.
    const cut = `${algo} ${Buffer.from(b64!, 'base64').subarray(0, 40).toString('base64')} ${comment}`;
    await addKeyWithK(cut, 'that key cannot log in here: the key data is truncated or corrupt');
    const cli = await board.cli(['user', 'key', 'add', 'bob', '-'], cut + '\n');
    assert.equal(cli.code, 1, cli.stdout);
    assert.equal(cli.stderr.trim(), 'carrier: user key add: that key cannot log in here: the key data is truncated or corrupt');
    const list = await board.cli(['user', 'key', 'list', 'bob']);
    assert.doesNotMatch(list.stdout, /bob@cut/);
  });

  it('refuses a security key (sk-) at K and from the CLI, by name; nothing is stored', async () => {
    // ssh-keygen makes sk keys only with a FIDO device: the .pub line is built as OpenSSH writes it.
    const strings = [Buffer.from('sk-ssh-ed25519@openssh.com'), Buffer.alloc(32, 5), Buffer.from('ssh:')].flatMap((p) => [Buffer.from([0, 0, 0, p.length]), p]);
    const sk = `sk-ssh-ed25519@openssh.com ${Buffer.concat(strings).toString('base64')} bob@yubikey`;
    const refused = 'security keys are not supported by this board; add an ed25519, ECDSA or RSA key';
    await addKeyWithK(sk, refused);
    const cli = await board.cli(['user', 'key', 'add', 'bob', '-'], sk + '\n');
    assert.equal(cli.code, 1, cli.stdout);
    assert.equal(cli.stderr.trim(), `carrier: user key add: ${refused}`);
    const list = await board.cli(['user', 'key', 'list', 'bob']);
    assert.doesNotMatch(list.stdout, /bob@yubikey|sk-ssh/);
  });

  it('says so when K is asked to remove a number no key has, and removes nothing', async () => {
    const bob = await loginRaw(board.ports.telnet!, 'bob', 'builder-42');
    try {
      bob.send('k');
      await bob.waitForNext('uit: ');
      bob.send('r');
      await bob.waitForNext('Remove which number?');
      bob.send('7\r');
      // It went straight back to the list, as if a key had been removed (fails without).
      await bob.waitForNext('No key has the number 7.');
      bob.send(' ');
      await bob.waitForNext('uit: ');
    } finally {
      bob.close();
    }
    const list = await board.cli(['user', 'key', 'list', 'bob']);
    assert.match(list.stdout, /bob@laptop/);
  });

  it("lists a key with a long comment on one row of K's list, the comment cut at the edge", async () => {
    const key = join(tmp, 'id_long');
    const comment = `bob-${'x'.repeat(60)}-end`;
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key, '-C', comment]);
    await addKeyWithK(readFileSync(`${key}.pub`, 'latin1').trim(), 'Added');
    const bob = await loginRaw(board.ports.telnet!, 'bob', 'builder-42');
    try {
      bob.send('k');
      const text = (await bob.waitForNext('uit: ')).replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
      const rows = text.split(/\r?\n/).filter((l) => /^ ?\d+ ssh-ed25519 /.test(l));
      assert.equal(rows.length, 2, text);
      // 100 columns wrapped onto a second row on an 80-column screen (fails without).
      for (const r of rows) assert.ok(r.length <= 79, `a row of ${r.length} columns: ${r}`);
      assert.doesNotMatch(text, /-end/);
      bob.send('q');
      await bob.waitForNext('Command:');
    } finally {
      bob.close();
    }
  });

  it('refuses a command (exec) with a message and keeps serving', async () => {
    const r = await run('sshpass', ['-p', 'wonderland7', 'ssh', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'PubkeyAuthentication=no', '-p', String(board.ports.ssh), 'alice@127.0.0.1', 'cat /etc/passwd'], { timeoutMs: 30_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /interactive shell only/);
    const still = await loginRaw(board.ports.telnet!, 'bob', 'builder-42');
    still.close();
  });

  it('ends the call when the client ends its input (ssh -T </dev/null), freeing the node', async () => {
    const started = Date.now();
    const r = await run('sshpass', ['-p', 'wonderland7', 'ssh', '-T', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'PubkeyAuthentication=no', '-p', String(board.ports.ssh), 'alice@127.0.0.1'], { input: '', timeoutMs: 30_000 });
    assert.notEqual(r.code, null, `ssh returned by itself (${r.stderr})`);
    assert.ok(Date.now() - started < 20_000);
    const ended = await board.waitForLog((l) => l['event'] === 'session.end' && /ended its input/.test(String(l['reason'] ?? '')), 10_000);
    assert.ok(ended);
  });

  it('takes ssh new@ through the application, and the account then logs in over telnet', async () => {
    const r = await run('expect', [exp('ssh-newuser.exp'), String(board.ports.ssh), knownHosts, 'Dora', 'explorer-99'], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stdout.slice(-1500));
    const dora = await loginRaw(board.ports.telnet!, 'dora', 'explorer-99');
    dora.close();
  });

  it('logs in with netkit rlogin -l, which reaches password:', { skip: process.getuid?.() !== 0 ? 'netkit rlogin binds a privileged source port: needs root' : false }, async () => {
    const r = await run('expect', [exp('rlogin-caller.exp'), String(board.ports.rlogin), 'alice', 'wonderland7'], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stdout.slice(-1500));
  });

  it('lets a trusted rlogin host (127.0.0.3) straight in, and asks 127.0.0.2 (not listed) for a password', async () => {
    const call = (localAddress: string) => rloginCall(board.ports.rlogin!, localAddress, '\0door\0alice\0ansi/38400\0');
    const trusted = await call('127.0.0.3');
    assert.match(trusted, /Command:/);
    assert.doesNotMatch(trusted, /password:/);
    const untrusted = await call('127.0.0.2');
    assert.match(untrusted, /password:/);
    assert.doesNotMatch(untrusted, /Command:/);
  });

  it('logs a SyncTERM-order host (password in client-user) in with the handshake\'s password', async () => {
    const login = (password: string) => rloginCall(board.ports.rlogin!, '127.0.0.4', `\0${password}\0alice\0syncterm/115200\0`);
    assert.match(await login('wonderland7'), /Command:/);
    const wrong = await login('not-it');
    assert.match(wrong, /password:/);
    assert.ok(!board.logs.some((l) => JSON.stringify(l).includes('wonderland7')), 'the handshake password never reaches the log');
  });
});
