// File names a caller may give an upload: safe on every filesystem the board or a
// caller's machine may use (Windows reserved names, control characters, separators).
import { INVISIBLE_CHAR } from '@carrier/core';

/** Windows device names, with or without an extension ("CON.txt" opens the console too). */
const RESERVED = /^(con|prn|aux|nul|clock\$|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
export const MAX_FILE_NAME_LENGTH = 128;

export type NameProblem = 'empty' | 'too long' | 'path' | 'control' | 'format' | 'reserved' | 'dots' | 'characters';

/** Why `name` is not acceptable as an upload name, or undefined when it is. */
export function fileNameProblem(name: string): NameProblem | undefined {
  if (name.length === 0) return 'empty';
  if (name.length > MAX_FILE_NAME_LENGTH || Buffer.byteLength(name, 'utf8') > 255) return 'too long';
  if (name.includes('/') || name.includes('\\')) return 'path';
  // NUL, C0, DEL and C1 controls: terminals and logs act on them
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'control';
  // Unicode format characters (Cf: bidi overrides and marks, zero-width space and joiners,
  // soft hyphen, BOM), line separators and blank letters: invisible, or they reorder what
  // is shown, so "\u202etxt.exe" lists as "exe.txt" (core's one list of them)
  if (INVISIBLE_CHAR.test(name)) return 'format';
  // A path trick is a name that IS "." or ".." (separators are caught above): dots inside
  // a name ("v1..2.zip", "notes...txt") climb nowhere.
  if (name === '.' || name === '..') return 'dots';
  if (/[<>:"|?*]/.test(name)) return 'characters';
  // Windows drops trailing dots and spaces, so "a.txt." is "a.txt" there
  if (/[. ]$/.test(name) || name.startsWith(' ') || name.startsWith('.') || name.startsWith('-')) return 'characters';
  if (RESERVED.test(name)) return 'reserved';
  return undefined;
}

export function describeNameProblem(p: NameProblem): string {
  switch (p) {
    case 'empty':
      return 'the file has no name';
    case 'too long':
      return `the name is longer than ${MAX_FILE_NAME_LENGTH} characters`;
    case 'path':
      return 'the name has a slash in it';
    case 'control':
      return 'the name has control characters in it';
    case 'format':
      return 'the name has invisible or text-direction characters in it (such as U+202E)';
    case 'reserved':
      return 'the name is a reserved device name (CON, NUL, COM1...)';
    case 'dots':
      return 'the name is "." or ".."';
    case 'characters':
      return 'the name has characters Windows cannot store (< > : " | ? *, a leading dot or dash, a trailing dot or space)';
  }
}

/** The last path component of a name a ZMODEM sender gave (lrzsz may send "dir/file"). */
export function baseName(name: string): string {
  const parts = name.split(/[\\/]/);
  return parts[parts.length - 1] ?? '';
}
