import { encodeText, type Encoding } from '@carrier/core';

/**
 * A line fanned out to a room is the same bytes for every member with the same screen
 * size and encoding (most of them): encoded once per line, not once per member (issue 18).
 * Fan-out is synchronous, one line at a time, so the last encoding is the one to keep.
 * The Buffer is shared by every socket it is written to, so it is never changed after.
 */
let last: { text: string; encoding: Encoding; bytes: Buffer } | undefined;

/** `text` in `encoding`, the same Buffer as the last call's when both match. */
export function sharedBytes(text: string, encoding: Encoding): Buffer {
  if (last?.encoding !== encoding || last.text !== text) last = { text, encoding, bytes: encodeText(text, encoding) };
  return last.bytes;
}
