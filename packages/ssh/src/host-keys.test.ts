import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ssh2, { type ParsedKey } from 'ssh2';
import { createMemoryLogger, DEFAULT_LIMITS, isCarrierError, type Connection } from '@carrier/core';
import { ensureHostKeys, type HostKeys } from './host-keys.js';
import { SshServer } from './ssh-server.js';

const parse = (key: Buffer): ParsedKey => {
  const parsed = ssh2.utils.parseKey(key);
  assert.ok(!(parsed instanceof Error), parsed instanceof Error ? parsed.message : '');
  return Array.isArray(parsed) ? parsed[0]! : parsed;
};

describe('ensureHostKeys', { timeout: 30_000 }, () => {
  let dir = '';
  let keys: HostKeys;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carrier-hostkeys-'));
    keys = await ensureHostKeys(join(dir, 'data'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('generates an ed25519 and a 3072-bit RSA key that ssh2 parses as private keys', () => {
    assert.equal(parse(keys.ed25519).type, 'ssh-ed25519');
    assert.equal(parse(keys.rsa).type, 'ssh-rsa');
    assert.ok(parse(keys.ed25519).isPrivateKey());
    assert.ok(parse(keys.rsa).isPrivateKey());
  });

  it('writes them into the data dir readable by the owner only, with .pub files beside them', () => {
    for (const name of ['ssh_host_ed25519_key', 'ssh_host_rsa_key']) {
      const path = join(dir, 'data', name);
      assert.equal(statSync(path).mode & 0o777, 0o600, name);
      assert.ok(existsSync(`${path}.pub`), `${name}.pub`);
    }
  });

  it('writes files OpenSSH reads: ssh-keygen shows their fingerprints', { skip: !existsSync('/usr/bin/ssh-keygen') && 'ssh-keygen is not installed' }, () => {
    const ed = spawnSync('/usr/bin/ssh-keygen', ['-l', '-f', join(dir, 'data', 'ssh_host_ed25519_key')]);
    const rsa = spawnSync('/usr/bin/ssh-keygen', ['-l', '-f', join(dir, 'data', 'ssh_host_rsa_key')]);
    assert.match(ed.stdout.toString(), /^256 SHA256:\S+ .*\(ED25519\)/);
    assert.match(rsa.stdout.toString(), /^3072 SHA256:\S+ .*\(RSA\)/);
    for (const name of ['ssh_host_ed25519_key', 'ssh_host_rsa_key']) {
      const path = join(dir, 'data', name);
      const derived = spawnSync('/usr/bin/ssh-keygen', ['-y', '-P', '', '-f', path], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 }).stdout.toString().trim().split(' ').slice(0, 2);
      assert.deepEqual(readFileSync(`${path}.pub`, 'utf8').trim().split(' ').slice(0, 2), derived, `${name}.pub`);
    }
  });

  it('reuses the same keys on the next start', async () => {
    const again = await ensureHostKeys(join(dir, 'data'));
    assert.ok(again.ed25519.equals(keys.ed25519));
    assert.ok(again.rsa.equals(keys.rsa));
  });

  it('reads explicit key paths, and refuses a missing one or one of the wrong type with CONFIG_INVALID', async () => {
    const ed = join(dir, 'data', 'ssh_host_ed25519_key');
    const rsa = join(dir, 'data', 'ssh_host_rsa_key');
    const other = join(dir, 'elsewhere');
    const explicit = await ensureHostKeys(other, { ed25519: ed, rsa });
    assert.ok(explicit.ed25519.equals(keys.ed25519));
    assert.ok(!existsSync(join(other, 'ssh_host_ed25519_key')), 'an explicit path is never generated');
    await assert.rejects(ensureHostKeys(other, { ed25519: join(dir, 'nope'), rsa }), (e) => isCarrierError(e, 'CONFIG_INVALID'));
    await assert.rejects(ensureHostKeys(other, { ed25519: rsa, rsa }), (e) => isCarrierError(e, 'CONFIG_INVALID') && /expected ssh-ed25519/.test(e.message));
  });

  it('refuses a damaged key file rather than replacing it', async () => {
    const broken = join(dir, 'broken');
    await ensureHostKeys(broken, { rsa: join(dir, 'data', 'ssh_host_rsa_key') });
    writeFileSync(join(broken, 'ssh_host_ed25519_key'), 'not a key');
    await assert.rejects(ensureHostKeys(broken, { rsa: join(dir, 'data', 'ssh_host_rsa_key') }), (e) => isCarrierError(e, 'CONFIG_INVALID'));
    assert.equal(readFileSync(join(broken, 'ssh_host_ed25519_key'), 'utf8'), 'not a key');
  });

  it('serves OpenSSH with either key: ssh-ed25519, rsa-sha2-512 and rsa-sha2-256', { skip: !existsSync('/usr/bin/ssh') && 'ssh is not installed' }, async () => {
    const server = new SshServer({
      host: '127.0.0.1',
      port: 0,
      limits: DEFAULT_LIMITS,
      log: createMemoryLogger(),
      hostKeys: keys,
      authenticator: { password: async () => ({ ok: false }), publicKey: async () => ({ ok: false }) },
    });
    server.on('connection', (conn: Connection) => {
      conn.write('welcome\r\n');
      conn.close('done');
    });
    const { port } = await server.listen();
    try {
      for (const algo of ['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256']) {
        const knownHosts = join(dir, `known_hosts_${algo}`);
        const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn('/usr/bin/ssh', [
            '-tt', '-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${knownHosts}`,
            '-o', `HostKeyAlgorithms=${algo}`, '-o', 'PubkeyAuthentication=no', '-o', 'LogLevel=ERROR', '-p', String(port), 'new@127.0.0.1',
          ], { env: { PATH: '/usr/bin:/bin', HOME: dir, TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          child.on('close', (code) => resolve({ code, stdout, stderr }));
        });
        assert.equal(out.code, 0, `${algo}: ${out.stderr}`);
        assert.match(out.stdout, /welcome/);
        const recorded = readFileSync(knownHosts, 'utf8');
        assert.match(recorded, algo === 'ssh-ed25519' ? / ssh-ed25519 / : / ssh-rsa /);
      }
    } finally {
      await server.close();
    }
  });
});
