import { TERMINAL_LIMITS, sanitizeToken } from '@carrier/core';
import { Env } from '../constants.js';
import type { EnvEntry, EnvVarRef } from '../encoder.js';

/** NEW-ENVIRON subnegotiation bodies (RFC 1572). */
export type EnvMessage =
  | { kind: 'is' | 'info'; entries: EnvEntry[]; truncated: boolean }
  | { kind: 'send'; vars: EnvVarRef[]; truncated: boolean };

/** A single name or value longer than this is cut: nothing legitimate comes close. */
const MAX_FIELD_BYTES = 1024;
/** Entries parsed from one SB; the rest are dropped (10,000 variables do arrive). */
const DEFAULT_MAX_ENTRIES = 256;

/**
 * Parse IS / INFO (VAR|USERVAR name [VALUE value] ...) or SEND (VAR|USERVAR name ...).
 * ESC makes the next byte literal. A VALUE with no VAR before it is ignored, as is
 * anything after it up to the next VAR. Bounded: at most `maxEntries` entries of at most
 * 1 KiB per field, whatever the SB holds.
 */
export function parseNewEnviron(data: Buffer, maxEntries = DEFAULT_MAX_ENTRIES): EnvMessage | undefined {
  const kind = data[0] === Env.IS ? 'is' : data[0] === Env.INFO ? 'info' : data[0] === Env.SEND ? 'send' : undefined;
  if (!kind) return undefined;

  const entries: { kind: 'var' | 'uservar'; name: number[]; value: number[] | undefined }[] = [];
  let cur: (typeof entries)[number] | undefined;
  let target: number[] | undefined;
  let truncated = false;

  for (let i = 1; i < data.length; i++) {
    let b = data[i]!;
    if (b === Env.VAR || b === Env.USERVAR) {
      if (entries.length >= maxEntries) {
        truncated = true;
        break;
      }
      cur = { kind: b === Env.VAR ? 'var' : 'uservar', name: [], value: undefined };
      entries.push(cur);
      target = cur.name;
      continue;
    }
    if (b === Env.VALUE) {
      if (cur && cur.value === undefined && kind !== 'send') {
        cur.value = [];
        target = cur.value;
      } else {
        target = undefined;
      }
      continue;
    }
    if (b === Env.ESC) {
      if (i + 1 >= data.length) break;
      b = data[++i]!;
    }
    if (target && target.length < MAX_FIELD_BYTES) target.push(b);
  }

  const text = (bytes: number[]): string => Buffer.from(bytes).toString('latin1');
  if (kind === 'send') {
    return { kind, vars: entries.map((e) => ({ kind: e.kind, name: text(e.name) })), truncated };
  }
  return {
    kind,
    entries: entries.map((e) => ({ kind: e.kind, name: text(e.name), value: e.value && text(e.value) })),
    truncated,
  };
}

/**
 * Fold IS/INFO entries into a terminal's env, bounded by core TERMINAL_LIMITS: keys are
 * uppercased and printable (so keys differing only in case collapse, and no key can be
 * `__proto__`), values printable ASCII and capped, at most `maxEnvEntries` keys. Undefined
 * variables (VAR with no VALUE, which inetutils sends for anything not exported) are
 * skipped. Returns how many entries were dropped for the cap.
 *
 * The env is untrusted hints only: USER="-f root" is how inetutils telnetd was owned
 * (CVE-2026-24061). Nothing here, or downstream, may take identity from it.
 */
export function mergeEnv(env: Record<string, string>, entries: readonly EnvEntry[]): number {
  const L = TERMINAL_LIMITS;
  let dropped = 0;
  for (const e of entries) {
    if (e.value === undefined) continue;
    const key = sanitizeToken(e.name, L.maxEnvKeyLength).toUpperCase();
    if (key === '') continue;
    if (!Object.hasOwn(env, key) && Object.keys(env).length >= L.maxEnvEntries) {
      dropped++;
      continue;
    }
    env[key] = printable(e.value, L.maxEnvValueLength);
  }
  return dropped;
}

/** Printable ASCII including space (values such as "-f root" stay readable in logs), capped. */
function printable(raw: string, max: number): string {
  const s = raw.replace(/[^\x20-\x7e]/g, '');
  return s.length > max ? s.slice(0, max) : s;
}
