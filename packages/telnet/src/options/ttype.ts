import { TERMINAL_LIMITS, sanitizeToken } from '@carrier/core';
import { Ttype } from '../constants.js';

/** TTYPE subnegotiation bodies (RFC 1091): IS <name> or SEND. */
export type TtypeMessage = { kind: 'is'; name: Buffer } | { kind: 'send' };

export function parseTtype(data: Buffer): TtypeMessage | undefined {
  if (data.length === 0) return undefined;
  if (data[0] === Ttype.IS) return { kind: 'is', name: data.subarray(1) };
  if (data[0] === Ttype.SEND && data.length === 1) return { kind: 'send' };
  return undefined;
}

/**
 * MTTS bits (Mud Terminal Type Standard): a client that supports it answers the third
 * TTYPE SEND with "MTTS <bits>". Only the bits carrier reads are named.
 */
export const MttsBit = {
  ANSI: 1,
  /** an encoding hint, weaker than CHARSET or LANG */
  UTF8: 4,
  COLORS_256: 8,
  TRUECOLOR: 256,
} as const;

const MTTS_PATTERN = /^MTTS (\d{1,10})$/i;

/** "MTTS 137" -> 137 (after NUL and control bytes are stripped), else undefined. */
export function parseMtts(name: Buffer): number | undefined {
  const text = name.toString('latin1').replace(/[\x00-\x1f\x7f]/g, '').trim();
  const m = MTTS_PATTERN.exec(text);
  if (!m) return undefined;
  const bits = Number(m[1]);
  return Number.isSafeInteger(bits) ? bits : undefined;
}

/**
 * Cycling TTYPE (RFC 1091, MTTS): the server repeats SEND and the client walks its list.
 * Stop when an answer repeats the first or the previous one (the list wrapped or ended;
 * inetutils repeats "XTERM-256COLOR", MS telnet walks ANSI, VT100, VT52, VTNT), is
 * empty, is the eighth, or is a third answer of "MTTS <bits>".
 */
export class TerminalTypeCycle {
  /** each distinct answer in order (lowercased, printable, capped), without the repeat that ended the cycle */
  readonly answers: string[] = [];
  /** MTTS bits, when the client spoke MTTS */
  mtts: number | undefined;
  private current: string | undefined;
  private finished = false;

  get done(): boolean {
    return this.finished;
  }

  /** The type the client is using now: the one it named last (for MTTS, the one before "MTTS"). */
  get type(): string | undefined {
    return this.current;
  }

  /** Record one IS answer. Returns true when another SEND should follow. */
  accept(name: Buffer): boolean {
    if (this.finished) return false;
    if (this.answers.length === 2) {
      const bits = parseMtts(name);
      if (bits !== undefined) {
        this.mtts = bits;
        this.answers.push(`mtts ${bits}`);
        return this.finish();
      }
    }
    const type = sanitizeToken(name.toString('latin1'), TERMINAL_LIMITS.maxTypeLength, true);
    if (type === '') return this.finish();
    if (type === this.answers[0] || type === this.answers[this.answers.length - 1]) {
      this.current = type;
      return this.finish();
    }
    this.answers.push(type);
    this.current = type;
    if (this.answers.length >= TERMINAL_LIMITS.maxTypeAnswers) return this.finish();
    return true;
  }

  /** Stop cycling without another answer (the deadline passed, or the client went WONT). */
  stop(): void {
    this.finished = true;
  }

  private finish(): false {
    this.finished = true;
    return false;
  }
}
