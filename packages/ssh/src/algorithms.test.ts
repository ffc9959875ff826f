import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SSH_ALGORITHMS, sshAlgorithms } from './algorithms.js';

describe('sshAlgorithms', () => {
  it('offers no SHA-1, CBC or compression by default', () => {
    const all = Object.values(DEFAULT_SSH_ALGORITHMS).flat();
    assert.deepEqual(all.filter((a) => /sha1|cbc|^ssh-rsa$|^zlib/.test(a)), []);
    assert.deepEqual(DEFAULT_SSH_ALGORITHMS.compress, ['none']);
  });

  it('offers what OpenSSH 9.2 and 10.x pick first: curve25519, ed25519 and AEAD ciphers', () => {
    assert.ok(DEFAULT_SSH_ALGORITHMS.kex.includes('curve25519-sha256'));
    assert.ok(DEFAULT_SSH_ALGORITHMS.serverHostKey.includes('ssh-ed25519'));
    assert.ok(DEFAULT_SSH_ALGORITHMS.cipher.includes('chacha20-poly1305@openssh.com'));
    assert.ok(DEFAULT_SSH_ALGORITHMS.cipher.includes('aes256-gcm@openssh.com'));
  });

  it('replaces a category the sysop configured and keeps the defaults for the rest', () => {
    const a = sshAlgorithms({ cipher: ['aes256-ctr'] });
    assert.deepEqual(a.cipher, ['aes256-ctr']);
    assert.deepEqual(a.kex, [...DEFAULT_SSH_ALGORITHMS.kex]);
  });

  it('treats an empty list as not configured', () => {
    assert.deepEqual(sshAlgorithms({ kex: [] }).kex, [...DEFAULT_SSH_ALGORITHMS.kex]);
  });
});
