// SQL LIKE patterns from a caller's text, the same on SQLite and PostgreSQL: the text's
// own `%`, `_` and `\` match only themselves. Use with `like ? escape '\'`.

/** `text` with LIKE's wildcards and the escape character escaped. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
