const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;

/**
 * Enter on a local terminal in raw mode is a bare CR. Outside BINARY mode the NVT rules
 * (RFC 854) say a CR not followed by LF is sent as CR NUL, which is what inetutils telnet
 * sends; in BINARY mode bytes go as they are.
 */
export function nvtEnter(bytes: Buffer, binary: boolean): Buffer {
  if (binary || !bytes.includes(CR)) return bytes;
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out.push(b);
    if (b === CR && bytes[i + 1] !== LF) out.push(NUL);
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
