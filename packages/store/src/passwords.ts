import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { CarrierError, ErrorCodes } from '@carrier/core';

/**
 * Password hashing with scrypt (RFC 7914). A stored hash names its own parameters and
 * salt, `scrypt$N$r$p$<salt b64>$<hash b64>`, so the defaults can be raised later: old
 * rows still verify, and `needsRehash` tells the caller to upgrade them at the next login.
 */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  /** Block size. */
  readonly r: number;
  /** Parallelism. */
  readonly p: number;
  /** Derived key length in bytes. */
  readonly keylen: number;
}

/** The OWASP-recommended minimum for interactive logins: about 16 MiB and tens of ms. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 16384, r: 8, p: 1, keylen: 32 };

const PREFIX = 'scrypt';
/** 128 bits: collisions across every account ever made are out of reach. */
const SALT_BYTES = 16;

/**
 * Limits on what a stored hash may ask for. The parameters come from a database row,
 * and a corrupted or planted row must not make one login attempt allocate gigabytes or
 * spin a thread for minutes. 64 MiB is four times the default memory; the work bound is
 * 32 times the default N*r*p.
 */
const LIMITS = {
  maxMemoryBytes: 64 * 1024 * 1024,
  maxWork: 2 ** 22,
  maxR: 32,
  maxP: 16,
  minKeylen: 16,
  maxKeylen: 64,
  minSaltBytes: 8,
  maxSaltBytes: 64,
  /** Far above any well-formed hash (about 100 characters): refuse before splitting. */
  maxStoredLength: 512,
} as const;

/** What OpenSSL's scrypt allocates: the V array plus the p B blocks, 128*r bytes each. */
function memoryNeeded({ N, r, p }: Pick<ScryptParams, 'N' | 'r' | 'p'>): number {
  return 128 * r * (N + p + 2);
}

function paramsProblem(params: ScryptParams): string | null {
  const { N, r, p, keylen } = params;
  if (!Number.isInteger(N) || N < 2 || (N & (N - 1)) !== 0) return 'N must be a power of two of at least 2';
  if (!Number.isInteger(r) || r < 1 || r > LIMITS.maxR) return `r must be 1..${LIMITS.maxR}`;
  if (!Number.isInteger(p) || p < 1 || p > LIMITS.maxP) return `p must be 1..${LIMITS.maxP}`;
  if (!Number.isInteger(keylen) || keylen < LIMITS.minKeylen || keylen > LIMITS.maxKeylen) {
    return `keylen must be ${LIMITS.minKeylen}..${LIMITS.maxKeylen}`;
  }
  if (memoryNeeded(params) > LIMITS.maxMemoryBytes) return `N and r need more than ${LIMITS.maxMemoryBytes} bytes`;
  if (N * r * p > LIMITS.maxWork) return `N*r*p exceeds ${LIMITS.maxWork}`;
  return null;
}

interface ParsedHash {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

const DECIMAL = /^[1-9][0-9]{0,9}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A stored string, or null when it is malformed or asks for more than LIMITS allow. */
function parseStored(stored: string): ParsedHash | null {
  if (stored.length > LIMITS.maxStoredLength) return null;
  const parts = stored.split('$');
  if (parts.length !== 6) return null;
  const [prefix, n, r, p, salt64, hash64] = parts as [string, string, string, string, string, string];
  if (prefix !== PREFIX) return null;
  if (!DECIMAL.test(n) || !DECIMAL.test(r) || !DECIMAL.test(p)) return null;
  if (!BASE64.test(salt64) || !BASE64.test(hash64)) return null;
  const salt = Buffer.from(salt64, 'base64');
  const hash = Buffer.from(hash64, 'base64');
  const params: ScryptParams = { N: Number(n), r: Number(r), p: Number(p), keylen: hash.length };
  if (salt.length < LIMITS.minSaltBytes || salt.length > LIMITS.maxSaltBytes) return null;
  if (paramsProblem(params) !== null) return null;
  return { params, salt, hash };
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: LIMITS.maxMemoryBytes };
  // NFC so the same passphrase typed on terminals that compose accents differently
  // (precomposed é vs e + combining acute) still matches (RFC 8265, OpaqueString).
  const normalized = password.normalize('NFC');
  return new Promise((resolve, reject) => {
    scrypt(normalized, salt, params.keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hash a password for storage. Throws CONFIG_INVALID for parameters outside LIMITS. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  const problem = paramsProblem(params);
  if (problem !== null) {
    throw new CarrierError(ErrorCodes.CONFIG_INVALID, `scrypt parameters: ${problem}`, { ...params });
  }
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, params);
  return [PREFIX, params.N, params.r, params.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/**
 * True when `password` matches `stored`. A malformed or out-of-bounds stored value is a
 * plain false, never an exception: a broken row locks out one account, nothing more.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (parsed === null) return false;
  let derived: Buffer;
  try {
    derived = await derive(password, parsed.salt, parsed.params);
  } catch {
    return false;
  }
  return derived.length === parsed.hash.length && timingSafeEqual(derived, parsed.hash);
}

/**
 * The parameters a stored hash was made with, or null when it is malformed or asks for
 * more than the limits allow (such a hash never verifies).
 */
export function storedHashParams(stored: string): ScryptParams | null {
  return parseStored(stored)?.params ?? null;
}

/** True when `stored` was made with other parameters than `params` (or cannot be read). */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): boolean {
  const parsed = parseStored(stored);
  if (parsed === null) return true;
  const old = parsed.params;
  return old.N !== params.N || old.r !== params.r || old.p !== params.p || old.keylen !== params.keylen ||
    parsed.salt.length < SALT_BYTES;
}
