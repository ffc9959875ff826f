// What a SyncTERM-like caller answers, for the benchmarks' raw-socket callers (kept
// deliberately tiny so a bench measures the server, not a client library): WILL TTYPE
// (`syncterm`) and NAWS (80x25), DO ECHO/SGA/BINARY, refuse the rest, and answer every
// cursor-position probe with 25;80.
import type net from 'node:net';

const IAC = 0xff, SB = 0xfa, SE = 0xf0, WILL = 0xfb, WONT = 0xfc, DO = 0xfd, DONT = 0xfe;
const TTYPE = 24, NAWS = 31;

/** Reply to whatever in `d` asks a question; returns `d` as latin1 text. */
export function answerLikeSyncterm(socket: net.Socket, d: Buffer): string {
  const out: number[] = [];
  for (let i = 0; i < d.length; i++) {
    if (d[i] !== IAC) continue;
    const cmd = d[i + 1], opt = d[i + 2];
    if (cmd === DO) out.push(IAC, opt === TTYPE || opt === NAWS ? WILL : WONT, opt!);
    if (cmd === DO && opt === NAWS) out.push(IAC, SB, NAWS, 0, 80, 0, 25, IAC, SE);
    if (cmd === WILL) out.push(IAC, opt === 1 || opt === 3 || opt === 0 ? DO : DONT, opt!);
    if (cmd === SB && opt === TTYPE) out.push(IAC, SB, TTYPE, 0, ...Buffer.from('syncterm'), IAC, SE);
  }
  if (out.length) socket.write(Buffer.from(out));
  const text = d.toString('latin1');
  for (let k = text.split('\x1b[6n').length - 1; k > 0; k--) socket.write('\x1b[25;80R');
  return text;
}
