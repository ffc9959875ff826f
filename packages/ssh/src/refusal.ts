// Why the board turned an ssh caller away, as text OpenSSH's ssh and PuTTY's plink show.
// Both print an SSH_MSG_DISCONNECT's description ("Received disconnect from ...: <text>",
// plink "FATAL ERROR: Remote side sent disconnect message ... "<text>"") at any stage,
// even before the key exchange. Lines before the version string (RFC 4253 §4.2) they keep
// to -v. An SSH_MSG_USERAUTH_BANNER is not used: plink acts on the DISCONNECT that follows
// before it prints a banner, and a banner breaks EtherTerm (PROTOCOL-NOTES).
import { cleanUserText } from '@carrier/core';

/** RFC 4253 §11.1 reason codes used here. */
export const DISCONNECT_REASON = { hostNotAllowed: 1, byApplication: 11, tooManyConnections: 12, noMoreAuthMethods: 14 } as const;

/** The longest refusal text sent: one or two short lines, whatever a caller's name made of it. */
const MAX_REFUSAL_TEXT = 200;

/** The version line carrier says before a refusal packet (the board's own ident is ssh2's, after a full accept). */
export const REFUSAL_IDENT = 'SSH-2.0-carrier';

/**
 * `text` made safe for a caller's terminal: core's sanitizer (escape sequences, C0/C1
 * controls, bidi overrides gone), bounded, one line. OpenSSH escapes a banner again
 * (vis), PuTTY shows it as sent.
 */
export function refusalText(text: string): string {
  return cleanUserText(text.replace(/[\r\n]+/g, ' '), MAX_REFUSAL_TEXT);
}

/**
 * An unencrypted SSH_MSG_DISCONNECT packet (RFC 4253 §6 framing, no MAC: sent before any
 * key exchange): uint32 packet_length, byte padding_length, payload, 4-11 bytes padding,
 * the whole a multiple of 8.
 */
export function disconnectPacket(reason: number, description: string): Buffer {
  const desc = Buffer.from(refusalText(description), 'utf8');
  const payload = Buffer.alloc(1 + 4 + 4 + desc.length + 4);
  payload[0] = 1; // SSH_MSG_DISCONNECT
  payload.writeUInt32BE(reason, 1);
  payload.writeUInt32BE(desc.length, 5);
  desc.copy(payload, 9);
  // language tag: empty (the last 4 bytes stay 0)
  let padding = 8 - ((4 + 1 + payload.length) % 8);
  if (padding < 4) padding += 8;
  const packet = Buffer.alloc(4 + 1 + payload.length + padding);
  packet.writeUInt32BE(1 + payload.length + padding, 0);
  packet[4] = padding;
  payload.copy(packet, 5);
  return packet;
}

/**
 * What an ssh caller refused at connect (a ban, the board full, too many connections)
 * is sent instead of a session: the reason as a line before the version (for clients
 * that show those), our version line, and a DISCONNECT carrying the reason, which
 * OpenSSH and PuTTY print. No key exchange, so a refused flood costs no crypto.
 */
export function refusalBytes(reason: number, description: string): Buffer {
  const text = refusalText(description);
  return Buffer.concat([Buffer.from(`${text}\r\n${REFUSAL_IDENT}\r\n`, 'utf8'), disconnectPacket(reason, text)]);
}
