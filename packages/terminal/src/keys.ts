/**
 * Typed text -> keys. Terminals disagree on what a key sends, so the decoder
 * accepts every common dialect at once:
 *
 *   VT100/xterm   ESC [ A..D, ESC O A..D, ESC [ 1..8 ~, ESC [ 11..24 ~, ESC O P..S,
 *                 modifiers as ESC [ 1 ; m A and ESC [ n ; m ~ (m = 1 + shift 1, alt 2,
 *                 ctrl 4, meta 8, meta reported as alt)
 *   ANSI-BBS      ESC [ H home, ESC [ K end, ESC [ @ insert, ESC [ V / ESC [ U
 *   (SyncTERM)    page up / page down
 *   linux console ESC [ [ A..E = F1..F5
 *
 * Choices, written down because callers depend on them:
 * - Control letters are `{ name: 'char', ctrl: true, ch: 'a' }` (ch lowercased),
 *   except the ones a terminal cannot tell from a named key: ^H is 'backspace',
 *   ^I 'tab', ^M and ^J 'enter', ^[ the start of an escape. ^\ ^] ^^ ^_ give
 *   ch '\\' ']' '^' '_'. NUL (telnet padding, NUL floods) is dropped.
 * - DEL 0x7F is 'backspace' by default: xterm, PuTTY, the linux console and ssh
 *   clients send it for the Backspace key. SyncTERM sends it for Delete (and 0x08
 *   for Backspace); a caller that knows it has SyncTERM passes `{ del: 'delete' }`.
 * - ESC followed by any other character is that key with `alt: true` (xterm's
 *   metaSendsEscape). A bare ESC stays pending until more text arrives or the caller
 *   calls flush(), which it should do ~50-100 ms after `pendingEscape` turns true.
 * - A slow link can split ESC from the rest of an arrow key by more than that. When the
 *   caller hands flush() and push() its clock, text that arrives within LATE_SEQUENCE_MS
 *   of a lone ESC being decided and begins with `[` or `O` is first read as that ESC's
 *   sequence: a known key comes out with `late: true` (raw with its ESC), anything else
 *   as the characters typed. A reader that acts on Escape in a way a late arrow would
 *   regret (leaving a screen) waits that long for a `late` key before it acts.
 * - `ESC [ row ; col R` is always `{ name: 'cpr' }`, even though xterm also sends it
 *   for a modified F3: only a probe asks for positions, and it decides.
 * - Enter is '\r'; a lone '\n' is also Enter, and a '\n' right after '\r' is swallowed.
 * - Unknown or malformed sequences (terminal replies, mouse reports, keys of other
 *   dialects) are consumed and dropped, never returned as text. A sequence is held to
 *   at most MAX_SEQUENCE characters; a control character or a non-ASCII character
 *   ends it early and is decoded as itself, so a stray ESC [ cannot swallow Enter.
 */

export type FunctionKeyName =
  | 'f1' | 'f2' | 'f3' | 'f4' | 'f5' | 'f6' | 'f7' | 'f8' | 'f9' | 'f10' | 'f11' | 'f12';

export type KeyName =
  | 'char' | 'enter' | 'backspace' | 'tab' | 'escape'
  | 'up' | 'down' | 'left' | 'right'
  | 'home' | 'end' | 'pageup' | 'pagedown' | 'insert' | 'delete'
  | FunctionKeyName;

export interface NamedKey {
  name: KeyName;
  /** the character, for name 'char' */
  ch?: string;
  ctrl?: boolean;
  shift?: boolean;
  alt?: boolean;
  /** the characters this key was decoded from */
  raw: string;
  /**
   * The rest of a sequence that arrived after its ESC had already been decided as the
   * Escape key (a slow link split them): the Escape before this key was part of it.
   */
  late?: boolean;
  /**
   * Typed by a paste, not by hand: it reached the board with other keys at once (the
   * engine's KeyInput says so). An editor keeps what it had before a paste began, so that
   * Ctrl-C stopping the paste takes what the paste typed and no more.
   */
  pasted?: boolean;
}

/** A cursor position report (reply to `ESC[6n`), 1-based. */
export interface CprKey {
  name: 'cpr';
  row: number;
  col: number;
  raw: string;
}

export type Key = NamedKey | CprKey;

export interface KeyDecoderOptions {
  /** What DEL (0x7F) means: 'backspace' (default) or 'delete' (SyncTERM). */
  del?: 'backspace' | 'delete';
}

/**
 * Longest escape sequence kept. Real keys are at most 7 characters (ESC [ 2 4 ; 8 ~);
 * terminal replies (DA, CTerm's ESC[=67;84;101;114;109;1.2c) fit in 32. Anything longer
 * is hostile or broken and is discarded without growing a buffer.
 */
export const MAX_SEQUENCE = 32;

/**
 * How long after a lone ESC was decided (flush) the rest of its sequence is still taken
 * as that key rather than typed text. Links that split ESC from `[A` by over 150 ms
 * (satellite hops, a congested mobile link) exist; a human typing `[` or `O` as the very
 * next key within half a second of Escape is rare, and then gets the characters unless
 * they make exactly a key's sequence.
 */
export const LATE_SEQUENCE_MS = 500;

const ESC = '\x1b';

type State = 'ground' | 'esc' | 'csi' | 'ss3' | 'linux' | 'mouse';

/** ESC [ n ~ */
const TILDE_KEYS: Readonly<Record<number, KeyName>> = {
  1: 'home', 2: 'insert', 3: 'delete', 4: 'end', 5: 'pageup', 6: 'pagedown',
  7: 'home', 8: 'end', // rxvt
  11: 'f1', 12: 'f2', 13: 'f3', 14: 'f4', 15: 'f5',
  17: 'f6', 18: 'f7', 19: 'f8', 20: 'f9', 21: 'f10', 23: 'f11', 24: 'f12',
};

/** ESC [ X and ESC O X */
const LETTER_KEYS: Readonly<Record<string, KeyName>> = {
  A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end',
  P: 'f1', Q: 'f2', R: 'f3', S: 'f4',
};

/** CSI only: ANSI-BBS (SyncTERM, NetRunner) keys and back-tab. */
const CSI_ONLY_KEYS: Readonly<Record<string, KeyName>> = {
  K: 'end', '@': 'insert', V: 'pageup', U: 'pagedown', Z: 'tab',
};

/** ESC O X in keypad application mode: the keypad's characters. */
const SS3_KEYPAD: Readonly<Record<string, string>> = {
  j: '*', k: '+', l: ',', m: '-', n: '.', o: '/',
  p: '0', q: '1', r: '2', s: '3', t: '4', u: '5', v: '6', w: '7', x: '8', y: '9', X: '=',
};

/** ESC [ [ X: the linux console's F1-F5. */
const LINUX_KEYS: Readonly<Record<string, KeyName>> = { A: 'f1', B: 'f2', C: 'f3', D: 'f4', E: 'f5' };

/** An X10 mouse report is ESC [ M and three raw characters. */
const X10_MOUSE_BYTES = 3;

export class KeyDecoder {
  private readonly delKey: 'backspace' | 'delete';
  private state: State = 'ground';
  private seq = '';
  private overflow = false;
  private mouseLeft = 0;
  private afterCr = false;
  /** when (the caller's clock) a lone ESC was last decided by flush(); cleared by the next push */
  private escapeDecidedAt: number | undefined;
  /** the sequence being read is a late one (its ESC was decided already) */
  private late = false;

  constructor(opts: KeyDecoderOptions = {}) {
    this.delKey = opts.del ?? 'backspace';
  }

  /** True while an escape sequence has started and not finished: time it, then flush(). */
  get pendingEscape(): boolean {
    return this.state !== 'ground';
  }

  /**
   * Characters held for the unfinished sequence. Read-only, for tests and fuzzing to
   * check the bound (never above MAX_SEQUENCE, however long the sequence runs).
   */
  get pendingLength(): number {
    return this.seq.length;
  }

  /**
   * Keys in `text`. With `now` (the same clock as flush's), text within LATE_SEQUENCE_MS
   * of a lone ESC decided by flush() that begins with `[` or `O` is read as its rest.
   */
  push(text: string, now?: number): Key[] {
    const out: Key[] = [];
    const decided = this.escapeDecidedAt;
    this.escapeDecidedAt = undefined;
    if (decided !== undefined && now !== undefined && now - decided <= LATE_SEQUENCE_MS && this.state === 'ground' && (text[0] === '[' || text[0] === 'O')) {
      this.state = 'esc';
      this.seq = ESC;
      this.late = true;
    }
    for (const ch of text) this.step(ch, out);
    return out;
  }

  /**
   * The caller's ESC timer ran out: a bare ESC is the Escape key, ESC [ and ESC O
   * alone are alt-[ and alt-O, and any longer unfinished sequence is dropped.
   */
  flush(now?: number): Key[] {
    const out: Key[] = [];
    if (this.late) {
      // A late sequence never finished: what came after the ESC was typed.
      this.typed(this.seq.slice(1), out);
      this.reset();
      return out;
    }
    if (this.state === 'esc') {
      out.push({ name: 'escape', raw: ESC });
      if (now !== undefined) this.escapeDecidedAt = now;
    } else if (this.state === 'csi' && this.seq === ESC + '[') out.push({ name: 'char', ch: '[', alt: true, raw: this.seq });
    else if (this.state === 'ss3' && this.seq === ESC + 'O') out.push({ name: 'char', ch: 'O', alt: true, raw: this.seq });
    this.reset();
    return out;
  }

  private reset(): void {
    this.state = 'ground';
    this.seq = '';
    this.overflow = false;
    this.mouseLeft = 0;
    this.late = false;
  }

  /** Characters of a late sequence that turned out not to be a key: typed text after all. */
  private typed(chars: string, out: Key[]): void {
    for (const ch of chars) {
      const key = this.plainKey(ch);
      if (key) out.push(key);
    }
  }

  private step(ch: string, out: Key[]): void {
    const wasCr = this.afterCr;
    this.afterCr = false;
    switch (this.state) {
      case 'ground':
        return this.ground(ch, wasCr, out);
      case 'esc':
        return this.escape(ch, out);
      case 'csi':
        return this.csi(ch, out);
      case 'ss3':
        return this.ss3(ch, out);
      case 'linux':
        return this.linux(ch, out);
      case 'mouse':
        return this.mouse(ch, out);
    }
  }

  private ground(ch: string, wasCr: boolean, out: Key[]): void {
    if (ch === ESC) {
      this.state = 'esc';
      this.seq = ch;
      return;
    }
    if (ch === '\n' && wasCr) return;
    if (ch === '\r') this.afterCr = true;
    const key = this.plainKey(ch);
    if (key) out.push(key);
  }

  private escape(ch: string, out: Key[]): void {
    if (ch === '[') {
      this.state = 'csi';
      this.seq += ch;
      return;
    }
    if (ch === 'O') {
      this.state = 'ss3';
      this.seq += ch;
      return;
    }
    if (ch === ESC) {
      // ESC ESC: the first one was the Escape key; the second may start a sequence.
      out.push({ name: 'escape', raw: ESC });
      return;
    }
    this.reset();
    const key = this.plainKey(ch);
    out.push(key ? { ...key, alt: true, raw: ESC + ch } : { name: 'escape', raw: ESC });
  }

  private csi(ch: string, out: Key[]): void {
    const c = ch.length === 1 ? ch.charCodeAt(0) : 0;
    if (this.seq.length === 2 && ch === '[') {
      this.state = 'linux';
      this.seq += ch;
      return;
    }
    const params = this.seq.slice(2);
    // rxvt ends shifted keys with '$' (an intermediate byte in ECMA-48): ESC [ 3 $.
    if (ch === '$' && /^\d+$/.test(params) && !this.overflow) {
      const key = this.tildeKey(params, '$');
      this.finish(key, ch, out);
      return;
    }
    if (c >= 0x20 && c <= 0x3f) {
      this.append(ch);
      return;
    }
    if (c >= 0x40 && c <= 0x7e) {
      // (Not after a late ESC: `[M` then is more likely typed than a mouse report.)
      if (ch === 'M' && params === '' && !this.late) {
        this.state = 'mouse';
        this.mouseLeft = X10_MOUSE_BYTES;
        return;
      }
      this.finish(this.overflow ? null : this.csiKey(params, ch), ch, out);
      return;
    }
    this.abort(ch, out);
  }

  private ss3(ch: string, out: Key[]): void {
    const c = ch.length === 1 ? ch.charCodeAt(0) : 0;
    if ((c >= 0x30 && c <= 0x39) || ch === ';') {
      this.append(ch);
      return;
    }
    if (c >= 0x40 && c <= 0x7e) {
      this.finish(this.overflow ? null : this.ss3Key(this.seq.slice(2), ch), ch, out);
      return;
    }
    this.abort(ch, out);
  }

  private linux(ch: string, out: Key[]): void {
    const c = ch.length === 1 ? ch.charCodeAt(0) : 0;
    if (c < 0x20 || c > 0x7e) return this.abort(ch, out);
    const name = LINUX_KEYS[ch];
    this.finish(name ? { name, raw: '' } : null, ch, out);
  }

  private mouse(ch: string, out: Key[]): void {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f) return this.abort(ch, out);
    if (--this.mouseLeft === 0) this.reset();
  }

  private append(ch: string): void {
    if (this.seq.length < MAX_SEQUENCE) this.seq += ch;
    else this.overflow = true;
  }

  private finish(key: Key | null, last: string, out: Key[]): void {
    const raw = this.seq + last;
    const late = this.late;
    this.reset();
    if (late) {
      // A cursor report split by the link is still the terminal's, never typed.
      if (key) out.push(key.name === 'cpr' ? { ...key, raw } : { ...key, raw, late: true });
      else this.typed(raw.slice(1), out);
      return;
    }
    if (key) out.push({ ...key, raw });
  }

  /** A character that cannot be part of the sequence: drop the sequence, keep the character. */
  private abort(ch: string, out: Key[]): void {
    if (this.late) this.typed(this.seq.slice(1), out);
    this.reset();
    this.step(ch, out);
  }

  private plainKey(ch: string): NamedKey | null {
    const c = ch.codePointAt(0)!;
    switch (c) {
      case 0x00:
        return null;
      case 0x0d:
      case 0x0a:
        return { name: 'enter', raw: ch };
      case 0x09:
        return { name: 'tab', raw: ch };
      case 0x08:
        return { name: 'backspace', raw: ch };
      case 0x7f:
        return { name: this.delKey, raw: ch };
    }
    if (c < 0x1b) return { name: 'char', ch: String.fromCharCode(c + 0x60), ctrl: true, raw: ch };
    if (c < 0x20) return { name: 'char', ch: String.fromCharCode(c + 0x40), ctrl: true, raw: ch };
    // C1 controls (U+0080-U+009F) are never typed text; 8-bit CSI is not supported.
    if (c >= 0x80 && c <= 0x9f) return null;
    return { name: 'char', ch, raw: ch };
  }

  private csiKey(params: string, final: string): Key | null {
    if (final === '~') return this.tildeKey(params, final);
    if (final === '^' || final === '@') {
      // rxvt: ESC [ n ^ is ctrl + key n; ESC [ @ alone is ANSI-BBS Insert.
      if (final === '@' && params === '') return { name: 'insert', raw: '' };
      return /^\d+$/.test(params) ? this.tildeKey(params, final) : null;
    }
    if (final === 'R') {
      const m = /^(\d{1,5});(\d{1,5})$/.exec(params);
      if (m) return { name: 'cpr', row: Number(m[1]), col: Number(m[2]), raw: '' };
    }
    const name = LETTER_KEYS[final] ?? CSI_ONLY_KEYS[final];
    if (!name) return null;
    const mods = parseModifiers(params);
    if (!mods) return null;
    if (final === 'Z') return { name, ...mods, shift: true, raw: '' };
    return { name, ...mods, raw: '' };
  }

  private tildeKey(params: string, final: string): NamedKey | null {
    const m = /^(\d{1,3})(?:;(\d{1,3}))?$/.exec(params);
    if (!m) return null;
    const name = TILDE_KEYS[Number(m[1])];
    if (!name) return null;
    const mods = m[2] !== undefined ? modifierFlags(Number(m[2])) : {};
    if (final === '^') return { name, ...mods, ctrl: true, raw: '' };
    if (final === '$') return { name, ...mods, shift: true, raw: '' };
    if (final === '@') return { name, ...mods, ctrl: true, shift: true, raw: '' };
    return { name, ...mods, raw: '' };
  }

  private ss3Key(params: string, final: string): NamedKey | null {
    const keypad = SS3_KEYPAD[final];
    if (keypad !== undefined) return { name: 'char', ch: keypad, raw: '' };
    if (final === 'M') return { name: 'enter', raw: '' };
    const name = LETTER_KEYS[final];
    if (!name) return null;
    // Old xterms put the modifier straight after SS3: ESC O 5 A.
    const m = /^(?:1;)?(\d{1,3})$/.exec(params);
    const mods = params === '' ? {} : m ? modifierFlags(Number(m[1])) : null;
    return mods ? { name, ...mods, raw: '' } : null;
  }
}

type Modifiers = Pick<NamedKey, 'ctrl' | 'shift' | 'alt'>;

/** '' or '1' or '1;m' (xterm's PC-style function keys). */
function parseModifiers(params: string): Modifiers | null {
  if (params === '' || params === '1') return {};
  const m = /^1?;(\d{1,3})$/.exec(params);
  return m ? modifierFlags(Number(m[1])) : null;
}

/** xterm: the parameter is 1 + a bit set of shift 1, alt 2, ctrl 4, meta 8. */
function modifierFlags(param: number): Modifiers {
  const bits = Math.max(0, param - 1);
  const mods: Modifiers = {};
  if (bits & 1) mods.shift = true;
  if (bits & (2 | 8)) mods.alt = true;
  if (bits & 4) mods.ctrl = true;
  return mods;
}
