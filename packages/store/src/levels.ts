/**
 * Security levels, in the tradition of WWIV and Synchronet: a single number per user,
 * compared with `>=`, so a menu entry or script can say "needs 20" and everyone at or
 * above it passes. The gaps between the named levels are deliberate: a sysop can add a
 * tier (say 30 for validated callers with file access) without renumbering anyone.
 */
export const LEVELS = {
  /** Just signed up and not yet validated by a sysop: may read, may not post. */
  newUser: 10,
  /** A validated caller: the whole board except sysop tools. */
  user: 20,
  /** Trusted helper: moderates chat and users below this level. */
  cosysop: 80,
  /** Runs the board. */
  sysop: 90,
} as const;

export type LevelName = keyof typeof LEVELS;

/** 0 is a locked-out account; 100 leaves headroom above sysop for the board owner. */
export const MIN_LEVEL = 0;
export const MAX_LEVEL = 100;

export function isValidLevel(level: number): boolean {
  return Number.isInteger(level) && level >= MIN_LEVEL && level <= MAX_LEVEL;
}
