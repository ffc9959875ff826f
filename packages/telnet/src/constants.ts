/**
 * Telnet command and option numbers. Every number is the one its RFC assigns; the
 * comment names the RFC so a reader can check it.
 */

/** Commands (RFC 854 unless noted). Each follows IAC on the wire. */
export const Cmd = {
  /** end of subnegotiation */
  SE: 240,
  NOP: 241,
  /** Data Mark: the data half of "synch"; arrives alone because Node can't read TCP urgent data */
  DM: 242,
  BRK: 243,
  /** Interrupt Process */
  IP: 244,
  /** Abort Output */
  AO: 245,
  /** Are You There */
  AYT: 246,
  /** Erase Character */
  EC: 247,
  /** Erase Line */
  EL: 248,
  /** Go Ahead (meaningless once SGA is on, RFC 858) */
  GA: 249,
  /** begin subnegotiation */
  SB: 250,
  WILL: 251,
  WONT: 252,
  DO: 253,
  DONT: 254,
  /** Interpret As Command; doubled to send a data byte 255 */
  IAC: 255,
} as const;

/** The four option-negotiation verbs: each is followed by one option byte. */
export type NegotiationCommand = typeof Cmd.WILL | typeof Cmd.WONT | typeof Cmd.DO | typeof Cmd.DONT;

export function isNegotiationCommand(byte: number): byte is NegotiationCommand {
  return byte === Cmd.WILL || byte === Cmd.WONT || byte === Cmd.DO || byte === Cmd.DONT;
}

/** The two-byte commands (IAC + one byte) that carry meaning on their own. */
export type SimpleCommand =
  | typeof Cmd.NOP | typeof Cmd.DM | typeof Cmd.BRK | typeof Cmd.IP | typeof Cmd.AO
  | typeof Cmd.AYT | typeof Cmd.EC | typeof Cmd.EL | typeof Cmd.GA;

export function isSimpleCommand(byte: number): byte is SimpleCommand {
  return byte >= Cmd.NOP && byte <= Cmd.GA;
}

/** Option numbers (IANA telnet-options registry). */
export const Opt = {
  /** RFC 856 */
  BINARY: 0,
  /** RFC 857 */
  ECHO: 1,
  /** RFC 858 Suppress Go Ahead */
  SGA: 3,
  /** RFC 859 */
  STATUS: 5,
  /** RFC 860 */
  TIMING_MARK: 6,
  /** RFC 1091 Terminal Type */
  TTYPE: 24,
  /** RFC 1073 Negotiate About Window Size */
  NAWS: 31,
  /** RFC 1079 Terminal Speed */
  TSPEED: 32,
  /** RFC 1372 Remote Flow Control */
  LFLOW: 33,
  /** RFC 1184 */
  LINEMODE: 34,
  /** RFC 1096 X Display Location */
  XDISPLOC: 35,
  /** RFC 1408 old ENVIRON: VAR/VALUE swapped in the wild, so never asked */
  ENVIRON: 36,
  /** RFC 2941 */
  AUTHENTICATION: 37,
  /** RFC 2946 */
  ENCRYPT: 38,
  /** RFC 1572 */
  NEW_ENVIRON: 39,
  /** RFC 2066 */
  CHARSET: 42,
} as const;

/** TTYPE subnegotiation codes (RFC 1091). */
export const Ttype = { IS: 0, SEND: 1 } as const;

/** NEW-ENVIRON subnegotiation codes (RFC 1572). */
export const Env = {
  IS: 0,
  SEND: 1,
  INFO: 2,
  VAR: 0,
  VALUE: 1,
  /** the next byte is literal (one of VAR, VALUE, ESC, USERVAR) */
  ESC: 2,
  USERVAR: 3,
} as const;

/** CHARSET subnegotiation codes (RFC 2066). */
export const Charset = {
  REQUEST: 1,
  ACCEPTED: 2,
  REJECTED: 3,
  TTABLE_IS: 4,
  TTABLE_REJECTED: 5,
  TTABLE_ACK: 6,
  TTABLE_NAK: 7,
} as const;

/** Names for log lines; client bytes never reach a log through these. */
const OPTION_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(Opt).map(([name, n]) => [n, name.toLowerCase().replace(/_/g, '-')]),
);

export function optionName(option: number): string {
  return OPTION_NAMES[option] ?? `option-${option}`;
}

const COMMAND_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(Cmd).map(([name, n]) => [n, name]),
);

export function commandName(command: number): string {
  return COMMAND_NAMES[command] ?? `cmd-${command}`;
}
