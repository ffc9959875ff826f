import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { inodeSync } from '../data-dir-lock.js';

/**
 * A claim older than this was left by a node that died holding it: a takeover holds its
 * claim for a few system calls, so only a kill -9 at that moment leaves one behind.
 */
const CLAIM_STALE_MS = 10_000;

/** The inode at `path`, or undefined when nothing is there. */
export function inodeAt(path: string): number | undefined {
  try {
    return inodeSync(path);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * A name beside `path` for a socket bound before it takes `path`'s place (a rename within
 * one directory is atomic). Never longer than `control.sock`, so it fits wherever that fits
 * (a Unix socket's path is at most 107 bytes).
 */
export function placeholderBeside(path: string): string {
  return join(dirname(path), `.${basename(path).slice(0, 3)}-${randomBytes(3).toString('hex')}`);
}

/**
 * Put the socket listening at `fresh` in place of the dead socket `deadIno` at `path`;
 * false when another node got there first (`fresh` is left as it was).
 *
 * Several nodes of a board find one dead socket at once (each held a connection to it,
 * which closed when its process died). Unlink-then-bind would let a slow node unlink the
 * socket a quicker one had just bound there. Instead only the holder of the claim
 * `<path>.claim-<inode>` (a file created with O_EXCL: one node gets it) replaces that
 * inode, and only while `path` still names it; the replacement is one rename, so `path`
 * never goes missing on the way. A socket that still listens is never replaced: nobody
 * judged it dead, and a server removes its own name before it stops listening.
 */
export function replaceDeadSocket(path: string, deadIno: number, fresh: string): boolean {
  const claim = `${path}.claim-${deadIno}`;
  if (!takeClaim(claim)) return false;
  try {
    const now = inodeAt(path);
    if (now === undefined) {
      // Removed by hand (or by a board from before takeovers): create-if-absent, as a bind.
      try {
        linkSync(fresh, path);
      } catch (err) {
        if (errCode(err) === 'EEXIST') return false;
        throw err;
      }
      unlinkSync(fresh);
      return true;
    }
    if (now !== deadIno) return false;
    renameSync(fresh, path);
    return true;
  } finally {
    removeIfThere(claim);
  }
}

function takeClaim(claim: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      closeSync(openSync(claim, 'wx', 0o600));
      return true;
    } catch (err) {
      if (errCode(err) !== 'EEXIST') throw err;
    }
    let age: number;
    try {
      age = Date.now() - statSync(claim).mtimeMs;
    } catch (err) {
      if (errCode(err) === 'ENOENT') continue; // its holder just finished: try again
      throw err;
    }
    if (age < CLAIM_STALE_MS) return false;
    removeIfThere(claim);
  }
  return false;
}

function removeIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if (errCode(err) !== 'ENOENT') throw err;
  }
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
