import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { publicKeyProblem } from './public-key.js';

const KEYGEN = '/usr/bin/ssh-keygen';
const tmp = mkdtempSync(join(tmpdir(), 'carrier-pubkey-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh key of this type, as ssh-keygen writes its .pub line: [type, blob]. */
function keygen(type: string, bits?: number): [string, Buffer] {
  const file = join(tmp, `id_${type}_${bits ?? 0}`);
  execFileSync(KEYGEN, ['-q', '-t', type, ...(bits ? ['-b', String(bits)] : []), '-N', '', '-f', file]);
  const [algo, b64] = readFileSync(`${file}.pub`, 'utf8').split(' ');
  return [algo!, Buffer.from(b64!, 'base64')];
}

/** SSH wire strings: a 4-byte length and the bytes. */
const wire = (...parts: Buffer[]): Buffer => Buffer.concat(parts.flatMap((p) => [Buffer.from([0, 0, 0, 0].map((_, i) => (p.length >>> (24 - 8 * i)) & 0xff)), p]));

describe('publicKeyProblem (ssh2 parses the whole key)', { skip: !existsSync(KEYGEN) && 'ssh-keygen is not installed' }, () => {
  const keys = [keygen('ed25519'), keygen('rsa', 2048), keygen('ecdsa', 256), keygen('ecdsa', 521)];

  it('takes whole keys of every type ssh-keygen makes', () => {
    for (const [algo, blob] of keys) assert.equal(publicKeyProblem(algo, blob), null, algo);
  });

  it('refuses a key cut short anywhere, with a reason', () => {
    for (const [algo, blob] of keys) {
      for (const cut of [1, 2, 8, Math.floor(blob.length / 2)]) {
        assert.equal(publicKeyProblem(algo, blob.subarray(0, blob.length - cut)), 'the key data is truncated or corrupt', `${algo} less ${cut} bytes`);
      }
    }
  });

  it('refuses bytes after the key, another type than stated, a point off the curve and a toy RSA key', () => {
    const [edAlgo, ed] = keys[0]!;
    assert.equal(publicKeyProblem(edAlgo, Buffer.concat([ed, Buffer.from([0, 0, 0, 1, 7])])), 'the key data has bytes after the key');
    assert.equal(publicKeyProblem('ssh-rsa', ed), 'the key data does not match its type');
    const offCurve = wire(Buffer.from('ecdsa-sha2-nistp256'), Buffer.from('nistp256'), Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]));
    assert.equal(publicKeyProblem('ecdsa-sha2-nistp256', offCurve), 'the key data is corrupt');
    const toy = wire(Buffer.from('ssh-rsa'), Buffer.from([1, 0, 1]), Buffer.from([0, 0xc3, 0x5a, 0x11, 0x07, 0x9d]));
    assert.match(publicKeyProblem('ssh-rsa', toy) ?? '', /^an RSA key needs at least 1024 bits/);
  });

  it('says a security-key type cannot be checked here rather than calling it corrupt', () => {
    const sk = wire(Buffer.from('sk-ssh-ed25519@openssh.com'), Buffer.alloc(32, 1), Buffer.from('ssh:'));
    assert.match(publicKeyProblem('sk-ssh-ed25519@openssh.com', sk) ?? '', /cannot check sk-ssh-ed25519@openssh\.com/);
  });
});
