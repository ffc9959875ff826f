/**
 * A count and its noun for a caller's screen: `plural(1, 'message')` is `1 message`,
 * `plural(3, 'message')` is `3 messages`, `plural(2, 'reply', 'replies')` is `2 replies`.
 * One helper, so no screen says `1 messages` (or `1 files`, `1 callers`).
 */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : nouns}`;
}
