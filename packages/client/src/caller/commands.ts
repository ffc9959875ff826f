/**
 * The command mode's language, parsed without side effects:
 *
 *   open <host> [port]   connect (hanging up the current connection)
 *   close                hang up
 *   send raw [text]      bytes exactly as typed, no telnet processing; \xNN \r \n \t \e \0 \\
 *   log <file> | log off capture what the screen shows to a file (appended)
 *   history [n]          past connections
 *   quit                 leave
 *   help                 this list
 *   (empty line)         back to the session
 */
export type Command =
  | { kind: 'resume' }
  | { kind: 'open'; host: string; port: number }
  | { kind: 'close' }
  | { kind: 'send-raw'; text: string | undefined }
  | { kind: 'log'; file: string | undefined }
  | { kind: 'history'; limit: number }
  | { kind: 'quit' }
  | { kind: 'help' }
  | { kind: 'error'; message: string };

export const HELP = [
  'open <host> [port]   connect to a board (port 23 if not given)',
  'close                hang up',
  'send raw [text]      send bytes with no telnet processing (\\xNN \\r \\n \\t \\e \\0 \\\\)',
  'log <file> | log off capture the session to a file',
  'history [n]          past connections',
  'quit                 leave',
  '(Enter)              back to the session',
];

/** The telnet port (IANA) when `open` names none. */
export const DEFAULT_PORT = 23;
const DEFAULT_HISTORY = 20;

export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}

export function parseCommand(input: string): Command {
  const line = input.trim();
  if (line === '') return { kind: 'resume' };
  const [word = '', ...args] = line.split(/\s+/);
  switch (word.toLowerCase()) {
    case 'open':
    case 'o': {
      const [host, portText] = args;
      if (!host || args.length > 2) return { kind: 'error', message: 'usage: open <host> [port]' };
      const port = portText === undefined ? DEFAULT_PORT : parsePort(portText);
      if (port === undefined) return { kind: 'error', message: `not a port: ${portText}` };
      return { kind: 'open', host, port };
    }
    case 'close':
    case 'c':
      return { kind: 'close' };
    case 'send': {
      if (args[0]?.toLowerCase() !== 'raw') return { kind: 'error', message: 'usage: send raw [text]' };
      // Everything after "send raw " exactly, spaces included.
      const m = /^\s*send\s+raw(?:\s(.*))?$/is.exec(input);
      const text = m?.[1];
      return { kind: 'send-raw', text: text === undefined || text === '' ? undefined : text };
    }
    case 'log':
      if (args.length === 0) return { kind: 'log', file: undefined };
      if (args.length === 1 && args[0]!.toLowerCase() === 'off') return { kind: 'log', file: undefined };
      return { kind: 'log', file: line.slice(line.indexOf(' ') + 1).trim() };
    case 'history':
    case 'h': {
      if (args.length === 0) return { kind: 'history', limit: DEFAULT_HISTORY };
      const n = Number(args[0]);
      if (!Number.isInteger(n) || n < 1) return { kind: 'error', message: 'usage: history [n]' };
      return { kind: 'history', limit: n };
    }
    case 'quit':
    case 'q':
    case 'exit':
      return { kind: 'quit' };
    case 'help':
    case '?':
      return { kind: 'help' };
    default:
      return { kind: 'error', message: `unknown command ${JSON.stringify(word)}; type help` };
  }
}

/**
 * `send raw` text to bytes: escapes give exact bytes (\xff\xf6 is IAC AYT), everything
 * else is encoded with `encode` (the board's charset). Returns an error message for a
 * malformed escape rather than guessing.
 */
export function parseRawText(text: string, encode: (s: string) => Buffer): Buffer | { error: string } {
  const parts: Buffer[] = [];
  let literal = '';
  const flush = () => {
    if (literal) parts.push(encode(literal));
    literal = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '\\') {
      literal += ch;
      continue;
    }
    const next = text[++i];
    const simple: Record<string, number> = { r: 0x0d, n: 0x0a, t: 0x09, e: 0x1b, '0': 0x00, '\\': 0x5c };
    if (next !== undefined && next in simple) {
      flush();
      parts.push(Buffer.from([simple[next]!]));
    } else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      flush();
      parts.push(Buffer.from([parseInt(text.slice(i + 1, i + 3), 16)]));
      i += 2;
    } else {
      return { error: `bad escape \\${next ?? ''} at ${i}: use \\xNN, \\r, \\n, \\t, \\e, \\0 or \\\\` };
    }
  }
  flush();
  return Buffer.concat(parts);
}
