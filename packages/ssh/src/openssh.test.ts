import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ssh2, { type ParsedKey } from 'ssh2';
import { createMemoryLogger, DEFAULT_LIMITS, type Connection } from '@carrier/core';
import type { AuthResult } from './authenticator.js';
import { EXEC_REFUSAL } from './session-requests.js';
import { generateEd25519Key } from './openssh-key.js';
import { SshServer } from './ssh-server.js';

const SSH = '/usr/bin/ssh';
const SSHPASS = '/usr/bin/sshpass';
const SFTP = '/usr/bin/sftp';
const SCRIPT = '/usr/bin/script';
const missing = [SSH, SSHPASS, '/usr/bin/ssh-keygen'].filter((p) => !existsSync(p));
const skip = missing.length > 0 ? `OpenSSH client tools missing: ${missing.join(', ')}` : false;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a client to completion (or kill it after 10 s) with an isolated HOME and no agent. */
function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, TERM: 'xterm-256color', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

let home = '';
let port = 0;
let server: SshServer;
const log = createMemoryLogger();
const connections: Connection[] = [];
let keyFile = '';

/** Options every ssh run shares: no config files, a throwaway known_hosts. */
const base = (): string[] => [
  '-F', '/dev/null',
  '-o', 'StrictHostKeyChecking=no',
  '-o', `UserKnownHostsFile=${join(home, 'known_hosts')}`,
  '-o', 'LogLevel=ERROR',
  '-p', String(port),
];
const passwordLogin = (user: string, password: string, extra: string[] = [], env: Record<string, string> = {}): Promise<Run> =>
  run(SSHPASS, ['-p', password, SSH, '-tt', ...base(), '-o', 'PubkeyAuthentication=no', '-o', 'NumberOfPasswordPrompts=1', ...extra, `${user}@127.0.0.1`], env);

/** What the test board prints for each caller, then it hangs up. */
function describeCaller(conn: Connection): string {
  const t = conn.terminal;
  return [
    `user=${conn.identity?.user ?? '-'}`,
    `via=${conn.identity?.via ?? '-'}`,
    `new=${conn.wantsNewUser}`,
    `term=${t.type}`,
    `size=${t.cols}x${t.rows}/${t.sizeSource}`,
    `enc=${t.encoding}/${t.encodingSource}`,
  ].join(' ');
}

describe('SshServer with OpenSSH', { skip, timeout: 60_000 }, () => {
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'carrier-openssh-'));
    keyFile = join(home, 'id_ed25519');
    const keygen = spawnSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'alice@test', '-f', keyFile]);
    assert.equal(keygen.status, 0, keygen.stderr.toString());
    const aliceBlob = (ssh2.utils.parseKey(readFileSync(`${keyFile}.pub`)) as ParsedKey).getPublicSSH();
    server = new SshServer({
      host: '127.0.0.1',
      port: 0,
      limits: { ...DEFAULT_LIMITS, maxPerIp: 50 },
      log,
      hostKeys: { ed25519: Buffer.from(generateEd25519Key('test').private) },
      authenticator: {
        async password(user, password): Promise<AuthResult> {
          return user === 'alice' && password === 'secret' ? { ok: true, user: 'Alice' } : { ok: false };
        },
        async publicKey(user, key): Promise<AuthResult> {
          return user === 'alice' && key.data.equals(aliceBlob) ? { ok: true, user: 'Alice' } : { ok: false };
        },
      },
    });
    server.on('connection', (conn: Connection) => {
      connections.push(conn);
      conn.write(`${describeCaller(conn)}\r\n`);
      conn.close('test board done');
    });
    port = (await server.listen()).port;
  });
  after(async () => {
    await server?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('logs in with a password through keyboard-interactive, the method OpenSSH prefers, with TERM arriving', async () => {
    const r = await passwordLogin('alice', 'secret');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /user=Alice via=ssh-keyboard-interactive new=false term=xterm-256color /);
  });

  it('logs in with the password method when the client asks for it', async () => {
    const r = await passwordLogin('alice', 'secret', ['-o', 'PreferredAuthentications=password']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /user=Alice via=ssh-password /);
  });

  it('logs in with a public key and asks for no password', async () => {
    const r = await run(SSH, ['-tt', ...base(), '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', keyFile, 'alice@127.0.0.1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /user=Alice via=ssh-publickey new=false/);
  });

  it('rejects a wrong password and starts no session', async () => {
    const before = connections.length;
    const r = await passwordLogin('alice', 'wrong');
    assert.notEqual(r.code, 0);
    assert.equal(connections.length, before);
  });

  it('lets `new` in without any prompt, only as the new-user application', async () => {
    const r = await run(SSH, ['-tt', ...base(), '-o', 'BatchMode=yes', '-o', 'PubkeyAuthentication=no', 'new@127.0.0.1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /user=- via=- new=true /);
  });

  it('maps TERM through the table (xterm is UTF-8, ansi is CP437) and lets a sent LANG override it', async () => {
    const xterm = await passwordLogin('alice', 'secret');
    assert.match(xterm.stdout, /term=xterm-256color .* enc=utf8\/ttype/);
    const ansi = await passwordLogin('alice', 'secret', [], { TERM: 'ansi' });
    assert.match(ansi.stdout, /term=ansi .* enc=cp437\/ttype/);
    const lang = await passwordLogin('alice', 'secret', ['-o', 'SendEnv=LANG'], { TERM: 'ansi', LANG: 'C.UTF-8' });
    assert.match(lang.stdout, /term=ansi .* enc=utf8\/lang/);
  });

  it('reads the pty size of a real terminal', { skip: !existsSync(SCRIPT) && `${SCRIPT} (util-linux) is not installed` }, async () => {
    const login = [SSHPASS, '-p', 'secret', SSH, '-tt', ...base(), '-o', 'PubkeyAuthentication=no', 'alice@127.0.0.1'].join(' ');
    const r = await run(SCRIPT, ['-qec', `stty cols 100 rows 40; ${login}`, '/dev/null']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /size=100x40\/pty/);
  });

  it('refuses a command with the reason on stderr and exit status 1', async () => {
    const r = await run(SSHPASS, ['-p', 'secret', SSH, ...base(), '-o', 'PubkeyAuthentication=no', 'alice@127.0.0.1', 'cat', '/etc/passwd']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), EXEC_REFUSAL);
    assert.equal(r.stdout, '');
  });

  it('refuses an sftp session', { skip: !existsSync(SFTP) && `${SFTP} is not installed` }, async () => {
    const r = await run(SSHPASS, ['-p', 'secret', SFTP, '-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${join(home, 'known_hosts')}`, '-P', String(port), 'alice@127.0.0.1']);
    assert.notEqual(r.code, 0);
    assert.ok(log.lines.some((l) => l['event'] === 'ssh.request_refused' && l['request'] === 'subsystem' && l['detail'] === 'sftp'));
  });

  it('turns away 11 parallel wrong-password callers and still lets the right one in', async () => {
    const results = await Promise.all(Array.from({ length: 11 }, (_, i) => passwordLogin('alice', `guess${i}`)));
    for (const r of results) assert.notEqual(r.code, 0);
    const ok = await passwordLogin('alice', 'secret');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /user=Alice/);
  });
});
