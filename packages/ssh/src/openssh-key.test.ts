import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ssh2, { type ParsedKey } from 'ssh2';
import { encodeEd25519Key, generateEd25519Key, generateEd25519Raw } from './openssh-key.js';

function parse(text: string): ParsedKey {
  const parsed = ssh2.utils.parseKey(text);
  assert.ok(!(parsed instanceof Error), parsed instanceof Error ? parsed.message : '');
  return Array.isArray(parsed) ? parsed[0]! : parsed;
}

/** A node:crypto ed25519 key whose public key starts with a zero byte (one in 256 do). */
function keyWithLeadingZero(): { seed: Buffer; pub: Buffer } {
  for (;;) {
    const { seed, publicKey } = generateEd25519Raw();
    if (publicKey[0] === 0) return { seed, pub: publicKey };
  }
}

/** RFC 8410's DER prefixes for an ed25519 private key (PKCS#8) and public key (SPKI), before the 32 key bytes. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

describe('OpenSSH ed25519 key format', () => {
  it('writes keys ssh2 loads as private ed25519 keys with the same public key', () => {
    for (let i = 0; i < 500; i++) {
      const pair = generateEd25519Key('carrier host key');
      const key = parse(pair.private);
      assert.equal(key.type, 'ssh-ed25519');
      assert.ok(key.isPrivateKey());
      assert.equal(`ssh-ed25519 ${key.getPublicSSH().toString('base64')} carrier host key`, pair.public);
    }
  });

  it('keeps a public key that starts with a zero byte whole (ssh2’s own generator drops it)', () => {
    const { seed, pub } = keyWithLeadingZero();
    const key = parse(encodeEd25519Key(seed, pub, 'x').private);
    const blob = key.getPublicSSH();
    assert.deepEqual(blob.subarray(blob.length - 32), pub);
  });

  it('signs with the key it encodes: a signature verifies under the node:crypto public key', () => {
    const { seed, publicKey } = generateEd25519Raw();
    const pair = encodeEd25519Key(seed, publicKey, '');
    const data = Buffer.from('session id');
    const signature = parse(pair.private).sign(data);
    assert.ok(verify(null, data, createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }), signature));
    assert.equal(pair.public.split(' ').length, 2, 'no trailing comment field when the comment is empty');
  });

  it('takes the raw seed and public key of one key pair out of the generated DER (the public key derives from the seed)', () => {
    for (let i = 0; i < 50; i++) {
      const { seed, publicKey } = generateEd25519Raw();
      assert.equal(seed.length, 32);
      assert.equal(publicKey.length, 32);
      const fromSeed = createPublicKey(createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }));
      assert.deepEqual(fromSeed.export({ format: 'der', type: 'spki' }), Buffer.concat([SPKI_PREFIX, publicKey]));
    }
  });

  it('pads the private section to the cipher block size with 1, 2, 3…, as OpenSSH checks', () => {
    for (const comment of ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef', 'abcdefg']) {
      const text = encodeEd25519Key(Buffer.alloc(32, 1), Buffer.alloc(32, 2), comment).private;
      const body = Buffer.from(text.split('\n').slice(1, -2).join(''), 'base64');
      let at = 'openssh-key-v1\0'.length;
      const next = (): Buffer => {
        const n = body.readUInt32BE(at);
        const value = body.subarray(at + 4, at + 4 + n);
        at += 4 + n;
        return value;
      };
      next(); // cipher
      next(); // kdf
      next(); // kdf options
      at += 4; // number of keys
      next(); // public key
      const section = next();
      assert.equal(at, body.length, 'nothing after the private section');
      assert.equal(section.length % 8, 0, `comment ${JSON.stringify(comment)}`);
      const used = 4 + 4 + (4 + 11) + (4 + 32) + (4 + 64) + (4 + comment.length);
      assert.deepEqual([...section.subarray(used)], Array.from({ length: section.length - used }, (_, i) => i + 1));
    }
  });

  it('writes files ssh-keygen reads back to the same public key', { skip: !existsSync('/usr/bin/ssh-keygen') && 'ssh-keygen is not installed' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'carrier-key-'));
    try {
      const { seed, pub } = keyWithLeadingZero();
      const pair = encodeEd25519Key(seed, pub, 'zero lead');
      const file = join(dir, 'key');
      writeFileSync(file, pair.private, { mode: 0o600 });
      // -P '': a key it cannot read must fail, not prompt on /dev/tty for a passphrase.
      const r = spawnSync('/usr/bin/ssh-keygen', ['-y', '-P', '', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
      assert.equal(r.status, 0, r.stderr.toString());
      assert.equal(r.stdout.toString().trim(), pair.public);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a seed or public key of the wrong length', () => {
    assert.throws(() => encodeEd25519Key(Buffer.alloc(31), Buffer.alloc(32), ''), RangeError);
    assert.throws(() => encodeEd25519Key(Buffer.alloc(32), Buffer.alloc(33), ''), RangeError);
  });
});
