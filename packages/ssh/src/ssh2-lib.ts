import { realRequire } from '@carrier/core';
import type ssh2 from 'ssh2';

type Ssh2 = typeof ssh2;
// Each from its real path, so ssh2's own dependencies are found (core's realRequire says why).
const require = realRequire(import.meta.url);

// The parts of ssh2 a server uses, each loaded from its own file. ssh2's index also loads
// its client, its agents (and with them node:child_process) and its HTTP agents
// (node:https, node:tls), none of which a board uses, for every board with ssh on (idle
// memory, issue 18; docs/benchmarks.md). ssh2 has no `exports` map, so these files are
// part of its published layout; @types/ssh2 types them as the index's members.

/** ssh2's Server (`ssh2.Server`). */
export const Server = require('ssh2/lib/server.js') as Ssh2['Server'];
export type Server = ssh2.Server;

const { parseKey } = require('ssh2/lib/protocol/keyParser.js') as Pick<Ssh2['utils'], 'parseKey'>;
const { OPEN_MODE, STATUS_CODE } = require('ssh2/lib/protocol/SFTP.js') as Pick<Ssh2['utils']['sftp'], 'OPEN_MODE' | 'STATUS_CODE'>;

/** The members of `ssh2.utils` a server uses. */
export const utils = { parseKey, sftp: { OPEN_MODE, STATUS_CODE } };

/** ssh2's packet sender (its protocol's own, used by every message it sends). */
const { sendPacket } = require('ssh2/lib/protocol/utils.js') as { sendPacket(proto: unknown, packet: Buffer, bypass?: boolean): void };

/** What sendDisconnect uses of an ssh2 connection's protocol (private to ssh2). */
interface ProtocolWriter {
  _packetRW: { write: { allocStartKEX: number; alloc(n: number, force: boolean): Buffer; finalize(packet: Buffer, force: boolean): Buffer } };
}

/**
 * Send SSH_MSG_DISCONNECT with a description (RFC 4253 §11.1), which OpenSSH's ssh and
 * PuTTY print; ssh2's own end() sends an empty one. Built as ssh2 builds its own (its
 * packet writer, so the cipher and MAC apply, at any stage). False when ssh2's insides are
 * not there. The caller still calls end(): its second DISCONNECT is never read.
 */
export function sendDisconnect(connection: unknown, reason: number, description: string): boolean {
  const proto = (connection as { _protocol?: Partial<ProtocolWriter> })._protocol;
  const writer = proto?._packetRW?.write;
  if (!proto || !writer || typeof writer.alloc !== 'function' || typeof writer.finalize !== 'function') return false;
  const text = Buffer.from(description, 'utf8');
  let p = writer.allocStartKEX;
  const packet = writer.alloc(1 + 4 + 4 + text.length + 4, true);
  packet[p] = 1; // SSH_MSG_DISCONNECT
  packet.writeUInt32BE(reason, ++p);
  packet.writeUInt32BE(text.length, (p += 4));
  text.copy(packet, (p += 4));
  packet.writeUInt32BE(0, p + text.length); // language tag: empty
  sendPacket(proto, writer.finalize(packet, true), true);
  return true;
}
