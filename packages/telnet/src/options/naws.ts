/**
 * NAWS (RFC 1073): IAC SB NAWS w16 h16 IAC SE. The decoder has already un-doubled a 255
 * inside the size (PuTTY doubles it, SyncTERM does not, and both reach here as 4 bytes).
 * Anything but exactly 4 bytes is not a size report and is ignored; clamping the values
 * is the caller's job (core `clampSize`), because 0x0 and 65535x65535 do arrive.
 */
export function parseNaws(data: Buffer): { cols: number; rows: number } | undefined {
  if (data.length !== 4) return undefined;
  return { cols: data.readUInt16BE(0), rows: data.readUInt16BE(2) };
}
