import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isCarrierError } from '@carrier/core';
import { parsePublicKeyLine, SECURITY_KEYS_REFUSED } from './keys.js';
import { openStore, type Store } from './store.js';
import { testBackends } from './test-backends.js';

// Made with: ssh-keygen -t ed25519 -N '' -C alice@home ; fingerprint from ssh-keygen -l.
const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICOy5sBlrs9Uzec8y1e1k5NtLUiEUnQGNCluF18ej7m+ alice@home';
const ED25519_FP = 'SHA256:EUN1wga16+YuNu65AL59FANKtZhS2QW8Cm5tAVoMtBg';
/** SSH wire strings: a 4-byte length and the bytes. */
function wire(...parts: Buffer[]): string {
  const strings = parts.flatMap((p) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(p.length);
    return [length, p];
  });
  return Buffer.concat(strings).toString('base64');
}
/** Security-key public keys as OpenSSH writes them (type, key, application "ssh:"); no FIDO device makes them here. */
const SK_ED25519 = `sk-ssh-ed25519@openssh.com ${wire(Buffer.from('sk-ssh-ed25519@openssh.com'), Buffer.alloc(32, 1), Buffer.from('ssh:'))} bob@yubikey`;
const SK_ECDSA = `sk-ecdsa-sha2-nistp256@openssh.com ${wire(Buffer.from('sk-ecdsa-sha2-nistp256@openssh.com'), Buffer.from('nistp256'), Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]), Buffer.from('ssh:'))} bob@yubikey`;

describe('parsing a public key line', () => {
  test('an OpenSSH ed25519 line gives its type, comment and the fingerprint ssh-keygen prints', () => {
    const k = parsePublicKeyLine(ED25519 + '\n');
    assert.equal(k.algo, 'ssh-ed25519');
    assert.equal(k.comment, 'alice@home');
    assert.equal(k.fingerprint, ED25519_FP);
  });

  test('a private key, a mislabelled key, garbage and an empty file are refused with a reason', () => {
    const refused = (text: string, why: RegExp) =>
      assert.throws(() => parsePublicKeyLine(text), (e: unknown) => isCarrierError(e, 'VALIDATION') && why.test(e.message));
    refused('-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n', /private key/);
    refused(ED25519.replace('ssh-ed25519', 'ssh-rsa'), /does not match/);
    refused('ssh-ed25519 !!!notbase64', /not base64/);
    refused('', /empty/);
    refused('ssh-dss AAAAB3NzaC1kc3M=', /unsupported/);
  });

  test('a security key (sk-) is refused by name: the ssh server cannot verify its signatures', () => {
    for (const line of [SK_ED25519, SK_ECDSA]) {
      assert.throws(() => parsePublicKeyLine(line), (e: unknown) => isCarrierError(e, 'VALIDATION') && e.message === SECURITY_KEYS_REFUSED);
    }
  });
});

const { backends, skipped } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
if (skipped !== null) test('PostgreSQL keys', { skip: skipped }, () => undefined);

for (const backend of backends) {
  describe(`ssh keys on ${backend.kind}`, () => {
    let store: Store;
    before(async () => {
      store = await openStore(await backend.fresh());
    });
    after(() => store.close());

    test('a registered key names its owner, and only for the same type and blob', async () => {
      const u = await store.users.create({ handle: 'keyholder', password: 'long enough pw' });
      const key = await store.keys.add(u.id, ED25519);
      const parsed = parsePublicKeyLine(ED25519);
      assert.equal(await store.keys.ownerOf('ssh-ed25519', parsed.blob), u.id);
      assert.equal(await store.keys.ownerOf('ssh-rsa', parsed.blob), null);
      assert.deepEqual((await store.keys.list(u.id)).map((k) => k.fingerprint), [key.fingerprint]);
    });

    test('one key cannot belong to two users, and removing it ends its use', async () => {
      const other = await store.users.create({ handle: 'otherone', password: 'long enough pw' });
      await assert.rejects(store.keys.add(other.id, ED25519), (e: unknown) => isCarrierError(e, 'DUPLICATE'));
      const owner = (await store.users.findByHandle('keyholder'))!;
      assert.equal(await store.keys.remove(owner.id, ED25519_FP), true);
      assert.equal(await store.keys.ownerOf('ssh-ed25519', parsePublicKeyLine(ED25519).blob), null);
      assert.equal(await store.keys.remove(owner.id, ED25519_FP), false);
    });

    test('a security key is not stored, even with no key check handed to the store', async () => {
      const owner = (await store.users.findByHandle('keyholder'))!;
      for (const line of [SK_ED25519, SK_ECDSA]) {
        await assert.rejects(store.keys.add(owner.id, line), (e: unknown) => isCarrierError(e, 'VALIDATION') && e.message === SECURITY_KEYS_REFUSED);
      }
      assert.deepEqual(await store.keys.list(owner.id), []);
    });
  });
}

describe('the full key check handed to the store', () => {
  test('runs on every add, with the parsed type and blob; a refusal is VALIDATION with its reason and stores nothing', async () => {
    const seen: string[] = [];
    const sqlite = backends.find((b) => b.kind === 'sqlite')!;
    const store = await openStore({
      ...(await sqlite.fresh()),
      publicKeyCheck: (algo, blob) => {
        seen.push(`${algo} ${blob.length}`);
        return 'the key data is truncated or corrupt';
      },
    });
    try {
      const u = await store.users.create({ handle: 'checked', password: 'long enough pw' });
      await assert.rejects(
        store.keys.add(u.id, ED25519),
        (e: unknown) => isCarrierError(e, 'VALIDATION') && e.message === 'that key cannot log in here: the key data is truncated or corrupt',
      );
      assert.deepEqual(seen, [`ssh-ed25519 ${parsePublicKeyLine(ED25519).blob.length}`]);
      assert.deepEqual(await store.keys.list(u.id), []);
    } finally {
      await store.close();
    }
  });
});
