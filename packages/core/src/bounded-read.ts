import type { FileHandle } from 'node:fs/promises';
import { CarrierError, ErrorCodes } from './errors.js';

export interface BoundedRead {
  readonly bytes: Buffer;
  /** from the same fstat that passed the checks, for caches keyed on the version read */
  readonly mtimeMs: number;
  readonly size: number;
}

/**
 * The whole of an open regular file of at most `max` bytes, refused by fstat of the open
 * file (never the name, which may have been swapped since) before a byte is read, so a
 * FIFO, a device or a huge file costs nothing. `what` names the file in errors (e.g.
 * `art file <path>`). The caller opens and closes the handle, and so decides what a file
 * that cannot be opened means.
 */
export async function readOpenFileBounded(fh: FileHandle, file: string, max: number, what: string = file): Promise<BoundedRead> {
  const st = await fh.stat();
  if (!st.isFile()) throw new CarrierError(ErrorCodes.VALIDATION, `${what} is not a regular file`, { file });
  if (st.size > max) throw new CarrierError(ErrorCodes.VALIDATION, `${what} is ${st.size} bytes, over the ${max}-byte limit`, { file, size: st.size });
  const buf = Buffer.alloc(st.size);
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return { bytes: buf.subarray(0, got), mtimeMs: st.mtimeMs, size: st.size };
}
