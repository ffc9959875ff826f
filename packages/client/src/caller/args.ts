import type { CharsetMode } from './charset.js';
import { DEFAULT_PORT, parsePort } from './commands.js';

export const TELNET_USAGE = `usage: carrier telnet [--cp437 | --utf8] [--escape ^X] [--trace file] [host [port]]
       carrier telnet --history [n]
  --cp437        the board speaks CP437: translate it to and from this UTF-8 terminal
  --utf8         the board speaks UTF-8: pass bytes through
                 (neither: decided from what the board sends)
  --escape ^X    the key that opens the command prompt (default ^])
  --trace file   append every byte sent and received, telnet commands named, to file
  --history [n]  list the last n connections (default 20) and exit
`;

export type TelnetArgs =
  | { kind: 'history'; limit: number }
  | { kind: 'call'; host: string | undefined; port: number; charset: CharsetMode; escapeByte: number; trace: string | undefined };

/** Ctrl-]: BSD telnet's escape key, which a BBS never needs. */
export const DEFAULT_ESCAPE = 0x1d;

/** `^]` -> 0x1d, `^?` -> DEL; a control key only, so the escape can never be a letter the board needs. */
export function parseEscape(text: string): number | undefined {
  const m = /^\^([@-_a-z?])$/i.exec(text);
  if (!m) return undefined;
  const ch = m[1]!;
  return ch === '?' ? 0x7f : ch.toUpperCase().charCodeAt(0) & 0x1f;
}

export function parseTelnetArgs(argv: readonly string[]): TelnetArgs | { error: string } {
  let charset: CharsetMode = 'auto';
  let escapeByte = DEFAULT_ESCAPE;
  let trace: string | undefined;
  let history: number | undefined;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--cp437' || a === '--utf8') {
      const mode = a === '--cp437' ? 'cp437' : 'utf8';
      if (charset !== 'auto' && charset !== mode) return { error: '--cp437 and --utf8 contradict each other' };
      charset = mode;
    } else if (a === '--escape') {
      const v = argv[++i];
      const b = v === undefined ? undefined : parseEscape(v);
      if (b === undefined) return { error: `--escape needs a control key such as ^] (got ${JSON.stringify(v ?? '')})` };
      escapeByte = b;
    } else if (a === '--trace') {
      trace = argv[++i];
      if (!trace) return { error: '--trace needs a file' };
    } else if (a === '--history') {
      history = 20;
      const next = argv[i + 1];
      if (next !== undefined && /^\d+$/.test(next)) {
        history = Math.max(1, Number(next));
        i++;
      }
    } else if (a.startsWith('-')) {
      return { error: `unknown option ${a}` };
    } else {
      positional.push(a);
    }
  }
  if (history !== undefined) {
    if (positional.length > 0) return { error: '--history takes no host' };
    return { kind: 'history', limit: history };
  }
  if (positional.length > 2) return { error: 'too many arguments' };
  const [host, portText] = positional;
  const port = portText === undefined ? DEFAULT_PORT : parsePort(portText);
  if (port === undefined) return { error: `not a port: ${portText}` };
  return { kind: 'call', host, port, charset, escapeByte, trace };
}
