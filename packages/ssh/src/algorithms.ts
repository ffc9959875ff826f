import type { Algorithms } from 'ssh2';

/** One list per SSH negotiation category, most preferred first. */
export interface SshAlgorithms {
  kex: readonly string[];
  serverHostKey: readonly string[];
  cipher: readonly string[];
  hmac: readonly string[];
  compress: readonly string[];
}

/**
 * What modern OpenSSH (Debian 12's 9.2, 10.x), PuTTY and SyncTERM negotiate, and
 * nothing weaker: no SHA-1 kex or MACs, no ssh-rsa (SHA-1) signatures, no CBC.
 * The client's order decides among these; ours only matters for ties.
 *
 * - kex: no post-quantum hybrid (ssh2 has none; OpenSSH 10.1+ warns about that on
 *   every login, PROTOCOL-NOTES). ssh2 appends `kex-strict-s-v00@openssh.com` to every
 *   server list itself, so strict KEX (the Terrapin fix, CVE-2023-48795) is always on.
 * - serverHostKey: only algorithms for keys we hold are offered (ssh2 filters). With
 *   an RSA key ssh2 always appends ssh-rsa (SHA-1) last, whatever the list says;
 *   clients that know rsa-sha2 or ed25519 never pick it, old BBS clients still can.
 * - compress: none. Compression buys nothing for a text board and is one more
 *   decoder a hostile client could feed.
 */
export const DEFAULT_SSH_ALGORITHMS: SshAlgorithms = {
  kex: [
    'curve25519-sha256',
    'curve25519-sha256@libssh.org',
    'ecdh-sha2-nistp256',
    'ecdh-sha2-nistp384',
    'ecdh-sha2-nistp521',
    'diffie-hellman-group16-sha512',
    'diffie-hellman-group18-sha512',
    'diffie-hellman-group14-sha256',
  ],
  serverHostKey: ['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256'],
  cipher: [
    'aes128-gcm@openssh.com',
    'aes256-gcm@openssh.com',
    'chacha20-poly1305@openssh.com',
    'aes128-ctr',
    'aes192-ctr',
    'aes256-ctr',
  ],
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
  compress: ['none'],
};

/**
 * The sysop's lists replace the defaults category by category. Names ssh2 does not
 * support are refused when the server is built (CONFIG_INVALID), not at first login.
 */
export function sshAlgorithms(overrides: Partial<SshAlgorithms> = {}): Algorithms {
  const pick = (key: keyof SshAlgorithms): string[] => [...(overrides[key]?.length ? overrides[key]! : DEFAULT_SSH_ALGORITHMS[key])];
  // ssh2's typings list each category's names as a union; the config gives strings,
  // which ssh2 itself validates against what it supports.
  return {
    kex: pick('kex'),
    serverHostKey: pick('serverHostKey'),
    cipher: pick('cipher'),
    hmac: pick('hmac'),
    compress: pick('compress'),
  } as Algorithms;
}
