import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { CarrierError, ErrorCodes } from '@carrier/core';
import { fitColumn, isUniqueViolation } from './db-errors.js';

/** An SSH public key registered to a user. */
export interface UserKey {
  readonly id: number;
  readonly userId: number;
  readonly algo: string;
  /** base64, as in authorized_keys */
  readonly blob: string;
  /** SHA256:… as `ssh-keygen -l` prints it */
  readonly fingerprint: string;
  readonly comment: string | null;
  readonly createdAt: number;
}

/** Key types OpenSSH offers today that this board can log in with; DSA and RSA-SHA1-only are long gone. */
export const KEY_ALGORITHMS = ['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'] as const;

/**
 * FIDO security keys (`ssh-keygen -t ed25519-sk`, types `sk-ssh-ed25519@openssh.com` and
 * `sk-ecdsa-sha2-nistp256@openssh.com`): their signatures carry the authenticator's flags
 * and counter, which the board's ssh server (ssh2) cannot verify, so such a key could
 * never log in. Refused when added, by name, rather than stored to fail at every login.
 */
export const SECURITY_KEYS_REFUSED = 'security keys are not supported by this board; add an ed25519, ECDSA or RSA key';

/** A public key line (or file) is small; anything longer is not one. */
const MAX_KEY_LINE = 16 * 1024;

export interface ParsedPublicKey {
  algo: string;
  blob: Buffer;
  fingerprint: string;
  comment: string | null;
}

export function fingerprintOf(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/**
 * Parse one OpenSSH public key line (`ssh-ed25519 AAAA… comment`). The blob must be
 * valid base64 whose embedded type string matches the stated algorithm, so a pasted
 * private key, a truncated line or a mislabelled key is refused with a reason.
 */
export function parsePublicKeyLine(text: string): ParsedPublicKey {
  const bad = (why: string) => new CarrierError(ErrorCodes.VALIDATION, `not an SSH public key: ${why}`, { field: 'key' });
  if (text.length > MAX_KEY_LINE) throw bad('too long');
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  if (!line) throw bad('empty');
  if (line.includes('PRIVATE KEY')) throw bad('that is a private key; give the .pub file');
  const [algo, b64, ...rest] = line.split(/\s+/);
  if (!algo || !b64) throw bad('expected "<type> <base64> [comment]"');
  if (algo.startsWith('sk-')) throw new CarrierError(ErrorCodes.VALIDATION, SECURITY_KEYS_REFUSED, { field: 'key' });
  if (!(KEY_ALGORITHMS as readonly string[]).includes(algo)) throw bad(`unsupported key type ${JSON.stringify(algo.slice(0, 40))}`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw bad('the key data is not base64');
  const blob = Buffer.from(b64, 'base64');
  if (blob.length < 4) throw bad('the key data is truncated');
  const nameLen = blob.readUInt32BE(0);
  if (nameLen > 64 || 4 + nameLen > blob.length || blob.subarray(4, 4 + nameLen).toString('latin1') !== algo) {
    throw bad('the key data does not match its type');
  }
  const comment = rest.join(' ').replace(/[^\x20-\x7e]/g, '').slice(0, 100) || null;
  return { algo, blob, fingerprint: fingerprintOf(blob), comment };
}

/** Why a key (type and blob) could not log in, or null; see StoreOptions.publicKeyCheck. */
export type PublicKeyCheck = (algo: string, blob: Buffer) => string | null | Promise<string | null>;

export interface KeysRepository {
  /** Register a key line for a user. VALIDATION for a bad line, DUPLICATE if any user has it. */
  add(userId: number, keyLine: string): Promise<UserKey>;
  list(userId: number): Promise<UserKey[]>;
  /** Remove by id or fingerprint; false when the user has no such key. */
  remove(userId: number, idOrFingerprint: number | string): Promise<boolean>;
  /** The user id a key (type + blob, as the SSH client offers it) belongs to, if any. */
  ownerOf(algo: string, blob: Buffer): Promise<number | null>;
}

interface KeyRow {
  id: number;
  user_id: number;
  algo: string;
  blob: string;
  fingerprint: string;
  comment: string | null;
  created_at: number | string;
}

const toKey = (r: KeyRow): UserKey => ({
  id: Number(r.id),
  userId: Number(r.user_id),
  algo: r.algo,
  blob: r.blob,
  fingerprint: r.fingerprint,
  comment: r.comment,
  createdAt: Number(r.created_at),
});

export function createKeysRepository(deps: { knex: Knex; clock: () => number; check?: PublicKeyCheck | undefined }): KeysRepository {
  const { knex, clock, check } = deps;
  return {
    async add(userId, keyLine) {
      const k = parsePublicKeyLine(keyLine);
      const problem = check ? await check(k.algo, k.blob) : null;
      if (problem) throw new CarrierError(ErrorCodes.VALIDATION, `that key cannot log in here: ${problem}`, { field: 'key' });
      const user = await knex('users').where({ id: userId }).first('id');
      if (!user) throw new CarrierError(ErrorCodes.NOT_FOUND, `no user with id ${userId}`);
      const row = { user_id: userId, algo: k.algo, blob: k.blob.toString('base64'), fingerprint: k.fingerprint, comment: k.comment === null ? null : fitColumn(k.comment, 100), created_at: clock() };
      try {
        const [inserted] = await knex('user_keys').insert(row).returning('id');
        const id = typeof inserted === 'object' ? (inserted as { id: number }).id : (inserted as number);
        return toKey({ id, ...row });
      } catch (err) {
        if (isUniqueViolation(err)) throw new CarrierError(ErrorCodes.DUPLICATE, `key ${k.fingerprint} is already registered`);
        throw err;
      }
    },
    async list(userId) {
      const rows = (await knex('user_keys').where({ user_id: userId }).orderBy('id')) as KeyRow[];
      return rows.map(toKey);
    },
    async remove(userId, idOrFingerprint) {
      const q = knex('user_keys').where({ user_id: userId });
      const n = typeof idOrFingerprint === 'number' ? await q.andWhere({ id: idOrFingerprint }).delete() : await q.andWhere({ fingerprint: idOrFingerprint }).delete();
      return Number(n) > 0;
    },
    async ownerOf(algo, blob) {
      const row = (await knex('user_keys').where({ fingerprint: fingerprintOf(blob) }).first('user_id', 'algo', 'blob')) as
        | Pick<KeyRow, 'user_id' | 'algo' | 'blob'>
        | undefined;
      // The fingerprint is a hash of the blob; compare the blob itself too, and the type.
      if (!row || row.algo !== algo || row.blob !== blob.toString('base64')) return null;
      return Number(row.user_id);
    },
  };
}
