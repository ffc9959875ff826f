import { charWidth, displayWidth, fitWidth } from '@carrier/terminal';

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

/** The end of `text` that fits `width` columns (a wide character that would straddle the start is left out whole). */
export function tailToWidth(text: string, width: number): string {
  const chars = [...text];
  let used = 0;
  let from = chars.length;
  while (from > 0 && used + charWidth(chars[from - 1]!) <= width) used += charWidth(chars[--from]!);
  return chars.slice(from).join('');
}
