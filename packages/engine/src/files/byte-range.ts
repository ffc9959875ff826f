// The one byte range a download link serves (RFC 9110 section 14): enough for a browser or
// curl to resume a broken download. Pure.

export type RangeAnswer =
  /** serve the whole file (no Range, another unit, several ranges, or a malformed one: a server may ignore Range) */
  | { kind: 'whole' }
  /** 206: bytes start..end inclusive */
  | { kind: 'part'; start: number; end: number }
  /** 416: a well-formed range with no byte in the file */
  | { kind: 'unsatisfiable' };

/** A Range header longer than this is not one range of one file. */
const MAX_RANGE_HEADER = 200;
const ONE_RANGE = /^bytes=[ \t]*(\d{0,16})-(\d{0,16})[ \t]*$/i;

/**
 * What to serve of a `size`-byte file for a Range header. `bytes=a-b`, `bytes=a-` and the
 * suffix `bytes=-n` are served (an end past the file is cut to it); a list of several
 * ranges is answered with the whole file, which RFC 9110 allows.
 */
export function byteRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined || header.length > MAX_RANGE_HEADER) return { kind: 'whole' };
  const m = ONE_RANGE.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'whole' };
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  if (m[2] !== '' && Number(m[2]) < start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = m[2] === '' ? size - 1 : Number(m[2]);
  return { kind: 'part', start, end: Math.min(end, size - 1) };
}
