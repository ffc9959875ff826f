import { isCarrierError, plural } from '@carrier/core';
import type { Session } from '../session-api.js';
import { field } from './text.js';

/** A refused caller may ask again this long after the refusal; sooner is answered without the store. */
const RETRY_AFTER_MS = 10_000;

/**
 * Runs `save`, the store call that refuses with LIMIT_EXCEEDED a caller posting faster
 * than `postsPerMinute` (messages and mail). Refused, the caller keeps what they wrote:
 * they try again once the minute has passed, or drop it. Before, the limit was met only
 * after the editor, and the text was gone. Undefined when they dropped it.
 */
export async function saveOrKeep<T>(s: Session, save: () => Promise<T>, kind: 'message' | 'mail'): Promise<T | undefined> {
  for (;;) {
    let refusedAt: number;
    try {
      return await save();
    } catch (err) {
      if (!isCarrierError(err, 'LIMIT_EXCEEDED')) throw err;
      refusedAt = Date.now();
      s.log.info('messages.rate_limited', { kind });
      s.println(`|12${field(err.message, 200)}|07`);
    }
    for (;;) {
      s.print(`|07Your ${kind} is kept. |15T|07ry again, or |15D|07rop it? `);
      const key = (await s.readKey()).toLowerCase();
      s.println('');
      if (key === 'd' || key === 'q' || key === 'escape') return undefined;
      if (key !== 't' && key !== 'enter') continue;
      const wait = Math.ceil((refusedAt + RETRY_AFTER_MS - Date.now()) / 1000);
      if (wait <= 0) break;
      s.println(`|08Give it ${plural(wait, 'more second', 'more seconds')}.|07`);
    }
  }
}
