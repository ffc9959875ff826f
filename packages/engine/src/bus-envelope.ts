import { isTopic, type Topic } from './topics.js';

/**
 * One bus message as it travels between carrier processes (a Redis channel): the topic,
 * its payload, which bus sent it (so a process ignores its own echo) and when. Pure: the
 * Redis bus feeds it strings and gets envelopes, or nothing for a message it must drop.
 */
export interface Envelope {
  /** the sending bus instance (not the process id: two buses in one process stay apart) */
  origin: string;
  topic: Topic;
  payload: unknown;
  /** sender's clock, ms since the epoch: for lag figures only, never for ordering */
  sentAt: number;
}

/**
 * Far above any real payload (a chat line is capped at a few hundred characters, a
 * presence entry is under 1 KiB); a larger message is a bug or a foreign publisher on our
 * channel, and parsing it would cost every process on the board the same memory.
 */
export const MAX_ENVELOPE_LENGTH = 64 * 1024;

export function encodeEnvelope(e: Envelope): string {
  return JSON.stringify({ o: e.origin, t: e.topic, p: e.payload, s: e.sentAt });
}

export type DecodeResult = { ok: true; envelope: Envelope } | { ok: false; reason: string };

export function decodeEnvelope(raw: string): DecodeResult {
  if (raw.length > MAX_ENVELOPE_LENGTH) return { ok: false, reason: 'too long' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'not an object' };
  const { o, t, p, s } = parsed as Record<string, unknown>;
  if (typeof o !== 'string' || o === '') return { ok: false, reason: 'no origin' };
  if (typeof t !== 'string' || !isTopic(t)) return { ok: false, reason: 'unknown topic' };
  // Every topic's payload is an object; anything else would break the subscribers' types.
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return { ok: false, reason: 'payload is not an object' };
  if (typeof s !== 'number' || !Number.isFinite(s)) return { ok: false, reason: 'no timestamp' };
  return { ok: true, envelope: { origin: o, topic: t, payload: p, sentAt: s } };
}
