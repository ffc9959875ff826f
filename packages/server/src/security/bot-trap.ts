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

/**
 * Matches the first word of a typed login name against the list, case-insensitively,
 * after stripping control characters and any path (`/bin/busybox` is `busybox`).
 */
export class BotTrap {
  private readonly words: Set<string>;

  constructor(words: readonly string[]) {
    this.words = new Set(words.map((w) => w.trim().toLowerCase()).filter((w) => w !== ''));
  }

  get size(): number {
    return this.words.size;
  }

  /** The trap word `name` starts with, or undefined. */
  match(name: string): string | undefined {
    if (this.words.size === 0) return undefined;
    const clean = name.slice(0, MAX_NAME_SCAN).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim();
    const first = clean.split(WORD_BREAK).find((w) => w !== '');
    if (first === undefined) return undefined;
    const word = (first.split('/').pop() ?? '').toLowerCase();
    return this.words.has(word) ? word : undefined;
  }
}
