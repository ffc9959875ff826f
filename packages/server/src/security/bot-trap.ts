/**
 * Words no human types at a login prompt. Bots that reach a prompt try shell and router
 * commands as if the board were a busybox or a Cisco box (PROTOCOL-NOTES: root, sh,
 * shell, enable, system, admin, busybox, `cat /proc/cpuinfo`).
 */
export const DEFAULT_TRAP_WORDS: readonly string[] = [
  'root', 'admin', 'sh', 'shell', 'enable', 'system', 'busybox', 'cat', 'wget', 'curl', 'chmod',
];

/** Separators a shell would split a command on; bots paste whole command lines. */
const WORD_BREAK = /[\s;|&`$()<>'"]+/;
/** Nothing longer can be a word on the list; a 1 KiB "name" is cut before any work. */
const MAX_NAME_SCAN = 256;

/** What makes the rest of a line a command's arguments rather than a surname. */
const SHELLISH = /[/;|&`$()<>'"=\\*~-]/;

/**
 * Matches a typed login name against the list, case-insensitively, after stripping
 * control characters. It springs when the name is a trap word alone, a trap word given as
 * a path (`/bin/busybox`), or a trap word followed by what a shell would take for
 * arguments (`cat /proc/cpuinfo`, `sh;echo`, `wget http://…`). A person's name that
 * merely begins with one (`Cat Stevens`, `Enable Jones`) is left alone.
 */
export class BotTrap {
  private readonly words: Set<string>;

  constructor(words: readonly string[]) {
    this.words = new Set(words.map((w) => w.trim().toLowerCase()).filter((w) => w !== ''));
  }

  get size(): number {
    return this.words.size;
  }

  /** The trap word that `name` is, or undefined. */
  match(name: string): string | undefined {
    if (this.words.size === 0) return undefined;
    const clean = name.slice(0, MAX_NAME_SCAN).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim();
    const breakAt = clean.search(WORD_BREAK);
    const first = breakAt === -1 ? clean : clean.slice(0, breakAt);
    if (first === '') return undefined;
    const asPath = first.includes('/');
    const word = (first.split('/').pop() ?? '').toLowerCase();
    if (!this.words.has(word)) return undefined;
    const rest = breakAt === -1 ? '' : clean.slice(breakAt);
    const separator = breakAt === -1 ? '' : (/^[^\s]/.test(rest) ? rest[0]! : '');
    if (rest.trim() === '' || asPath || separator !== '' || SHELLISH.test(rest)) return word;
    return undefined;
  }
}
