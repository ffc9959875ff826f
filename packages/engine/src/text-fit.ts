import { displayWidth, fitWidth } from '@carrier/terminal';

/**
 * Cut `text` to at most `width` terminal columns (terminal's fitWidth: charWidth per
 * character, so a wide character that would straddle the edge is dropped whole rather
 * than split). The name scripts know it by.
 */
export function clipToWidth(text: string, width: number): string {
  return fitWidth(text, width);
}

/** Pad or cut to exactly `width` columns. */
export function fitToWidth(text: string, width: number): string {
  const out = fitWidth(text, width);
  return out + ' '.repeat(Math.max(0, width - displayWidth(out)));
}
