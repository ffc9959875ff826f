// Telnet-level moves the battery's attackers share: find what negotiation made of a
// connection, type at `login:` and see the echo, and answer TTYPE with chosen values.
import assert from 'node:assert/strict';
import { Attacker } from './attacker.js';
import type { Battery, LogLine } from './battery.js';
import { bytes, cmd, IAC, Opt, SB, SE, TTYPE_IS, TTYPE_SEND, WILL, DO } from './telnet-bytes.js';

export async function telnetAttacker(battery: Battery, from = battery.attacker()): Promise<Attacker> {
  return Attacker.connect(battery.ports.telnet!, from);
}

/** The `telnet.negotiated` line for a connection from `remote`: type, size, encoding, how it settled. */
export function negotiated(battery: Battery, remote: string, timeoutMs = 5000): Promise<LogLine> {
  return battery.waitForLog((l) => l['event'] === 'telnet.negotiated' && l['remote'] === remote, timeoutMs);
}

/** Wait for `login:`, type `keys` (which may hold protocol bytes), and expect `echo` back. */
export async function typeAtLogin(a: Attacker, keys: Buffer | string, echo: string, timeoutMs = 8000): Promise<void> {
  await a.waitFor('login:', timeoutMs);
  const from = a.received.length;
  a.write(keys);
  await a.waitFor(echo, timeoutMs, from);
}

/**
 * Answer DO TTYPE with WILL, and the n-th SEND with `answers[n]` (the last one repeated
 * once they run out, as RFC 1091 clients do). Returns how many SENDs the server asked.
 */
export function answerTtype(a: Attacker, answers: readonly Buffer[]): () => number {
  const doTtype = cmd(DO, Opt.TTYPE);
  const send = bytes(IAC, SB, Opt.TTYPE, TTYPE_SEND, IAC, SE);
  let willSent = false;
  let answered = 0;
  const sends = (): number => {
    let n = 0;
    for (let at = a.received.indexOf(send); at >= 0; at = a.received.indexOf(send, at + send.length)) n++;
    return n;
  };
  const onData = (): void => {
    if (!willSent && a.received.indexOf(doTtype) >= 0) {
      willSent = true;
      a.write(cmd(WILL, Opt.TTYPE));
    }
    for (const asked = sends(); answered < asked; answered++) {
      const name = answers[Math.min(answered, answers.length - 1)] ?? Buffer.alloc(0);
      const escaped = Buffer.from([...name].flatMap((b) => (b === IAC ? [IAC, IAC] : [b])));
      a.write(bytes(IAC, SB, Opt.TTYPE, TTYPE_IS, escaped, IAC, SE));
    }
  };
  a.socket.on('data', onData);
  onData();
  return sends;
}

/** Log fields a sysop's terminal would show: none may carry a control character. */
export function assertNoControlsIn(lines: readonly LogLine[]): void {
  for (const line of lines) {
    for (const [key, value] of Object.entries(line)) {
      if (typeof value === 'string') assert.doesNotMatch(value, /[\x00-\x1f\x7f]/, `log ${String(line['event'])}.${key} carries a control character`);
    }
  }
}
