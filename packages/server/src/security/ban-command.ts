import { AddressSet, escapeClientText, formatCidr, parseCidr } from '@carrier/core';
import type { Store } from '@carrier/store';
import { ControlRequestError, type ControlClient } from '@carrier/sysop/protocol';
import type { CarrierConfig } from '../config-schema.js';
import { parseDuration } from '../duration.js';

export const BAN_USAGE = `  ban add <ip|cidr> [--for 24h] [--reason text]   refuse an address or range at accept (no --for: until removed)
  ban list                                active bans
  ban remove <ip|cidr>                    lift a ban`;

export interface BanCommandIo {
  out(line: string): void;
  err(line: string): void;
  withStore<T>(fn: (store: Store) => Promise<T>): Promise<T>;
  /** The running board's control channel, or undefined when no board answers (then the store is written directly). */
  board?: () => Promise<ControlClient | undefined>;
  now?: () => number;
}

/** A usage mistake: the CLI prints it with the usage text and exits 2. */
export class BanUsageError extends Error {}

function option(args: string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  const a = args[i]!;
  const value = a.includes('=') ? a.slice(name.length + 1) : args[i + 1];
  if (value === undefined || value === '') throw new BanUsageError(`ban add: ${name} needs a value`);
  return value;
}

/**
 * The one address or range of `ban add|remove`; a second one, or an option the verb does
 * not take (`--reson`), is a usage mistake rather than something quietly left out.
 */
function positional(verb: string, args: string[], options: readonly string[]): string | undefined {
  const found: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
      if (!options.includes(name)) throw new BanUsageError(`ban ${verb}: unknown option ${JSON.stringify(name.slice(0, 40))}`);
      if (!a.includes('=')) i++;
      continue;
    }
    found.push(a);
  }
  if (found.length > 1) throw new BanUsageError(`ban ${verb} takes one IP address or CIDR range`);
  return found[0];
}

function when(ms: number | null): string {
  return ms === null ? 'never' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/**
 * `ban` or `unban` through a running board's control channel: in force on every process of
 * the board when it answers (this one at once, the others over the bus), and a caller on from
 * a newly banned address is hung up. Undefined when no board answers.
 */
async function throughBoard(io: BanCommandIo, verb: 'ban' | 'unban', args: { target: string; for?: string; reason?: string }): Promise<{ ok: true; expiresAt?: number | null } | { ok: false; code: string; message: string } | undefined> {
  const client = await io.board?.();
  if (!client) return undefined;
  try {
    const reply = (await client.request(verb, args)) as { expiresAt?: number | null };
    return { ok: true, ...(reply && 'expiresAt' in reply ? { expiresAt: reply.expiresAt ?? null } : {}) };
  } catch (err) {
    if (err instanceof ControlRequestError) return { ok: false, code: err.code, message: err.message };
    throw err;
  } finally {
    client.close();
  }
}

/**
 * `carrier ban add|list|remove`: with a board running, through its control channel (in
 * force at once on all its processes); with none, the store, which a board reads at its
 * start (and a running one unreachable here within `security.banRefresh`). Exit 0 done, 1
 * failed (allowlisted, not banned), 2 usage.
 */
export async function banCommand(args: string[], cfg: CarrierConfig, io: BanCommandIo): Promise<number> {
  const [sub, ...rest] = args;
  const now = io.now ?? Date.now;
  if (sub === 'add') {
    const raw = positional('add', rest, ['--for', '--reason']);
    if (!raw) throw new BanUsageError('ban add needs an IP address or CIDR range');
    const cidr = parseCidr(raw);
    if (!cidr) throw new BanUsageError(`ban add: "${escapeClientText(raw, 60)}" is not an IP address or CIDR range`);
    const target = formatCidr(cidr);
    const forText = option(rest, '--for');
    const forMs = forText === undefined ? null : parseDuration(forText);
    if (forMs === undefined || forMs === 0) throw new BanUsageError(`ban add: --for needs a duration such as 30m, 24h or 7d (got ${JSON.stringify(forText)})`);
    const reason = option(rest, '--reason') ?? 'banned by the sysop';
    if (new AddressSet(cfg.security.allowlist).has(target)) {
      io.err(`carrier: ban add: ${target} is in security.allowlist, which is never banned; remove it there first`);
      return 1;
    }
    const live = await throughBoard(io, 'ban', { target, ...(forText !== undefined ? { for: forText } : {}), reason });
    if (live?.ok) {
      io.out(`banned ${target} until ${live.expiresAt === null || live.expiresAt === undefined ? 'removed' : when(live.expiresAt)}`);
      return 0;
    }
    if (live) {
      io.err(`carrier: ban add: ${escapeClientText(live.message, 200)}`);
      return 1;
    }
    return io.withStore(async (store) => {
      const ban = await store.bans.put({ target, reason, source: 'sysop', expiresAt: forMs === null ? null : now() + forMs });
      io.out(`banned ${ban.target} until ${ban.expiresAt === null ? 'removed' : when(ban.expiresAt)}`);
      return 0;
    });
  }
  if (sub === 'list') {
    return io.withStore(async (store) => {
      const bans = await store.bans.active(now());
      io.out(`${'target'.padEnd(44)}${'source'.padEnd(9)}${'expires (UTC)'.padEnd(21)}reason`);
      for (const b of bans) io.out(`${b.target.padEnd(44)}${b.source.padEnd(9)}${when(b.expiresAt).padEnd(21)}${escapeClientText(b.reason, 200)}`);
      return 0;
    });
  }
  if (sub === 'remove') {
    const raw = positional('remove', rest, []);
    if (!raw || !parseCidr(raw)) throw new BanUsageError('ban remove needs the banned IP address or CIDR range');
    const target = formatCidr(parseCidr(raw)!);
    const live = await throughBoard(io, 'unban', { target });
    if (live?.ok) {
      io.out(`removed the ban on ${target}`);
      return 0;
    }
    if (live) {
      io.err(live.code === 'not_found' ? `carrier: ban remove: ${target} is not banned` : `carrier: ban remove: ${escapeClientText(live.message, 200)}`);
      return 1;
    }
    return io.withStore(async (store) => {
      const removed = await store.bans.remove(raw);
      if (!removed) {
        io.err(`carrier: ban remove: ${formatCidr(parseCidr(raw)!)} is not banned`);
        return 1;
      }
      io.out(`removed the ban on ${formatCidr(parseCidr(raw)!)}`);
      return 0;
    });
  }
  throw new BanUsageError(`unknown ban verb ${JSON.stringify(sub ?? '')}`);
}
