import { StringDecoder } from 'node:string_decoder';
import { decodeBytes, encodeText, type Connection, type Encoding } from '@carrier/core';
import { OutputBoundary } from './boundary.js';

/**
 * The caller's connection <-> a door's PTY: keys in, output out, each translated
 * between the caller's encoding and the door's (a CP437 door draws its box characters
 * for a UTF-8 caller, and the reverse), the window size followed, and output paused
 * while the caller's transport is full: a door that floods a slow caller blocks in
 * write() on its own PTY instead of carrier buffering without bound.
 */

/** What the bridge needs of a running door (DoorProcess implements it). */
export interface DoorEndpoint {
  onData(fn: (bytes: Buffer) => void): void;
  write(bytes: Buffer): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
}

/**
 * Puts the caller's terminal back after a door, whatever the door left behind: SGR 0,
 * the whole screen as scroll region, cursor shown, G0 = ASCII and shifted in, the normal
 * screen (a curses door that crashed never left the alternate one), normal cursor keys
 * and keypad, autowrap on, mouse reporting and bracketed paste off.
 *
 * The cursor stays where the door left it, under its last line, so that what follows
 * (`[press a key]`) is read with it: resetting the scroll region (DECSTBM) homes the
 * cursor, so it is wrapped in DECSC/DECRC; and ?1049l alone restores the cursor saved by
 * the last ?1049h (xterm, tmux), for a door that never took the alternate screen wherever
 * some earlier screen of the board left it. ?1049h first saves the cursor where it is, and
 * is a no-op for a door still in the alternate screen (the cursor saved before the door
 * is the one restored).
 */
export const TERMINAL_RESET =
  '\x1b7\x1b[r\x1b8\x1b[0m\x1b[?25h\x1b(B\x0f\x1b[?1049h\x1b[?1049l\x1b[?1l\x1b>\x1b[?7h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l';

/** A streaming decoder for one direction: UTF-8 sequences may be split across chunks; CP437 is one byte a character. */
function textDecoder(encoding: Encoding): (bytes: Buffer) => string {
  if (encoding === 'cp437') return (bytes) => decodeBytes(bytes, 'cp437');
  const d = new StringDecoder('utf8');
  return (bytes) => d.write(bytes);
}

export interface BridgeStats {
  bytesOut: number;
  bytesIn: number;
  /** times the door's output was paused for a full transport */
  pauses: number;
  /** bytes of an Enter dropped as the tail of the key that picked the door (pickEnterMs) */
  pickEnter: number;
}

export interface DoorBridge {
  readonly stats: BridgeStats;
  /**
   * Write carrier's own `text` into the door's screen (a line that saves and restores the
   * cursor), at once if the door's output is between two sequences, else right after the
   * door's next read that ends between two; a newer overlay replaces one still waiting.
   */
  overlay(text: string): void;
  /** Detach from the connection (the door has ended). Leaves the door alone. */
  stop(): void;
}

export interface BridgeOptions {
  /** the door's encoding */
  encoding: Encoding;
  /** called for every chunk the caller types (the session's idle timer) */
  onInput?: (() => void) | undefined;
  /**
   * An Enter (CR, LF, CR LF, CR NUL) that is the first thing the caller sends within this
   * many ms of the bridge starting is the tail of the door's pick, not a key for the door:
   * a caller who types the door's number and Enter out of habit (the list reads one key)
   * sends the Enter while the door starts, and a door that reads a line or "press Enter"
   * took it as an answer no one gave. Dropped, not counted in bytesIn. 0 (default): off.
   */
  pickEnterMs?: number | undefined;
}

/** Enter as callers' clients send it: CR, LF, CR LF or CR NUL (PROTOCOL-NOTES). */
const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;

export function bridgeDoor(conn: Connection, door: DoorEndpoint, opts: BridgeOptions): DoorBridge {
  const stats: BridgeStats = { bytesOut: 0, bytesIn: 0, pauses: 0, pickEnter: 0 };
  // A leading Enter is the pick's tail until pickEnterUntil, or until any other byte comes.
  const pickEnterUntil = Date.now() + (opts.pickEnterMs ?? 0);
  let pick: 'armed' | 'after-cr' | 'off' = opts.pickEnterMs ? 'armed' : 'off';
  const outDecode = textDecoder(opts.encoding);
  let inDecode: ((bytes: Buffer) => string) | undefined;
  let inFrom: Encoding | undefined;
  let stopped = false;
  let paused = false;
  const boundary = new OutputBoundary(opts.encoding === 'utf8');
  let pendingOverlay: string | undefined;

  const send = (ok: boolean): void => {
    if (!ok && !paused && !conn.closed) {
      paused = true;
      stats.pauses++;
      door.pause();
    }
  };
  door.onData((bytes) => {
    if (stopped || conn.closed) return;
    stats.bytesOut += bytes.length;
    boundary.feed(bytes);
    if (conn.terminal.encoding === opts.encoding) send(conn.writeBytes(bytes));
    else {
      const text = outDecode(bytes);
      if (text.length > 0) send(conn.write(text));
    }
    if (pendingOverlay !== undefined && boundary.atBoundary) {
      send(conn.write(pendingOverlay));
      pendingOverlay = undefined;
    }
  });
  const onDrain = (): void => {
    if (!paused) return;
    paused = false;
    door.resume();
  };
  const onData = (chunk: Buffer): void => {
    if (stopped) return;
    opts.onInput?.();
    let bytes = chunk;
    if (pick !== 'off' && Date.now() > pickEnterUntil) pick = 'off';
    if (pick !== 'off' && bytes.length > 0) {
      let skip = 0;
      if (pick === 'armed' && bytes[0] === CR) {
        skip = bytes.length > 1 && (bytes[1] === LF || bytes[1] === NUL) ? 2 : 1;
        // A CR alone may have its LF or NUL in the next chunk.
        pick = skip === 1 && bytes.length === 1 ? 'after-cr' : 'off';
      } else if ((pick === 'armed' && bytes[0] === LF) || (pick === 'after-cr' && (bytes[0] === LF || bytes[0] === NUL))) {
        skip = 1;
        pick = 'off';
      } else pick = 'off';
      stats.pickEnter += skip;
      bytes = bytes.subarray(skip);
      if (bytes.length === 0) return;
    }
    stats.bytesIn += bytes.length;
    const from = conn.terminal.encoding;
    if (from === opts.encoding) {
      door.write(bytes);
      return;
    }
    if (inFrom !== from) {
      inFrom = from;
      inDecode = textDecoder(from);
    }
    const text = inDecode!(bytes);
    if (text.length > 0) door.write(encodeText(text, opts.encoding));
  };
  const onResize = (cols: number, rows: number): void => door.resize(cols, rows);
  conn.on('data', onData);
  conn.on('drain', onDrain);
  conn.on('resize', onResize);
  return {
    stats,
    overlay(text: string) {
      if (stopped || conn.closed) return;
      if (boundary.atBoundary) send(conn.write(text));
      else pendingOverlay = text;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      conn.off('data', onData);
      conn.off('drain', onDrain);
      conn.off('resize', onResize);
      if (paused) door.resume();
    },
  };
}
