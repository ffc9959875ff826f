import { isUtf8 } from 'node:buffer';
import { decodeBytes } from '@carrier/core';

/**
 * RFC 1282 §"Connection Establishment": the client opens with
 * `NUL client-user NUL server-user NUL terminal-type/speed NUL`. No field may be longer
 * than this; the RFC leaves the bound open, BSD rlogind reads 16/16/64 bytes, and no
 * real name or terminal type comes near 256.
 */
export const RLOGIN_MAX_FIELD_BYTES = 256;

const NUL = 0x00;

export type RloginHandshakeErrorCode =
  /** The first byte is not NUL: an HTTP request, a TLS ClientHello, an SSH version line. */
  | 'RLOGIN_NOT_A_HANDSHAKE'
  /** A field passed RLOGIN_MAX_FIELD_BYTES without its NUL. */
  | 'RLOGIN_FIELD_TOO_LONG'
  /** A control byte inside a user name: no client sends one, an attacker might. */
  | 'RLOGIN_CONTROL_BYTE';

export interface RloginHandshake {
  done: true;
  error?: undefined;
  /** Field 1: the caller's local name (SyncTERM puts a password here). */
  clientUser: string;
  /** Field 2: the name to log in as. */
  serverUser: string;
  /** Field 3 up to its `/`, as sent (not lowercased); '' when empty. */
  terminalType: string;
  /** Field 3 after its `/`, when that is a number. */
  speed: number | undefined;
  /** Field 3 whole, e.g. `ansi/115200` or a door server's `xtrn=DOOR`. */
  terminalField: string;
  /** Bytes that followed the handshake in the same read: the caller's first input. */
  rest: Buffer;
}

export type RloginHandshakeStep =
  | { done: false; error?: undefined }
  | RloginHandshake
  | { done: false; error: RloginHandshakeErrorCode };

/**
 * Pure RFC 1282 handshake reader: push bytes as they arrive, in any split, until it
 * answers done or error. It owns no timer: the server calls `finishWithoutFinalNul()`
 * at a short settle deadline for clients that never send the last NUL.
 *
 * Quirks it accepts (PROTOCOL-NOTES, "rlogin"):
 * - a leading duplicate NUL (door-server connectors);
 * - no final NUL (old SyncTERM): the terminal field then ends at the first control
 *   byte (the caller's first keystroke, usually CR) or at the server's settle deadline.
 *
 * A leading duplicate NUL and an empty client-user (SyncTERM with no password stored)
 * look alike after three fields: `\0\0bob\0ansi/9600\0`. The third field decides: a
 * `term/speed` field ends a normal handshake; anything else (`xtrn=DOOR`, a name) means
 * the empty field was the duplicate NUL, so a fourth field follows. If none comes, the
 * settle deadline reads it as a normal handshake after all.
 */
export class RloginHandshakeParser {
  private started = false;
  private readonly fields: Buffer[] = [];
  private current: number[] = [];
  /** true once a leading duplicate NUL is assumed, so four fields follow the first NUL */
  private duplicateNul = false;
  private result: RloginHandshakeStep = { done: false };

  push(bytes: Uint8Array): RloginHandshakeStep {
    if (this.result.done) throw new Error('RloginHandshakeParser: push after the handshake completed');
    if (this.result.error) return this.result;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (!this.started) {
        if (b !== NUL) return this.fail('RLOGIN_NOT_A_HANDSHAKE');
        this.started = true;
        continue;
      }
      if (b === NUL) {
        this.fields.push(Buffer.from(this.current));
        this.current = [];
        const step = this.afterField(Buffer.from(bytes.subarray(i + 1)));
        if (step) return step;
        continue;
      }
      if (b < 0x20 || b === 0x7f) {
        // In the terminal field a control byte is the caller's first input after a
        // handshake that lacked its final NUL; in a name field it is never legitimate.
        if (this.canFinishWithoutFinalNul || this.inTerminalField()) {
          return this.completeWithoutFinalNul(Buffer.from(bytes.subarray(i)));
        }
        return this.fail('RLOGIN_CONTROL_BYTE');
      }
      if (this.current.length >= RLOGIN_MAX_FIELD_BYTES) return this.fail('RLOGIN_FIELD_TOO_LONG');
      this.current.push(b);
    }
    return this.result;
  }

  /**
   * True when everything but the final NUL may have arrived: the server arms its short
   * settle timer while this holds and then calls `finishWithoutFinalNul()`.
   */
  get canFinishWithoutFinalNul(): boolean {
    if (this.result.done || this.result.error) return false;
    if (this.inTerminalField() && this.current.length > 0) return true;
    return this.duplicateNul && this.fields.length === 3 && this.current.length === 0;
  }

  /** The settle deadline passed: take what arrived as the whole handshake, if it can be one. */
  finishWithoutFinalNul(): RloginHandshakeStep {
    if (!this.canFinishWithoutFinalNul) return this.result;
    return this.completeWithoutFinalNul(Buffer.alloc(0));
  }

  private completeWithoutFinalNul(rest: Buffer): RloginHandshake {
    if (this.duplicateNul && this.fields.length === 3 && this.current.length === 0) {
      // `\0\0bob\0xterm\0` and no fourth field: it was an empty client-user after all.
      this.duplicateNul = false;
      return this.complete(this.fields, rest);
    }
    return this.complete([...this.fields, Buffer.from(this.current)], rest);
  }

  private afterField(rest: Buffer): RloginHandshakeStep | undefined {
    const n = this.fields.length;
    if (this.duplicateNul) return n === 4 ? this.complete(this.fields, rest) : undefined;
    if (n < 3) return undefined;
    if (this.fields[0]!.length === 0 && !looksLikeTerminalField(this.fields[2]!)) {
      this.duplicateNul = true;
      return undefined;
    }
    return this.complete(this.fields, rest);
  }

  private inTerminalField(): boolean {
    return this.fields.length === (this.duplicateNul ? 3 : 2);
  }

  private complete(fields: Buffer[], rest: Buffer): RloginHandshake {
    const [clientUser, serverUser, terminal] = this.duplicateNul ? fields.slice(1) : fields;
    const terminalField = decodeField(terminal ?? Buffer.alloc(0));
    const slash = terminalField.indexOf('/');
    const speedText = slash >= 0 ? terminalField.slice(slash + 1) : '';
    const result: RloginHandshake = {
      done: true,
      clientUser: decodeField(clientUser ?? Buffer.alloc(0)),
      serverUser: decodeField(serverUser ?? Buffer.alloc(0)),
      terminalType: slash >= 0 ? terminalField.slice(0, slash) : terminalField,
      speed: /^\d{1,9}$/.test(speedText) ? Number(speedText) : undefined,
      terminalField,
      rest,
    };
    this.result = result;
    return result;
  }

  private fail(error: RloginHandshakeErrorCode): RloginHandshakeStep {
    this.result = { done: false, error };
    return this.result;
  }
}

/** `ansi/115200`, `xterm/38400`: a terminal type and a baud rate. */
function looksLikeTerminalField(field: Buffer): boolean {
  return /^[^/]*\/\d+$/.test(field.toString('latin1'));
}

/** Modern clients send UTF-8; BBS terminals send CP437. Bytes that are not UTF-8 are CP437. */
function decodeField(field: Buffer): string {
  return isUtf8(field) ? field.toString('utf8') : decodeBytes(field, 'cp437');
}
