// The ZFILE data subpacket: "name NUL size mtime mode serial filesleft bytesleft NUL",
// size and counts in decimal, mtime, mode and serial in octal (the spec; lrzsz's sscanf).

export interface FileInfo {
  name: string;
  /** bytes, when the sender said */
  size?: number;
  /** seconds since the epoch */
  mtime?: number;
  mode?: number;
  filesLeft?: number;
  bytesLeft?: number;
}

/** The longest file name accepted off the wire; a safer policy is the caller's job. */
export const MAX_NAME_BYTES = 1024;

export function encodeFileInfo(info: FileInfo): Buffer {
  const fields = [
    String(info.size ?? 0),
    Math.max(0, Math.floor(info.mtime ?? 0)).toString(8),
    (info.mode ?? 0o100644).toString(8),
    '0',
    String(info.filesLeft ?? 1),
    String(info.bytesLeft ?? info.size ?? 0),
  ];
  return Buffer.concat([Buffer.from(info.name, 'utf8'), Buffer.from([0]), Buffer.from(fields.join(' '), 'latin1'), Buffer.from([0])]);
}

/** Parse a ZFILE subpacket; undefined when it has no NUL-terminated name or an absurd one. */
export function parseFileInfo(data: Uint8Array): FileInfo | undefined {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const nul = buf.indexOf(0);
  if (nul <= 0 || nul > MAX_NAME_BYTES) return undefined;
  const name = buf.subarray(0, nul).toString('utf8');
  const restEnd = buf.indexOf(0, nul + 1);
  const rest = buf.subarray(nul + 1, restEnd < 0 ? buf.length : restEnd).toString('latin1').trim();
  const info: FileInfo = { name };
  const parts = rest.length > 0 ? rest.split(/\s+/) : [];
  const dec = (s: string | undefined): number | undefined => (s !== undefined && /^\d{1,15}$/.test(s) ? Number(s) : undefined);
  const oct = (s: string | undefined): number | undefined => (s !== undefined && /^[0-7]{1,16}$/.test(s) ? parseInt(s, 8) : undefined);
  const size = dec(parts[0]);
  if (size !== undefined) info.size = size;
  const mtime = oct(parts[1]);
  if (mtime !== undefined) info.mtime = mtime;
  const mode = oct(parts[2]);
  if (mode !== undefined) info.mode = mode;
  const filesLeft = dec(parts[4]);
  if (filesLeft !== undefined) info.filesLeft = filesLeft;
  const bytesLeft = dec(parts[5]);
  if (bytesLeft !== undefined) info.bytesLeft = bytesLeft;
  return info;
}
