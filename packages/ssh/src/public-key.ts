import { createPublicKey } from 'node:crypto';
import { utils } from './ssh2-lib.js';

/** OpenSSH refuses shorter RSA keys (SSH_RSA_MINIMUM_MODULUS_SIZE). */
const MIN_RSA_BITS = 1024;

/**
 * Why a public key (its type and wire-format blob, as in an authorized_keys line) could
 * never log in here, or null when it can. The blob is read in full by ssh2's key parser,
 * the one that checks signatures at login, must be exactly one key of the stated type, and
 * its key material must load in Node's crypto (a point off the curve does not). Kept here
 * so the store, which validates key lines, is handed it and never loads ssh2 itself.
 */
export function publicKeyProblem(algo: string, blob: Buffer): string | null {
  if (algo.startsWith('sk-')) return `this board's ssh server cannot check ${algo} (security key) signatures`;
  const parsed = utils.parseKey(blob);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) return 'the key data is truncated or corrupt';
  if (key.type !== algo) return 'the key data does not match its type';
  if (!key.getPublicSSH().equals(blob)) return 'the key data has bytes after the key';
  try {
    const material = createPublicKey(key.getPublicPEM());
    const bits = material.asymmetricKeyDetails?.modulusLength;
    if (material.asymmetricKeyType === 'rsa' && bits !== undefined && bits < MIN_RSA_BITS) return `an RSA key needs at least ${MIN_RSA_BITS} bits (this one has ${bits})`;
  } catch {
    return 'the key data is corrupt';
  }
  return null;
}
