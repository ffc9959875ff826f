import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { isCarrierError } from '@carrier/core';
import { DEFAULT_MESSAGE_AREAS, loadMessageAreasFile, type MessageAreas } from '@carrier/engine';
import { MESSAGE_LIMITS, type Store } from '@carrier/store';
import { ConfigError } from './config.js';
import type { CarrierConfig } from './config-schema.js';
import { parseMenuYaml } from './menu-yaml.js';

/** `carrier msg post <area> --subject S [--from H] [--to H] < body.txt`: an announcement from the shell. */
export const MSG_USAGE = `  msg post <area> --subject S [--from H] [--to H] < body.txt
                                          post a message (standard input is the body; --from a
                                          handle, or a name to post as the board; default the board's name;
                                          --to a handle, to that account, default All)`;

export class MsgUsageError extends Error {}

export interface MsgDeps {
  out(line: string): void;
  err(line: string): void;
  readStdin(): Promise<string>;
  withStore<T>(fn: (store: Store) => Promise<T>): Promise<T>;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--') || value.trim() === '') throw new MsgUsageError(`msg post: ${name} needs a value`);
  return value;
}

async function areasOf(cfg: CarrierConfig): Promise<MessageAreas> {
  const file = resolve(cfg.messages.file);
  if (!existsSync(file)) return DEFAULT_MESSAGE_AREAS;
  const loaded = await loadMessageAreasFile(file, parseMenuYaml);
  if (!loaded.areas) {
    // The board's config is wrong, not the verb's usage: exit 2 naming file, line and key, as a start would.
    const p = loaded.problems[0];
    throw new ConfigError(file, p?.key || '(file)', p?.message ?? 'invalid', p?.line);
  }
  return loaded.areas;
}

export async function msgCommand(args: string[], cfg: CarrierConfig, deps: MsgDeps): Promise<number> {
  const [sub, areaTag, ...rest] = args;
  if (sub !== 'post') throw new MsgUsageError(`unknown msg verb ${JSON.stringify(sub ?? '')} (post)`);
  if (!areaTag || areaTag.startsWith('--')) throw new MsgUsageError('msg post needs an area tag');
  const known = new Set(['--subject', '--from', '--to']);
  const given = new Set<string>();
  for (let i = 0; i < rest.length; i += 2) {
    if (!known.has(rest[i]!)) throw new MsgUsageError(`msg post: unknown option ${JSON.stringify(rest[i])}`);
    if (given.has(rest[i]!)) throw new MsgUsageError(`msg post: ${rest[i]} is given twice`);
    given.add(rest[i]!);
  }
  const subject = option(rest, '--subject');
  if (subject === undefined || subject.trim() === '') throw new MsgUsageError('msg post needs --subject');
  if ([...subject].length > MESSAGE_LIMITS.subjectLength) throw new MsgUsageError(`msg post: --subject is longer than ${MESSAGE_LIMITS.subjectLength} characters`);
  const fromOption = option(rest, '--from');
  const to = option(rest, '--to');
  // Over the column's length the store would cut the name silently.
  for (const [name, value] of [['--from', fromOption], ['--to', to]] as const) {
    if (value !== undefined && [...value].length > MESSAGE_LIMITS.handleLength) throw new MsgUsageError(`msg post: ${name} is longer than ${MESSAGE_LIMITS.handleLength} characters`);
  }
  const from = fromOption ?? cfg.board.name;
  const areas = await areasOf(cfg);
  const area = areas.areas.find((a) => a.tag === areaTag.toLowerCase());
  if (!area) throw new MsgUsageError(`msg post: no message area ${JSON.stringify(areaTag)} (areas: ${areas.areas.map((a) => a.tag).join(', ')})`);
  const body = await deps.readStdin();
  if (Buffer.byteLength(body) > MESSAGE_LIMITS.bodyBytes) throw new MsgUsageError(`msg post: the body is larger than ${MESSAGE_LIMITS.bodyBytes} bytes`);
  if (body.trim() === '') throw new MsgUsageError('msg post: the body (standard input) is empty');
  return deps.withStore(async (store) => {
    const user = await store.users.findByHandle(from);
    try {
      const m = await store.messages.post({
        area: area.tag,
        fromUserId: user?.id ?? null,
        fromHandle: user?.handle ?? from,
        ...(to !== undefined ? { toHandle: to } : {}),
        subject,
        body,
      });
      deps.out(`posted #${m.id} in ${area.tag}${m.toUserId !== null ? ` to ${m.toHandle}` : ''}`);
      return 0;
    } catch (err) {
      if (isCarrierError(err)) {
        deps.err(`carrier: msg post: ${err.message}`);
        return 1;
      }
      throw err;
    }
  });
}
