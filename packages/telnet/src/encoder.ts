import { Charset, Cmd, Env, Opt, Ttype, isNegotiationCommand } from './constants.js';

/** Data byte 255 is sent as IAC IAC in both directions, binary mode or not (RFC 854). */
export function escapeIac(data: Buffer): Buffer {
  let at = data.indexOf(Cmd.IAC);
  if (at < 0) return data;
  let count = 0;
  for (; at >= 0; at = data.indexOf(Cmd.IAC, at + 1)) count++;
  const out = Buffer.allocUnsafe(data.length + count);
  let o = 0;
  for (const b of data) {
    out[o++] = b;
    if (b === Cmd.IAC) out[o++] = Cmd.IAC;
  }
  return out;
}

/** IAC WILL/WONT/DO/DONT <option>, or a two-byte command such as IAC AYT. */
export function encodeCommand(command: number, option?: number): Buffer {
  if (isNegotiationCommand(command)) {
    if (option === undefined) throw new RangeError(`telnet command ${command} needs an option`);
    return Buffer.from([Cmd.IAC, command, byte(option)]);
  }
  return Buffer.from([Cmd.IAC, byte(command)]);
}

/** IAC SB <option> <payload with IAC doubled> IAC SE (RFC 855). */
export function encodeSubnegotiation(option: number, payload: Buffer | readonly number[]): Buffer {
  const body = escapeIac(Buffer.isBuffer(payload) ? payload : Buffer.from(payload));
  return Buffer.concat([Buffer.from([Cmd.IAC, Cmd.SB, byte(option)]), body, Buffer.from([Cmd.IAC, Cmd.SE])]);
}

/** NAWS report (RFC 1073): width and height as 16-bit big-endian, each clamped to 0..65535. */
export function encodeNaws(cols: number, rows: number): Buffer {
  const body = Buffer.alloc(4);
  body.writeUInt16BE(u16(cols), 0);
  body.writeUInt16BE(u16(rows), 2);
  return encodeSubnegotiation(Opt.NAWS, body);
}

/** TTYPE SEND (RFC 1091): ask for the next terminal type. */
export function encodeTtypeSend(): Buffer {
  return encodeSubnegotiation(Opt.TTYPE, [Ttype.SEND]);
}

/** TTYPE IS <name> (RFC 1091); names travel as ASCII, conventionally uppercase. */
export function encodeTtypeIs(name: string): Buffer {
  return encodeSubnegotiation(Opt.TTYPE, Buffer.concat([Buffer.from([Ttype.IS]), Buffer.from(name, 'latin1')]));
}

export interface EnvVarRef {
  kind: 'var' | 'uservar';
  name: string;
}

export interface EnvEntry extends EnvVarRef {
  /** undefined: the variable is not defined (RFC 1572 sends VAR name without VALUE) */
  value?: string | undefined;
}

/**
 * GNU telnet clients drop any SB longer than 256 bytes; requests stay under this so
 * every one of them is read.
 */
export const MAX_ENV_REQUEST_BYTES = 240;

/**
 * NEW-ENVIRON SEND (RFC 1572) for these variables, split into as many SBs as needed so
 * none is longer than `maxBytes` on the wire. An empty list asks for everything.
 */
export function encodeNewEnvironSend(vars: readonly EnvVarRef[], maxBytes = MAX_ENV_REQUEST_BYTES): Buffer[] {
  const frame = (parts: Buffer[]): Buffer => encodeSubnegotiation(Opt.NEW_ENVIRON, Buffer.concat([Buffer.from([Env.SEND]), ...parts]));
  if (vars.length === 0) return [frame([])];
  const out: Buffer[] = [];
  let parts: Buffer[] = [];
  let size = frame([]).length;
  for (const v of vars) {
    const item = Buffer.concat([Buffer.from([v.kind === 'var' ? Env.VAR : Env.USERVAR]), envEscape(v.name)]);
    const wire = escapeIac(item).length;
    if (parts.length > 0 && size + wire > maxBytes) {
      out.push(frame(parts));
      parts = [];
      size = frame([]).length;
    }
    parts.push(item);
    size += wire;
  }
  out.push(frame(parts));
  return out;
}

/** NEW-ENVIRON IS (an answer to SEND) or INFO (an unsolicited update), RFC 1572. */
export function encodeNewEnvironIs(entries: readonly EnvEntry[], kind: 'is' | 'info' = 'is'): Buffer {
  const parts: Buffer[] = [Buffer.from([kind === 'is' ? Env.IS : Env.INFO])];
  for (const e of entries) {
    parts.push(Buffer.from([e.kind === 'var' ? Env.VAR : Env.USERVAR]), envEscape(e.name));
    if (e.value !== undefined) parts.push(Buffer.from([Env.VALUE]), envEscape(e.value));
  }
  return encodeSubnegotiation(Opt.NEW_ENVIRON, Buffer.concat(parts));
}

/** CHARSET REQUEST (RFC 2066): names in order of preference after a separator byte. */
export function encodeCharsetRequest(names: readonly string[], separator = ';'): Buffer {
  if (separator.length !== 1 || names.some((n) => n.includes(separator))) {
    throw new RangeError('CHARSET separator must be one character that appears in no name');
  }
  const list = names.map((n) => separator + n).join('');
  return encodeSubnegotiation(Opt.CHARSET, Buffer.concat([Buffer.from([Charset.REQUEST]), Buffer.from(list, 'latin1')]));
}

export function encodeCharsetAccepted(name: string): Buffer {
  return encodeSubnegotiation(Opt.CHARSET, Buffer.concat([Buffer.from([Charset.ACCEPTED]), Buffer.from(name, 'latin1')]));
}

export function encodeCharsetRejected(): Buffer {
  return encodeSubnegotiation(Opt.CHARSET, [Charset.REJECTED]);
}

/** VAR, VALUE, ESC and USERVAR inside a name or value are preceded by ESC (RFC 1572). */
function envEscape(text: string): Buffer {
  const raw = Buffer.from(text, 'latin1');
  const out: number[] = [];
  for (const b of raw) {
    if (b === Env.VAR || b === Env.VALUE || b === Env.ESC || b === Env.USERVAR) out.push(Env.ESC);
    out.push(b);
  }
  return Buffer.from(out);
}

function byte(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new RangeError(`not a byte: ${n}`);
  return n;
}

function u16(n: number): number {
  if (!Number.isFinite(n)) return 0;
  return Math.min(0xffff, Math.max(0, Math.round(n)));
}
