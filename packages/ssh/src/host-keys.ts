import { constants as fsc } from 'node:fs';
import { access, link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { generateKeyPair, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CarrierError, ErrorCodes } from '@carrier/core';
import { generateEd25519Key } from './openssh-key.js';
import * as ssh2 from './ssh2-lib.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface HostKeys {
  ed25519: Buffer;
  rsa: Buffer;
}

/** Explicit key files chosen by the sysop; these must exist, they are never generated. */
export interface HostKeyPaths {
  ed25519?: string;
  rsa?: string;
}

/** ssh-keygen's default RSA size since OpenSSH 8.0; NIST puts 3072 at 128-bit strength. */
const RSA_BITS = 3072;
const COMMENT = 'carrier host key';
const KEY_SPECS = {
  ed25519: { file: 'ssh_host_ed25519_key', sshType: 'ssh-ed25519' },
  rsa: { file: 'ssh_host_rsa_key', sshType: 'ssh-rsa' },
} as const;
type KeyKind = keyof typeof KEY_SPECS;

/**
 * The board's SSH host keys: generated once into `<dataDir>/ssh_host_ed25519_key` and
 * `ssh_host_rsa_key` (mode 0600, with `.pub` beside them like sshd's) and reused on
 * every start, so callers' known_hosts stay valid. Both come from node:crypto. The
 * ed25519 key is written in OpenSSH's own format (ssh2 reads ed25519 private keys in no
 * other), the RSA key as PKCS#1 PEM; ssh2 loads both and `ssh-keygen -l -f` shows the
 * sysop their fingerprints.
 */
export async function ensureHostKeys(dataDir: string, paths: HostKeyPaths = {}): Promise<HostKeys> {
  await mkdir(dataDir, { recursive: true });
  const [ed25519, rsa] = await Promise.all([
    loadOrCreate('ed25519', paths.ed25519, dataDir),
    loadOrCreate('rsa', paths.rsa, dataDir),
  ]);
  return { ed25519, rsa };
}

async function loadOrCreate(kind: KeyKind, explicitPath: string | undefined, dataDir: string): Promise<Buffer> {
  if (explicitPath !== undefined) return readHostKey(kind, explicitPath);
  const path = join(dataDir, KEY_SPECS[kind].file);
  if (!(await exists(path))) {
    const pair = await generate(kind);
    // Write to a temporary name of our own (random: replicas on one volume are all PID 1),
    // then link it into place: link fails if a key is already there, so of two processes
    // starting on the same data dir one wins and the other adopts the winner's key. Never
    // half a key, never two.
    const tmp = `${path}.${randomBytes(8).toString('hex')}.tmp`;
    await writeFile(tmp, pair.private, { mode: 0o600, flag: 'wx' });
    try {
      await link(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }
  const key = await readHostKey(kind, path);
  await ensurePublicFile(path, key);
  return key;
}

/**
 * `<key>.pub` is derived from the private key in place (whichever process's key won the
 * link), written under a temporary name and renamed: it always matches its private key,
 * and one left wrong by an older carrier is put right.
 */
async function ensurePublicFile(path: string, key: Buffer): Promise<void> {
  const parsed = ssh2.utils.parseKey(key);
  const k = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!k || k instanceof Error) return;
  const wanted = `${k.type} ${k.getPublicSSH().toString('base64')}`;
  const current = await readFile(`${path}.pub`, 'utf8').catch(() => '');
  if (current.split(' ').slice(0, 2).join(' ') === wanted) return;
  const tmp = `${path}.pub.${randomBytes(8).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${wanted} ${COMMENT}\n`, { mode: 0o644, flag: 'wx' });
    await rename(tmp, `${path}.pub`);
  } catch {
    // A read-only data dir with a key in it is fine: the .pub is for the sysop's eyes.
    await unlink(tmp).catch(() => undefined);
  }
}

async function readHostKey(kind: KeyKind, path: string): Promise<Buffer> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    throw new CarrierError(ErrorCodes.CONFIG_INVALID, `ssh host key ${path} cannot be read: ${(err as Error).message}`, { path }, { cause: err });
  }
  const parsed = ssh2.utils.parseKey(data);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error || !key.isPrivateKey()) {
    const why = key instanceof Error ? key.message : 'not a private key';
    throw new CarrierError(ErrorCodes.CONFIG_INVALID, `ssh host key ${path} is not usable: ${why}`, { path });
  }
  if (key.type !== KEY_SPECS[kind].sshType) {
    throw new CarrierError(ErrorCodes.CONFIG_INVALID, `ssh host key ${path} is ${key.type}, expected ${KEY_SPECS[kind].sshType}`, { path });
  }
  return data;
}

async function generate(kind: KeyKind): Promise<{ private: string; public: string }> {
  if (kind === 'ed25519') return generateEd25519Key(COMMENT);
  // PKCS#1 PEM: ssh2 and OpenSSH both read it, and OpenSSL writes it.
  const { privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: RSA_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  return { private: privateKey, public: `ssh-rsa ${key.getPublicSSH().toString('base64')} ${COMMENT}` };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, fsc.F_OK);
    return true;
  } catch {
    return false;
  }
}
