import { isTopic, type Topic } from './topics.js';

/**
 * One bus message as it travels between carrier processes (a Redis channel): the topic,
 * its payload, which bus sent it (so a process ignores its own echo) and when. Pure: the
 * Redis bus feeds it strings and gets envelopes, or nothing for a message it must drop.
 *
 * One Redis message is either one envelope (a JSON object) or a batch: a JSON array of
 * envelopes that one bus published in one event-loop turn, in publish order. A batch is
 * taken whole or dropped whole: one malformed envelope makes the batch suspect.
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
/**
 * A batch's bounds: a reap or a republish of 1,000 callers is ~1,000 envelopes of under
 * 1 KiB. The sender starts a new batch before either bound; a receiver drops a batch past
 * them unparsed (length) or unread (count).
 */
export const MAX_BATCH_LENGTH = 1024 * 1024;
export const MAX_BATCH_MESSAGES = 1_000;

export function encodeEnvelope(e: Envelope): string {
  return JSON.stringify({ o: e.origin, t: e.topic, p: e.payload, s: e.sentAt });
}

/** One Redis message from encoded envelopes (1 to MAX_BATCH_MESSAGES, in order): the envelope itself when alone. */
export function encodeBatch(encoded: readonly string[]): string {
  return encoded.length === 1 ? encoded[0]! : `[${encoded.join(',')}]`;
}

export type DecodeResult = { ok: true; envelope: Envelope } | { ok: false; reason: string };
export type DecodeBatchResult = { ok: true; envelopes: Envelope[] } | { ok: false; reason: string };

export function decodeEnvelope(raw: string): DecodeResult {
  if (raw.length > MAX_ENVELOPE_LENGTH) return { ok: false, reason: 'too long' };
  const parsed = parse(raw);
  return parsed.ok ? check(parsed.value) : parsed;
}

/** A Redis message from the channel: one envelope or a batch, every envelope valid, or nothing. */
export function decodeMessage(raw: string): DecodeBatchResult {
  if (!raw.startsWith('[')) {
    const one = decodeEnvelope(raw);
    return one.ok ? { ok: true, envelopes: [one.envelope] } : one;
  }
  if (raw.length > MAX_BATCH_LENGTH) return { ok: false, reason: 'batch too long' };
  const parsed = parse(raw);
  if (!parsed.ok) return parsed;
  const list = parsed.value;
  if (!Array.isArray(list)) return { ok: false, reason: 'not an object' };
  if (list.length === 0) return { ok: false, reason: 'empty batch' };
  if (list.length > MAX_BATCH_MESSAGES) return { ok: false, reason: 'batch too large' };
  const envelopes: Envelope[] = [];
  for (let i = 0; i < list.length; i++) {
    const one = check(list[i]);
    if (!one.ok) return { ok: false, reason: `batch message ${i}: ${one.reason}` };
    envelopes.push(one.envelope);
  }
  return { ok: true, envelopes };
}

function parse(raw: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
}

function check(parsed: unknown): DecodeResult {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'not an object' };
  const { o, t, p, s } = parsed as Record<string, unknown>;
  if (typeof o !== 'string' || o === '') return { ok: false, reason: 'no origin' };
  if (typeof t !== 'string' || !isTopic(t)) return { ok: false, reason: 'unknown topic' };
  // Every topic's payload is an object; anything else would break the subscribers' types.
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return { ok: false, reason: 'payload is not an object' };
  if (typeof s !== 'number' || !Number.isFinite(s)) return { ok: false, reason: 'no timestamp' };
  return { ok: true, envelope: { origin: o, topic: t, payload: p, sentAt: s } };
}
