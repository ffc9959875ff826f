import { encodeText } from '@carrier/core';

/**
 * Drop files: the text files a BBS writes into the node directory before it runs a door,
 * telling the door who is calling. DOS-style text (CRLF line ends, CP437), one value a
 * line, in the order the published formats give. Pure: info in, bytes out.
 *
 * - DOOR32.SYS: "DOOR32 Revision 1 Specifications" (Mystic, Feb 2001), 11 lines. The
 *   spec says the file is lower-cased (`door32.sys`) on case-sensitive file systems.
 * - DOOR.SYS: the 52-line GAP format (as documented by RemoteAccess and PCBoard).
 * - DORINFO1.DEF: the 13-line RBBS/QuickBBS format.
 */

export type DropFileKind = 'door32.sys' | 'door.sys' | 'dorinfo1.def';
export const DROP_FILE_KINDS: readonly DropFileKind[] = ['door32.sys', 'door.sys', 'dorinfo1.def'];

/** Everything a drop file says about the call. Text fields are the caller's and are cleaned here. */
export interface DropInfo {
  /** the board's name (DORINFO1.DEF line 1) */
  boardName: string;
  /** software name and version (DOOR32.SYS line 4) */
  software: string;
  sysopName: string;
  /** the caller's user record number, 1-based */
  userId: number;
  handle: string;
  /** the caller's real name; carrier keeps none, so the handle stands in */
  realName: string;
  location: string;
  level: number;
  /** seconds the caller has left in this door */
  secondsLeft: number;
  ansi: boolean;
  node: number;
  rows: number;
  cols: number;
  /** the start of this call and the caller's previous one (ms since the epoch) */
  callStartedAt: number;
  lastCallAt?: number | undefined;
  totalCalls: number;
}

/** Baud rate the formats want: a socket has none, and every door library accepts 38400. */
export const DROP_BAUD = 38_400;
/**
 * Values are one line each, and some doors read fixed-width Pascal strings: a control
 * character (a CR would shift every line after it) or an over-long field is cut here.
 */
const MAX_FIELD = 60;

function field(value: string, max = MAX_FIELD): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').slice(0, max);
}

function lines(values: readonly (string | number)[]): Buffer {
  return encodeText(values.map((v) => `${v}\r\n`).join(''), 'cp437');
}

const minutes = (secs: number): number => Math.max(0, Math.floor(secs / 60));
const two = (n: number): string => String(n).padStart(2, '0');
/** mm/dd/yy, the date form GAP's DOOR.SYS standard gives (lines 17, 25, 32, 43), as Synchronet and WWIV write it. */
function mmddyy(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getMonth() + 1)}/${two(d.getDate())}/${two(d.getFullYear() % 100)}`;
}
/**
 * DOOR.SYS line 25, the caller's subscription expiration date. carrier sells no
 * subscriptions, so no caller's ever runs out; but the date has a two-digit year, and the
 * `12/31/99` boards once wrote (WWIV) is 1999 to any door that checks it: expired. A
 * door that reads the year at all reads it through a century window (2000 to 2029 at the
 * narrowest, Windows'; POSIX's runs to 2068), so the date that is the future to every one
 * of them is a near one: a year after this call.
 */
function notExpired(callStartedAt: number): string {
  const d = new Date(callStartedAt);
  d.setFullYear(d.getFullYear() + 1);
  return mmddyy(d.getTime());
}
function hhmm(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
}

/**
 * Every carrier door is a local door: it speaks on stdio through a PTY and is handed no
 * port or socket. The three formats say so alike (DOOR32.SYS comm type 0, DOOR.SYS `COM0:`,
 * DORINFO1.DEF `COM0`): told COM1 or telnet, a door tries to open that port or handle.
 */
const LOCAL = { door32CommType: 0, doorSysPort: 'COM0:', dorinfoPort: 'COM0', dorinfoFossil: 0 } as const;

/** DOOR32.SYS: comm type 0 (local) with handle 0, see LOCAL. */
export function door32Sys(info: DropInfo): Buffer {
  return lines([
    LOCAL.door32CommType, // comm type: 0 local, 1 serial, 2 telnet
    0, // comm or socket handle: none is handed over (stdio doors)
    DROP_BAUD,
    field(info.software),
    info.userId,
    field(info.realName),
    field(info.handle),
    info.level,
    minutes(info.secondsLeft),
    info.ansi ? 1 : 0, // emulation: 0 ASCII, 1 ANSI
    info.node,
  ]);
}

/** DOOR.SYS, the 52-line GAP format. Fields carrier does not keep get the format's neutral values. */
export function doorSys(info: DropInfo): Buffer {
  const last = info.lastCallAt ?? info.callStartedAt;
  return lines([
    LOCAL.doorSysPort, // 1 communications port (COM0: is local)
    DROP_BAUD, // 2 BPS rate
    8, // 3 data bits
    info.node, // 4 node number
    DROP_BAUD, // 5 DTE (locked) rate
    'Y', // 6 screen display
    'N', // 7 printer toggle
    'N', // 8 page bell
    'N', // 9 caller alarm
    field(info.realName), // 10 user full name
    field(info.location), // 11 user location
    '', // 12 home/voice telephone
    '', // 13 work/data telephone
    '', // 14 password: never written
    info.level, // 15 security level
    info.totalCalls, // 16 total calls
    mmddyy(last), // 17 last call date
    Math.max(0, Math.floor(info.secondsLeft)), // 18 seconds remaining
    minutes(info.secondsLeft), // 19 minutes remaining
    info.ansi ? 'GR' : 'NG', // 20 graphics mode
    info.rows, // 21 screen length
    'N', // 22 expert mode
    '', // 23 conferences joined
    '', // 24 conference selected
    notExpired(info.callStartedAt), // 25 subscription expiration date
    info.userId, // 26 user record number
    'Z', // 27 default protocol (Zmodem)
    0, // 28 uploads
    0, // 29 downloads
    0, // 30 kilobytes downloaded today
    999_999, // 31 daily download limit (KB)
    '01/01/70', // 32 date of birth (not kept)
    '', // 33 path to the user files
    '', // 34 path to the message files
    field(info.sysopName), // 35 sysop full name
    field(info.handle), // 36 user's handle (alias)
    '00:00', // 37 next event time
    'Y', // 38 error-free connection
    'N', // 39 always N
    'Y', // 40 always Y
    7, // 41 default text colour
    0, // 42 always 0
    mmddyy(last), // 43 last new-files scan date
    hhmm(info.callStartedAt), // 44 time of this call
    hhmm(last), // 45 time of last call
    32_768, // 46 always 32768
    0, // 47 files downloaded today
    0, // 48 KB uploaded
    0, // 49 KB downloaded
    '', // 50 comment
    0, // 51 doors opened
    0, // 52 messages posted
  ]);
}

/** DORINFO1.DEF. Names are split at the first space; a one-word handle has an empty last name. */
export function dorinfo1Def(info: DropInfo): Buffer {
  const [sysFirst, sysLast] = splitName(info.sysopName);
  const [first, last] = splitName(info.realName);
  return lines([
    field(info.boardName),
    sysFirst,
    sysLast,
    LOCAL.dorinfoPort, // COM0 is local
    `${DROP_BAUD} BAUD,N,8,1`,
    0, // networked: no
    first,
    last,
    field(info.location),
    info.ansi ? 1 : 0, // graphics: 0 ASCII, 1 ANSI
    info.level,
    minutes(info.secondsLeft),
    LOCAL.dorinfoFossil, // FOSSIL in use: -1 yes, 0 no (a local door has no port to drive)
  ]);
}

function splitName(name: string): [string, string] {
  const clean = field(name).trim();
  const i = clean.indexOf(' ');
  return i < 0 ? [clean, ''] : [clean.slice(0, i), clean.slice(i + 1).trim()];
}

/** The file name on disk and its contents. DOOR32's own spec asks for lower case; the DOS formats are upper case. */
export function dropFile(kind: DropFileKind, info: DropInfo): { name: string; bytes: Buffer } {
  switch (kind) {
    case 'door32.sys':
      return { name: 'door32.sys', bytes: door32Sys(info) };
    case 'door.sys':
      return { name: 'DOOR.SYS', bytes: doorSys(info) };
    case 'dorinfo1.def':
      return { name: 'DORINFO1.DEF', bytes: dorinfo1Def(info) };
  }
}
