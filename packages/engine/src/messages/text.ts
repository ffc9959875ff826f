import { cleanUserText } from '@carrier/core';

/**
 * What callers typed, made safe to show another caller: every field through core's one
 * sanitizer (cleanUserText: whole escape sequences, C0/C1 controls, bidi overrides).
 * Bodies are cleaned line by line so their line breaks and indentation survive.
 */
const LINE_CAP = 4096;

/** One field (subject, handle) for a `print`/`println` line: cleaned, and `|` doubled so no pipe code renders. */
export function field(text: string, max: number): string {
  return cleanUserText(text, max).replace(/\|/g, '||');
}

/** A stored body as lines any terminal can show. */
export function bodyLines(body: string): string[] {
  return body
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => {
      const indent = /^ */.exec(line)?.[0] ?? '';
      const clean = cleanUserText(line, LINE_CAP);
      return clean === '' ? '' : indent.slice(0, 40) + clean;
    });
}

/** `2026-12-05 09:14` in UTC: the same on every node. */
export function shortDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
