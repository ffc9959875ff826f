import { charWidth } from '@carrier/terminal';

/**
 * Cut `text` to at most `width` terminal columns, measured with charWidth so a wide
 * character that would straddle the edge is dropped whole rather than split.
 */
export function clipToWidth(text: string, width: number): string {
  return clip(text, width).out;
}

/** Pad or cut to exactly `width` columns. */
export function fitToWidth(text: string, width: number): string {
  const { out, used } = clip(text, width);
  return out + ' '.repeat(Math.max(0, width - used));
}

function clip(text: string, width: number): { out: string; used: number } {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = charWidth(ch);
    if (used + w > width) break;
    out += ch;
    used += w;
  }
  return { out, used };
}
