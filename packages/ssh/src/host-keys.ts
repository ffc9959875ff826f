import { constants as fsc } from 'node:fs';
import { access, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { CarrierError, ErrorCodes } from '@carrier/core';

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
const KEY_SPECS = {
  ed25519: { file: 'ssh_host_ed25519_key', sshType: 'ssh-ed25519' },
  rsa: { file: 'ssh_host_rsa_key', sshType: 'ssh-rsa' },
} as const;
type KeyKind = keyof typeof KEY_SPECS;

/**
 * The board's SSH host keys: generated once into `<dataDir>/ssh_host_ed25519_key` and
 * `ssh_host_rsa_key` (mode 0600, with `.pub` beside them like sshd's) and reused on
 * every start, so callers' known_hosts stay valid. Keys are written in the OpenSSH
 * format: ssh2 reads ed25519 private keys only in that format (not PKCS#8 PEM), and
 * `ssh-keygen -l -f` shows the sysop the fingerprints. Generation is node:crypto's,
 * through ssh2's encoder for that format.
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
  if (await exists(path)) return readHostKey(kind, path);
  const pair = await generate(kind);
  // Write to a private temporary name, then link: a second carrier process starting on
  // the same data dir either wins the link or reads a complete key, never half of one.
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, pair.private, { mode: 0o600, flag: 'w' });
  try {
    await link(tmp, path);
    await writeFile(`${path}.pub`, `${pair.public}\n`, { mode: 0o644 }).catch(() => undefined);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  return readHostKey(kind, path);
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

function generate(kind: KeyKind): Promise<{ private: string; public: string }> {
  const comment = 'carrier host key';
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, pair: { private: string; public: string }) => (err ? reject(err) : resolve(pair));
    if (kind === 'rsa') ssh2.utils.generateKeyPair('rsa', { bits: RSA_BITS, comment }, done);
    else ssh2.utils.generateKeyPair('ed25519', { comment }, done);
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, fsc.F_OK);
    return true;
  } catch {
    return false;
  }
}
