/**
 * Baud-rate emulation: art drawn at the speed of a modem, for the classic effect. A
 * serial line sends 10 bits per byte (8N1: a start bit, 8 data bits, a stop bit), so
 * 2400 baud is 240 bytes a second. Bytes go out on a timer in slices sized to the time
 * that passed (no drift from late timers); a key from the caller, or the caller
 * leaving, ends the show and the rest goes out at once.
 */

export const BITS_PER_BYTE = 10;
/** From the slowest teletype to the fastest common serial line; anything else is a typo. */
export const MIN_BAUD = 110;
export const MAX_BAUD = 115_200;
/** Frequent enough to look smooth at 9600 baud, rare enough to cost nothing at 300. */
export const BAUD_TICK_MS = 20;

export interface BaudPlayback {
  /** send these bytes now */
  write(bytes: Buffer): void;
  /** true once the caller pressed a key: the rest goes out at once */
  interrupted(): boolean;
  /** true once the caller is gone: nothing more is sent */
  closed(): boolean;
}

export type BaudResult = 'done' | 'interrupted' | 'closed';

export interface BaudClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: BaudClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

export async function playAtBaud(bytes: Buffer, baud: number, io: BaudPlayback, clock: BaudClock = realClock): Promise<BaudResult> {
  const perMs = baud / BITS_PER_BYTE / 1000;
  const started = clock.now();
  let sent = 0;
  while (sent < bytes.length) {
    if (io.closed()) return 'closed';
    if (io.interrupted()) {
      io.write(bytes.subarray(sent));
      return 'interrupted';
    }
    const due = Math.min(bytes.length, Math.floor((clock.now() - started) * perMs));
    if (due > sent) {
      io.write(bytes.subarray(sent, due));
      sent = due;
    }
    if (sent < bytes.length) await clock.sleep(BAUD_TICK_MS);
  }
  return 'done';
}
