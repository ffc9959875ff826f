const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;

/**
 * How Enter goes to the server, as inetutils telnet decides it:
 * - `line`: the server does not echo (no WILL ECHO), so the client edits lines locally,
 *   as for SMTP, POP or any plain line service: Enter is CR LF;
 * - `character`: the server echoes and reads keys one at a time (a BBS): Enter is CR NUL,
 *   the NVT form of a bare CR (RFC 854);
 * - `binary`: our side is in BINARY mode (RFC 856): bytes go as typed.
 */
export type EnterMode = 'line' | 'character' | 'binary';

export function enterMode(opts: { binary: boolean; serverEchoes: boolean }): EnterMode {
  if (opts.binary) return 'binary';
  return opts.serverEchoes ? 'character' : 'line';
}

/** Enter on a local terminal in raw mode is a bare CR; this gives it the form `mode` needs. */
export function nvtEnter(bytes: Buffer, mode: EnterMode): Buffer {
  if (mode === 'binary' || !bytes.includes(CR)) return bytes;
  const after = mode === 'line' ? LF : NUL;
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out.push(b);
    if (b === CR && bytes[i + 1] !== LF) out.push(after);
  }
  return Buffer.from(out);
}

/**
 * What a line-mode server would have had the terminal show: typed text, Enter as a new
 * line, backspace rubbing out. Used when the server does not echo (no WILL ECHO), so the
 * person can see what they type.
 */
export function localEcho(text: string): string {
  return text.replace(/\r\n?|\n/g, '\r\n').replace(/[\x7f\b]/g, '\b \b').replace(/[\x00-\x07\x0b\x0c\x0e-\x1f]/g, '');
}
