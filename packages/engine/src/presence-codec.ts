import type { PresenceEntry } from './presence.js';

/**
 * Presence entries as another process stored them (JSON in Redis). Pure. A malformed
 * entry is skipped rather than shown: who's online must never throw because one process
 * (say, an older carrier during a rolling upgrade) wrote something unexpected.
 *
 * The required fields are checked; optional ones (the chat room, do-not-disturb, and
 * whatever a later carrier adds) travel as they are when they are plain scalars, so a
 * new optional field never needs a change here to cross processes.
 */
const PROTOCOLS = new Set(['telnet', 'ssh', 'rlogin', 'websocket']);
const ENCODINGS = new Set(['cp437', 'utf8']);
const REQUIRED = new Set(['sessionId', 'node', 'handle', 'protocol', 'activity', 'connectedAt', 'lastInputAt', 'remoteAddress', 'terminal', 'processId']);
/** An optional string longer than this is not presence data; it is dropped, not shown. */
const MAX_EXTRA_STRING = 1_000;

export function encodePresenceEntry(entry: PresenceEntry): string {
  return JSON.stringify(entry);
}

export function decodePresenceEntry(raw: string): PresenceEntry | undefined {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const e = v as Record<string, unknown>;
  const t = e['terminal'] as Record<string, unknown> | null | undefined;
  const ok =
    typeof e['sessionId'] === 'string' &&
    Number.isSafeInteger(e['node']) &&
    (e['handle'] === null || typeof e['handle'] === 'string') &&
    typeof e['protocol'] === 'string' &&
    PROTOCOLS.has(e['protocol']) &&
    typeof e['activity'] === 'string' &&
    typeof e['connectedAt'] === 'number' &&
    typeof e['lastInputAt'] === 'number' &&
    typeof e['remoteAddress'] === 'string' &&
    typeof e['processId'] === 'string' &&
    typeof t === 'object' &&
    t !== null &&
    typeof t['type'] === 'string' &&
    typeof t['cols'] === 'number' &&
    typeof t['rows'] === 'number' &&
    typeof t['encoding'] === 'string' &&
    ENCODINGS.has(t['encoding']);
  if (!ok) return undefined;
  const extras: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(e)) {
    if (REQUIRED.has(k) || k === '__proto__') continue;
    if ((typeof v === 'string' && v.length <= MAX_EXTRA_STRING) || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) extras[k] = v;
  }
  return {
    ...extras,
    sessionId: e['sessionId'] as string,
    node: e['node'] as number,
    handle: e['handle'] as string | null,
    protocol: e['protocol'] as PresenceEntry['protocol'],
    activity: e['activity'] as string,
    connectedAt: e['connectedAt'] as number,
    lastInputAt: e['lastInputAt'] as number,
    remoteAddress: e['remoteAddress'] as string,
    terminal: {
      type: t['type'] as string,
      cols: t['cols'] as number,
      rows: t['rows'] as number,
      encoding: t['encoding'] as PresenceEntry['terminal']['encoding'],
    },
    processId: e['processId'] as string,
  };
}
