import { handleKey, type User } from '@carrier/store';
import type { UserChanged } from '../topics.js';

/**
 * What a caller is told when a sysop changed their account (`user.changed`), one line per
 * change: a new level (the account as read before and after), new flags or a new location
 * (the topic names them only when they changed: a session's account does not carry
 * flags, and the caller's own edit of their location on the settings screen is not the
 * sysop's). Nothing when the sysop made the change from their own session about themselves
 * (`by`): the console already says it.
 */
export function accountNotices(before: User, now: User, change: Omit<UserChanged, 'userId'>): string[] {
  if (change.by !== undefined && handleKey(change.by) === handleKey(now.handle)) return [];
  const lines: string[] = [];
  if (now.level !== before.level) lines.push(`The sysop changed your access level to ${now.level}.`);
  if (typeof change.flags === 'string') lines.push(change.flags === '' ? 'The sysop cleared your flags.' : `The sysop changed your flags to ${change.flags}.`);
  if (change.location !== undefined) lines.push(now.location === null ? 'The sysop cleared your location.' : `The sysop changed your location to ${now.location}.`);
  return lines;
}
