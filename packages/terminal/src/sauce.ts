import { CarrierError, ErrorCodes } from '@carrier/core';
import { decodeCp437Glyphs, encodeCp437Art } from './cp437.js';

/**
 * SAUCE (Standard Architecture for Universal Comment Extensions), the metadata record
 * ANSI art carries at its end: the last 128 bytes, optionally preceded by a "COMNT"
 * block of 64-byte comment lines and, before both, the DOS end-of-file byte 0x1A.
 *
 * Art files come from archives of unknown origin, so a record is believed only when
 * every part of it agrees: the signature and version, a comment block exactly where
 * the comment count says it is, and a file size equal to the content in front of it
 * (with or without the 0x1A; writers disagree on that one byte). Anything else is
 * "no SAUCE". A record that fails the checks is still 128 bytes of metadata and never
 * art, so `contentLength` excludes it either way (with a COMNT block found where the
 * count says, and the 0x1A in front). Without a signature at the very end, all bytes
 * but a final 0x1A are content: a truncated record is not guessed at.
 */

export interface Sauce {
  title: string;
  author: string;
  group: string;
  /** CCYYMMDD as written, '' when blank */
  date: string;
  /** size of the content before the SAUCE tail, as recorded */
  fileSize: number;
  /** 1 = Character (ANSI, ASCII…), 5 = BinaryText, …; see the SAUCE spec */
  dataType: number;
  /** for Character: 0 ASCII, 1 ANSi, 2 ANSiMation, … */
  fileType: number;
  /** for ANSi: width in columns */
  tinfo1: number;
  /** for ANSi: number of lines */
  tinfo2: number;
  tinfo3: number;
  tinfo4: number;
  flags: number;
  /** flags bit 0: blink means bright background */
  iceColors: boolean;
  /** flags bits 1-2: 0 legacy, 1 8-pixel font, 2 9-pixel font, 3 invalid */
  letterSpacing: number;
  /** flags bits 3-4: 0 legacy, 1 stretch (DOS aspect), 2 square pixels, 3 invalid */
  aspectRatio: number;
  /** font name, e.g. "IBM VGA" */
  tinfos: string;
}

export interface SauceParse {
  sauce?: Sauce;
  comments: string[];
  /** bytes at the start of the buffer that are the work itself */
  contentLength: number;
}

export const SAUCE_RECORD_SIZE = 128;
export const SAUCE_COMMENT_LINE_SIZE = 64;
const SAUCE_ID = Buffer.from('SAUCE00', 'latin1');
const COMNT_ID = Buffer.from('COMNT', 'latin1');
/** DOS end-of-file (Ctrl-Z): `type` stops here, so SAUCE hides behind it. */
export const DOS_EOF = 0x1a;

const F = {
  title: [7, 35],
  author: [42, 20],
  group: [62, 20],
  date: [82, 8],
  fileSize: 90,
  dataType: 94,
  fileType: 95,
  tinfo1: 96,
  tinfo2: 98,
  tinfo3: 100,
  tinfo4: 102,
  comments: 104,
  flags: 105,
  tinfos: [106, 22],
} as const;

export function parseSauce(buf: Buffer): SauceParse {
  const rec = buf.length - SAUCE_RECORD_SIZE;
  if (rec < 0 || !buf.subarray(rec, rec + SAUCE_ID.length).equals(SAUCE_ID)) {
    return { comments: [], contentLength: withoutEof(buf, buf.length) };
  }

  let tailStart = rec;
  let trusted = true;
  let comments: string[] = [];
  const count = buf.readUInt8(rec + F.comments);
  if (count > 0) {
    const block = rec - COMNT_ID.length - count * SAUCE_COMMENT_LINE_SIZE;
    if (block >= 0 && buf.subarray(block, block + COMNT_ID.length).equals(COMNT_ID)) {
      tailStart = block;
      comments = [];
      for (let i = 0; i < count; i++) {
        const at = block + COMNT_ID.length + i * SAUCE_COMMENT_LINE_SIZE;
        comments.push(textField(buf.subarray(at, at + SAUCE_COMMENT_LINE_SIZE)));
      }
    } else {
      trusted = false;
    }
  }

  const contentLength = withoutEof(buf, tailStart);
  const hadEof = contentLength < tailStart;
  const fileSize = buf.readUInt32LE(rec + F.fileSize);
  if (fileSize !== contentLength && !(hadEof && fileSize === contentLength + 1)) trusted = false;
  if (!trusted) return { comments: [], contentLength };

  const flags = buf.readUInt8(rec + F.flags);
  const sauce: Sauce = {
    title: textField(field(buf, rec, F.title)),
    author: textField(field(buf, rec, F.author)),
    group: textField(field(buf, rec, F.group)),
    date: textField(field(buf, rec, F.date)),
    fileSize,
    dataType: buf.readUInt8(rec + F.dataType),
    fileType: buf.readUInt8(rec + F.fileType),
    tinfo1: buf.readUInt16LE(rec + F.tinfo1),
    tinfo2: buf.readUInt16LE(rec + F.tinfo2),
    tinfo3: buf.readUInt16LE(rec + F.tinfo3),
    tinfo4: buf.readUInt16LE(rec + F.tinfo4),
    flags,
    iceColors: (flags & 0x01) !== 0,
    letterSpacing: (flags >> 1) & 0x03,
    aspectRatio: (flags >> 3) & 0x03,
    tinfos: zeroTerminated(field(buf, rec, F.tinfos)),
  };
  return { sauce, comments, contentLength };
}

export interface SauceFields {
  title?: string;
  author?: string;
  group?: string;
  /** CCYYMMDD, or a Date (its UTC day) */
  date?: string | Date;
  /** length of the content the record will follow */
  fileSize: number;
  /** default 1 (Character) */
  dataType?: number;
  /** default 1 (ANSi) */
  fileType?: number;
  tinfo1?: number;
  tinfo2?: number;
  tinfo3?: number;
  tinfo4?: number;
  iceColors?: boolean;
  letterSpacing?: number;
  aspectRatio?: number;
  tinfos?: string;
  /** at most 255 lines of 64 CP437 characters; longer lines are cut */
  comments?: readonly string[];
}

/** The tail to append to a work: 0x1A, the COMNT block if there are comments, the record. */
export function buildSauce(fields: SauceFields): Buffer {
  const comments = fields.comments ?? [];
  if (comments.length > 255) invalid('comments', 'at most 255 comment lines fit in a SAUCE record');
  const fileSize = checkInt('fileSize', fields.fileSize, 0xffffffff);
  const date = sauceDate(fields.date);
  const flags =
    (fields.iceColors ? 1 : 0) |
    (checkInt('letterSpacing', fields.letterSpacing ?? 0, 3) << 1) |
    (checkInt('aspectRatio', fields.aspectRatio ?? 0, 3) << 3);

  const rec = Buffer.alloc(SAUCE_RECORD_SIZE, 0);
  SAUCE_ID.copy(rec, 0);
  putText(rec, F.title, fields.title ?? '', 0x20);
  putText(rec, F.author, fields.author ?? '', 0x20);
  putText(rec, F.group, fields.group ?? '', 0x20);
  putText(rec, F.date, date, 0x20);
  rec.writeUInt32LE(fileSize, F.fileSize);
  rec.writeUInt8(checkInt('dataType', fields.dataType ?? 1, 0xff), F.dataType);
  rec.writeUInt8(checkInt('fileType', fields.fileType ?? 1, 0xff), F.fileType);
  rec.writeUInt16LE(checkInt('tinfo1', fields.tinfo1 ?? 0, 0xffff), F.tinfo1);
  rec.writeUInt16LE(checkInt('tinfo2', fields.tinfo2 ?? 0, 0xffff), F.tinfo2);
  rec.writeUInt16LE(checkInt('tinfo3', fields.tinfo3 ?? 0, 0xffff), F.tinfo3);
  rec.writeUInt16LE(checkInt('tinfo4', fields.tinfo4 ?? 0, 0xffff), F.tinfo4);
  rec.writeUInt8(comments.length, F.comments);
  rec.writeUInt8(flags, F.flags);
  putText(rec, F.tinfos, fields.tinfos ?? '', 0x00);

  const parts: Buffer[] = [Buffer.from([DOS_EOF])];
  if (comments.length > 0) {
    parts.push(COMNT_ID);
    for (const line of comments) {
      const b = Buffer.alloc(SAUCE_COMMENT_LINE_SIZE, 0x20);
      encodeCp437Art(line).copy(b, 0, 0, SAUCE_COMMENT_LINE_SIZE);
      parts.push(b);
    }
  }
  parts.push(rec);
  return Buffer.concat(parts);
}

/** `content` followed by a SAUCE tail whose file size is the content's length. */
export function appendSauce(content: Buffer, fields: Omit<SauceFields, 'fileSize'>): Buffer {
  return Buffer.concat([content, buildSauce({ ...fields, fileSize: content.length })]);
}

function withoutEof(buf: Buffer, end: number): number {
  return end > 0 && buf[end - 1] === DOS_EOF ? end - 1 : end;
}

function field(buf: Buffer, rec: number, [off, len]: readonly [number, number]): Buffer {
  return buf.subarray(rec + off, rec + off + len);
}

/** Writers pad with spaces or NULs; both are trimmed. Control bytes come out as glyphs. */
function textField(bytes: Buffer): string {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x00)) end--;
  return decodeCp437Glyphs(bytes.subarray(0, end));
}

function zeroTerminated(bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  return textField(nul === -1 ? bytes : bytes.subarray(0, nul));
}

function putText(rec: Buffer, [off, len]: readonly [number, number], text: string, pad: number): void {
  rec.fill(pad, off, off + len);
  encodeCp437Art(text).copy(rec, off, 0, len);
}

function sauceDate(d: string | Date | undefined): string {
  if (d === undefined) return '';
  if (d instanceof Date) {
    if (Number.isNaN(d.getTime())) invalid('date', 'invalid Date');
    const y = d.getUTCFullYear().toString().padStart(4, '0');
    const m = (d.getUTCMonth() + 1).toString().padStart(2, '0');
    const day = d.getUTCDate().toString().padStart(2, '0');
    return `${y}${m}${day}`;
  }
  if (d !== '' && !/^\d{8}$/.test(d)) invalid('date', 'SAUCE dates are CCYYMMDD');
  return d;
}

function checkInt(name: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) invalid(name, `must be an integer from 0 to ${max}`);
  return v;
}

function invalid(name: string, why: string): never {
  throw new CarrierError(ErrorCodes.VALIDATION, `SAUCE ${name}: ${why}`, { field: name });
}
