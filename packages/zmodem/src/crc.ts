// CRC-16/XMODEM (poly 0x1021, init 0, sent high byte first) for hex and ZBIN frames, and
// CRC-32 (IEEE 802.3, reflected, sent low byte first) for ZBIN32 frames.

const CRC16_TABLE = new Uint16Array(256);
const CRC32_TABLE = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let k = 0; k < 8; k++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
  CRC16_TABLE[i] = c & 0xffff;
  let d = i;
  for (let k = 0; k < 8; k++) d = d & 1 ? 0xedb88320 ^ (d >>> 1) : d >>> 1;
  CRC32_TABLE[i] = d;
}

/** Continue a CRC-16 over `bytes` (start with 0). */
export function crc16(bytes: Uint8Array, crc = 0, start = 0, end = bytes.length): number {
  let c = crc;
  for (let i = start; i < end; i++) c = ((c << 8) ^ CRC16_TABLE[((c >>> 8) ^ bytes[i]!) & 0xff]!) & 0xffff;
  return c;
}

export function crc16Byte(b: number, crc: number): number {
  return ((crc << 8) ^ CRC16_TABLE[((crc >>> 8) ^ b) & 0xff]!) & 0xffff;
}

/**
 * Continue a CRC-32 register (start with 0xffffffff; the value on the wire is the
 * register's complement, `finishCrc32`).
 */
export function crc32Update(bytes: Uint8Array, reg = 0xffffffff, start = 0, end = bytes.length): number {
  let c = reg | 0;
  for (let i = start; i < end; i++) c = CRC32_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return c;
}

export function crc32Byte(b: number, reg: number): number {
  return CRC32_TABLE[(reg ^ b) & 0xff]! ^ (reg >>> 8);
}

export function finishCrc32(reg: number): number {
  return ~reg >>> 0;
}

/** The CRC-32 of `bytes`, as the unsigned number ZMODEM sends. */
export function crc32(bytes: Uint8Array): number {
  return finishCrc32(crc32Update(bytes));
}
