import iconv from 'iconv-lite';

/** What a terminal speaks. CP437 for BBS terminals, UTF-8 for modern ones. */
export type Encoding = 'cp437' | 'utf8';

/** Text inside carrier is Unicode; this turns it into the bytes a terminal expects. */
export function encodeText(text: string, encoding: Encoding): Buffer {
  if (encoding === 'utf8') return Buffer.from(text, 'utf8');
  return iconv.encode(text, 'cp437');
}

export function decodeBytes(bytes: Buffer, encoding: Encoding): string {
  if (encoding === 'utf8') return bytes.toString('utf8');
  return iconv.decode(bytes, 'cp437');
}

/**
 * Terminal types that mean a CP437 BBS terminal, and prefixes that mean a modern
 * UTF-8 one (PROTOCOL-NOTES, "Terminal detection"). Anything else is unknown and
 * is left to LANG or a probe.
 */
const CP437_TYPES = new Set([
  'ansi', 'pcansi', 'pc-ansi', 'ansi-bbs', 'qansi', 'scoansi', 'syncterm', 'cterm', 'netrunner',
  'ansi-256color', 'ansi-256color-rgb', 'ansi-rgb',
]);
const UTF8_PREFIXES = ['xterm', 'linux', 'screen', 'tmux', 'rxvt', 'konsole', 'gnome', 'alacritty', 'kitty', 'foot', 'wezterm', 'st-', 'putty', 'iterm'];

export function encodingForTerminalType(type: string): Encoding | undefined {
  const t = type.toLowerCase();
  if (CP437_TYPES.has(t)) return 'cp437';
  if (UTF8_PREFIXES.some((p) => t === p || t.startsWith(p))) return 'utf8';
  return undefined;
}

/** LANG / LC_ALL / LC_CTYPE such as `en_US.UTF-8` say UTF-8 outright. */
export function encodingFromEnv(env: Readonly<Record<string, string>>): Encoding | undefined {
  for (const key of ['LC_ALL', 'LC_CTYPE', 'LANG']) {
    const v = env[key];
    if (!v) continue;
    if (/utf-?8/i.test(v)) return 'utf8';
    if (/437|cp437|ibm437/i.test(v)) return 'cp437';
  }
  return undefined;
}

/** The name a CHARSET (RFC 2066) answer maps to, if we speak it. */
export function encodingFromCharsetName(name: string): Encoding | undefined {
  const n = name.trim().toUpperCase();
  if (n === 'UTF-8' || n === 'UTF8') return 'utf8';
  if (n === 'CP437' || n === 'IBM437' || n === '437' || n === 'IBM-437') return 'cp437';
  return undefined;
}
