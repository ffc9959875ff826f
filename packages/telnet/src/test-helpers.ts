// What the telnet tests share. Test-only: not exported from index.ts.
import { TelnetDecoder, type TelnetDecoderOptions } from './decoder.js';

/** As a client reads a server (and as the encoder's inverse): bytes as sent, Enter and a bare DM untouched. */
export const RAW: TelnetDecoderOptions = { normalizeEnter: false, dropBareDataMark: false };

/** A decoder that changes nothing in data: the client's end of a test, or a check that encoding loses nothing. */
export function rawDecoder(): TelnetDecoder {
  return new TelnetDecoder(RAW);
}
