import { CarrierError, ErrorCodes } from '@carrier/core';
import { MAX_CHAT_HISTORY } from '@carrier/store';

/** The `chat:` section of carrier.yaml, as the engine uses it. */
export interface ChatSettings {
  /** longest line a caller may say, in characters; longer input is cut */
  maxLineLength: number;
  /** lines per second a user may say, sustained (chat, /me, /msg, split-screen, pages) */
  floodRate: number;
  /** lines a user may say at once before the rate applies */
  floodBurst: number;
  /** lines per room kept in the store and replayed to a caller who joins */
  historyLines: number;
}

export const DEFAULT_CHAT_SETTINGS: Readonly<ChatSettings> = Object.freeze({
  maxLineLength: 300,
  floodRate: 2,
  floodBurst: 5,
  historyLines: 50,
});

/** Fill in defaults and refuse nonsense with CONFIG_INVALID naming the key. */
export function chatSettings(partial: Partial<ChatSettings> | undefined): Readonly<ChatSettings> {
  const s: ChatSettings = { ...DEFAULT_CHAT_SETTINGS };
  for (const [k, v] of Object.entries(partial ?? {})) if (v !== undefined) (s as unknown as Record<string, unknown>)[k] = v;
  const bad = (key: string, why: string): never => {
    throw new CarrierError(ErrorCodes.CONFIG_INVALID, `chat config ${key} ${why}`, { key: `chat.${key}` });
  };
  // The store's chat_lines.text column holds 1000 characters.
  if (!Number.isInteger(s.maxLineLength) || s.maxLineLength < 10 || s.maxLineLength > 1000) bad('maxLineLength', 'must be a whole number from 10 to 1000');
  if (typeof s.floodRate !== 'number' || !(s.floodRate > 0) || s.floodRate > 100) bad('floodRate', 'must be a number of lines per second above 0, at most 100');
  if (!Number.isInteger(s.floodBurst) || s.floodBurst < 1 || s.floodBurst > 1000) bad('floodBurst', 'must be a whole number from 1 to 1000');
  if (!Number.isInteger(s.historyLines) || s.historyLines < 0 || s.historyLines > MAX_CHAT_HISTORY) bad('historyLines', `must be a whole number from 0 to ${MAX_CHAT_HISTORY}`);
  return Object.freeze(s);
}
