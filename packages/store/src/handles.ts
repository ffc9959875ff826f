import { isCommonPassword } from './common-passwords.js';

/**
 * What a caller may choose when signing up. Every check returns a reason a caller can
 * read, because these answers are shown on the sign-up screen.
 */
export type Validation<T> = { ok: true; value: T } | { ok: false; reason: string };
export type HandleValidation = { ok: true; handle: string } | { ok: false; reason: string };

export const HANDLE_RULES = {
  minLength: 2,
  /** 20 fits the fixed-width columns of who's-online and last-callers screens on 80 cols. */
  maxLength: 20,
} as const;

/**
 * ASCII only, on purpose: the handle's lowercase key must be identical in JS, SQLite and
 * PostgreSQL (Unicode case folding is locale-sensitive: Turkish dotless i, German ß);
 * it must render on CP437 terminals; and look-alike letters (Cyrillic а for Latin a)
 * would let one caller impersonate another.
 */
const HANDLE_SHAPE = /^[A-Za-z][A-Za-z0-9 _.-]*$/;

/**
 * Names a caller could use to pass as the board itself or as staff, and the words menus
 * and mail use as keywords ("send to ALL", "NEW user"). Compared with separators removed,
 * so "Sys_Op" and "A.D.M.I.N" are refused too.
 */
const RESERVED_HANDLES: ReadonlySet<string> = new Set([
  'new', 'all', 'everyone', 'everybody', 'sysop', 'cosysop', 'sysadmin', 'root', 'admin',
  'administrator', 'system', 'guest', 'anonymous', 'nobody', 'carrier', 'info', 'operator',
  'postmaster', 'webmaster', 'hostmaster', 'abuse', 'support', 'moderator', 'staff', 'bbs',
  'shell', 'sh', 'enable', 'daemon', 'server', 'unknown',
]);

/** Staff words refused as any one word of a handle ("The Sysop", "Mr Admin"). */
const STAFF_WORDS: ReadonlySet<string> = new Set([
  'sysop', 'cosysop', 'sysadmin', 'root', 'admin', 'administrator', 'operator', 'moderator', 'staff',
]);

/**
 * Letters and digits that read as one another in the fonts callers use (after lower-casing):
 * the ASCII rows of Unicode TR39's confusables table that a handle can contain. Applied
 * after `rn` -> `m` and `vv` -> `w`, TR39's two-letter look-alikes.
 */
const CONFUSABLE: Readonly<Record<string, string>> = { '0': 'o', '1': 'l', i: 'l', '|': 'l', '5': 's', '8': 'b' };

/**
 * The look-alike key of a handle (TR39's "skeleton", restricted to the ASCII a handle may
 * hold): separators removed, case folded, confusable letters mapped to one representative.
 * Two handles with one skeleton are one name to a reader: `aIice` and `alice`,
 * `rt.sysop` and `rtsysop`, `Sys0p` and `sysop`.
 */
export function handleSkeleton(handle: string): string {
  const folded = handle.trim().toLowerCase().replace(/[ _.-]/g, '').replace(/rn/g, 'm').replace(/vv/g, 'w');
  let out = '';
  for (const ch of folded) out += CONFUSABLE[ch] ?? ch;
  return out;
}

export interface HandleOptions {
  /**
   * A reserved name that is allowed anyway: the board's own sysop handle (`board.sysop`),
   * when the sysop creates that account from the shell.
   */
  allowReserved?: string;
}

const RESERVED_SKELETONS: ReadonlySet<string> = new Set([...RESERVED_HANDLES].map(handleSkeleton));
const STAFF_SKELETONS: ReadonlySet<string> = new Set([...STAFF_WORDS].map(handleSkeleton));

export function validateHandle(input: string, opts: HandleOptions = {}): HandleValidation {
  const handle = input.trim();
  const { minLength, maxLength } = HANDLE_RULES;
  if (handle.length < minLength) return { ok: false, reason: `A handle needs at least ${minLength} characters.` };
  if (handle.length > maxLength) return { ok: false, reason: `A handle can have at most ${maxLength} characters.` };
  if (!/^[A-Za-z]/.test(handle)) return { ok: false, reason: 'A handle starts with a letter.' };
  if (!HANDLE_SHAPE.test(handle)) {
    return { ok: false, reason: 'A handle uses only letters, digits, spaces and _ - .' };
  }
  if (handle.includes('  ')) return { ok: false, reason: 'A handle cannot have two spaces in a row.' };
  const skeleton = handleSkeleton(handle);
  const allowed = opts.allowReserved !== undefined && handleSkeleton(opts.allowReserved) === skeleton;
  if (!allowed) {
    const words = handle.toLowerCase().split(/[ _.-]+/).map(handleSkeleton);
    if (RESERVED_SKELETONS.has(skeleton) || words.some((w) => STAFF_SKELETONS.has(w))) {
      return { ok: false, reason: 'That handle is reserved.' };
    }
  }
  return { ok: true, handle };
}

/** The form used for uniqueness and look-ups: "Bob Smith" and "BOB SMITH" are one caller. */
export function handleKey(handle: string): string {
  return handle.trim().toLowerCase();
}

export const PASSWORD_RULES = {
  minLength: 6,
  /** Generous for passphrases; bounds the work one login attempt can ask scrypt to do. */
  maxLength: 128,
} as const;

/**
 * Lengths count code points, so a passphrase in any script gets the same allowance.
 * The handle, when given, is refused as a password: it is the first guess an attacker makes.
 */
export function validatePassword(password: string, handle?: string): Validation<string> {
  const length = [...password].length;
  const { minLength, maxLength } = PASSWORD_RULES;
  if (length < minLength) return { ok: false, reason: `A password needs at least ${minLength} characters.` };
  if (length > maxLength) return { ok: false, reason: `A password can have at most ${maxLength} characters.` };
  if (isCommonPassword(password)) return { ok: false, reason: 'That password is too common; pick another.' };
  if (handle !== undefined && password.toLowerCase() === handle.trim().toLowerCase()) {
    return { ok: false, reason: 'A password cannot be the handle.' };
  }
  return { ok: true, value: password };
}

export const LOCATION_RULES = {
  /** Fits the "from" column of the last-callers screen. */
  maxLength: 40,
} as const;

/**
 * A free-text "where are you calling from". Control characters are refused: this string
 * is shown on other callers' screens, where an escape sequence would be an attack.
 */
export function validateLocation(input: string): Validation<string> {
  const location = input.trim();
  if ([...location].length > LOCATION_RULES.maxLength) {
    return { ok: false, reason: `A location can have at most ${LOCATION_RULES.maxLength} characters.` };
  }
  // C0, DEL and C1 controls, line/paragraph separators, bidi overrides (which reorder
  // the rest of someone else's screen line) and lone surrogates (not text at all).
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/u.test(location)) {
    return { ok: false, reason: 'A location cannot contain control characters.' };
  }
  return { ok: true, value: location };
}
