import type { Encoding } from '@carrier/core';
import type { ChatSettings } from './chat/settings.js';

/** The board's timers, limits and first scripts (config `board:` in carrier.yaml). */
export interface BoardConfig {
  /** no input for this long ends the session */
  idleTimeoutMs: number;
  /** not logged in after this long ends the session */
  loginTimeoutMs: number;
  /** a session this old ends, input or not (the absolute timeout) */
  maxDurationMs: number;
  /** the longest line a caller can type at any prompt, whatever a script asks for */
  maxLineLength: number;
  /** keys a session accepts per second, sustained, and as a burst (a pasted line) */
  keyRate?: { perSecond: number; burst: number } | undefined;
  /** deadline for the cursor-position probes of size and encoding */
  probeTimeoutMs: number;
  /** an unanswered split-screen chat request lapses after this; the asker stops waiting then too */
  chatRequestTimeoutMs: number;
  /** wrong passwords before the matrix script hangs up (scripts read it) */
  maxLoginTries: number;
  /** the first script of an anonymous caller */
  startScript: string;
  /** the first script of a caller the front end already authenticated (ssh, trusted rlogin) */
  authenticatedScript: string;
  /** encoding for a terminal nothing else identified */
  defaultEncoding?: Encoding | undefined;
  /** chat line cap, flood rate and history; defaults in chat/settings.ts */
  chat?: Partial<ChatSettings> | undefined;
}

/** The longest `chatRequestTimeoutMs`: the asker waits that long in the split screen, past anyone's patience already. */
export const MAX_CHAT_REQUEST_TIMEOUT_MS = 3_600_000;

export const DEFAULT_BOARD_CONFIG: Readonly<BoardConfig> = Object.freeze({
  idleTimeoutMs: 10 * 60_000,
  loginTimeoutMs: 120_000,
  maxDurationMs: 4 * 3_600_000,
  maxLineLength: 1000,
  probeTimeoutMs: 400,
  chatRequestTimeoutMs: 60_000,
  maxLoginTries: 3,
  startScript: 'matrix',
  authenticatedScript: 'main',
});
