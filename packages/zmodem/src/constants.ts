// ZMODEM constants (Chuck Forsberg, "The ZMODEM Inter Application File Transfer Protocol",
// 1988; the values lrzsz's zmodem.h uses).

export const ZPAD = 0x2a; // '*'
export const ZDLE = 0x18; // Ctrl-X, also CAN
export const ZDLEE = ZDLE ^ 0x40; // an escaped ZDLE
export const ZBIN = 0x41; // 'A': binary header, CRC-16
export const ZHEX = 0x42; // 'B': hex header, CRC-16
export const ZBIN32 = 0x43; // 'C': binary header, CRC-32

export const CAN = 0x18;
export const XON = 0x11;
export const XOFF = 0x13;
export const CR = 0x0d;
export const LF = 0x0a;

/** Frame types. */
export const Frame = {
  ZRQINIT: 0,
  ZRINIT: 1,
  ZSINIT: 2,
  ZACK: 3,
  ZFILE: 4,
  ZSKIP: 5,
  ZNAK: 6,
  ZABORT: 7,
  ZFIN: 8,
  ZRPOS: 9,
  ZDATA: 10,
  ZEOF: 11,
  ZFERR: 12,
  ZCRC: 13,
  ZCHALLENGE: 14,
  ZCOMPL: 15,
  ZCAN: 16,
  ZFREECNT: 17,
  ZCOMMAND: 18,
  ZSTDERR: 19,
} as const;
export type FrameType = (typeof Frame)[keyof typeof Frame];
const FRAME_NAMES = Object.fromEntries(Object.entries(Frame).map(([k, v]) => [v, k])) as Record<number, string>;
export function frameName(type: number): string {
  return FRAME_NAMES[type] ?? `frame ${type}`;
}

/** Frame types a data subpacket follows (the header must be binary). */
export const FRAMES_WITH_DATA: ReadonlySet<number> = new Set([Frame.ZSINIT, Frame.ZFILE, Frame.ZDATA, Frame.ZCOMMAND]);

/** Subpacket ends (after ZDLE). */
export const ZCRCE = 0x68; // 'h': CRC next, frame ends, header follows
export const ZCRCG = 0x69; // 'i': CRC next, frame goes on non-stop
export const ZCRCQ = 0x6a; // 'j': CRC next, frame goes on, ZACK expected
export const ZCRCW = 0x6b; // 'k': CRC next, ZACK expected, end of frame
export const ZRUB0 = 0x6c; // 'l': translate to 0x7f
export const ZRUB1 = 0x6d; // 'm': translate to 0xff
export type SubpacketEnd = typeof ZCRCE | typeof ZCRCG | typeof ZCRCQ | typeof ZCRCW;
export function isSubpacketEnd(b: number): b is SubpacketEnd {
  return b === ZCRCE || b === ZCRCG || b === ZCRCQ || b === ZCRCW;
}

/** ZRINIT ZF0 capability bits. */
export const Cap = {
  CANFDX: 0x01, // full duplex
  CANOVIO: 0x02, // can receive data during disk I/O
  CANBRK: 0x04,
  CANCRY: 0x08,
  CANLZW: 0x10,
  CANFC32: 0x20, // can use 32-bit CRC
  ESCCTL: 0x40, // wants all control characters escaped
  ESC8: 0x80,
} as const;

/** ZFILE ZF0: conversion. */
export const ZCBIN = 1;
export const ZCNL = 2;
/** ZF0 = 3: resume an interrupted file transfer (crash recovery). */
export const ZCRESUM = 3;

/** The abort sequence lrzsz sends: eight CANs then ten backspaces to wipe them off a screen. */
export const ABORT_SEQUENCE: Buffer = Buffer.from([...Array(8).fill(CAN), ...Array(10).fill(0x08)]);
/** Five CANs in a row cancel a transfer (the sender or a caller holding Ctrl-X). */
export const CANCEL_CAN_COUNT = 5;

/** The ZMODEM 8 KiB block ("ZedZap"/ZMODEM-8k): the largest data subpacket we send or accept. */
export const SUBPACKET_SIZE = 8192;
