import { generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * OpenSSH's private key format (PROTOCOL.key in OpenSSH's sources), unencrypted, for
 * ed25519. We write it ourselves because ssh2 reads ed25519 private keys only in this
 * format, and ssh2's own generator drops a leading zero byte of the public key (about
 * one key in 256 then fails to load).
 */
const AUTH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
const KEY_TYPE = 'ssh-ed25519';
/** The "none" cipher's block size: the private section is padded to a multiple of it. */
const BLOCK_SIZE = 8;
/** ssh-keygen wraps the base64 body at 70 columns. */
const LINE_WIDTH = 70;

export interface OpenSshKeyPair {
  /** `-----BEGIN OPENSSH PRIVATE KEY-----` … */
  private: string;
  /** `ssh-ed25519 AAAA… comment`, one line, as in a .pub file */
  public: string;
}

/**
 * A new ed25519 seed and public key from node:crypto, as raw bytes. They are taken from
 * DER encodings made inside the key generation (PKCS#8 and SPKI for ed25519 end with the
 * 32 key bytes), never by exporting the KeyObject: Node 20's JWK export allocates while it
 * holds the key's lock, and a garbage collection then finalising the generation job takes
 * that lock again, so the process deadlocks (seen here: about one key in 10^5).
 */
export function generateEd25519Raw(): { seed: Buffer; publicKey: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { format: 'der', type: 'pkcs8' },
    publicKeyEncoding: { format: 'der', type: 'spki' },
  });
  return { seed: privateKey.subarray(privateKey.length - 32), publicKey: publicKey.subarray(publicKey.length - 32) };
}

/** A new ed25519 key pair from node:crypto, in OpenSSH's formats. */
export function generateEd25519Key(comment: string): OpenSshKeyPair {
  const { seed, publicKey } = generateEd25519Raw();
  return encodeEd25519Key(seed, publicKey, comment);
}

/** Encode a 32-byte seed and 32-byte public key; `checkInt` is random unless given (tests). */
export function encodeEd25519Key(seed: Buffer, publicKey: Buffer, comment: string, checkInt = randomBytes(4)): OpenSshKeyPair {
  if (seed.length !== 32 || publicKey.length !== 32) throw new RangeError('ed25519 seed and public key are 32 bytes each');
  const publicBlob = Buffer.concat([sshString(KEY_TYPE), sshString(publicKey)]);
  const unpadded = Buffer.concat([
    checkInt,
    checkInt,
    sshString(KEY_TYPE),
    sshString(publicKey),
    sshString(Buffer.concat([seed, publicKey])),
    sshString(comment),
  ]);
  const padLength = (BLOCK_SIZE - (unpadded.length % BLOCK_SIZE)) % BLOCK_SIZE;
  const padding = Buffer.from(Array.from({ length: padLength }, (_, i) => i + 1));
  const body = Buffer.concat([
    AUTH_MAGIC,
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(publicBlob),
    sshString(Buffer.concat([unpadded, padding])),
  ]).toString('base64');
  const lines = body.match(new RegExp(`.{1,${LINE_WIDTH}}`, 'g')) ?? [];
  return {
    private: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`,
    public: `${KEY_TYPE} ${publicBlob.toString('base64')}${comment ? ` ${comment}` : ''}`,
  };
}

/** RFC 4251 §5 `string`: uint32 length, then the bytes. */
function sshString(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([uint32(bytes.length), bytes]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
