// A screen's title art, shown for a moment before a live screen takes over; any key
// skips it (and is not passed on).
import { TimeoutError } from '@carrier/core';
import type { Session } from '@carrier/engine';

export const TITLE_CARD_MS = 1200;

export async function titleCard(s: Session, art: string): Promise<void> {
  await s.art(art, { fallback: '' });
  try {
    await s.readKey({ timeoutMs: TITLE_CARD_MS });
  } catch (err) {
    if (!(err instanceof TimeoutError)) throw err;
  }
}
