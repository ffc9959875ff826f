import { StringDecoder } from 'node:string_decoder';
import { decodeBytes, type Encoding } from '@carrier/core';

/**
 * Bytes to text in the session's encoding, across reads: a UTF-8 character split between
 * two TCP segments comes out whole (a stateless decode would turn each half into U+FFFD).
 * CP437 is one byte per character, so it needs no state.
 */
export class StreamingTextDecoder {
  private readonly utf8: StringDecoder | undefined;

  constructor(readonly encoding: Encoding) {
    this.utf8 = encoding === 'utf8' ? new StringDecoder('utf8') : undefined;
  }

  push(bytes: Buffer): string {
    return this.utf8 ? this.utf8.write(bytes) : decodeBytes(bytes, this.encoding);
  }

  /** The stream ended: an unfinished UTF-8 sequence becomes U+FFFD rather than vanishing. */
  end(): string {
    return this.utf8 ? this.utf8.end() : '';
  }
}
