import type { Logger } from '@carrier/core';
import { InProcessBus, RedisBus, type Bus, type BusStatus, type ProcessGone, type ProcessInfo } from '@carrier/engine';
import type { PoolSize, PublicKeyCheck, StoreOptions } from '@carrier/store';
import { ConfigError } from './config.js';
import type { CarrierConfig } from './config-schema.js';

/**
 * Which database and which bus the config selects: the one place that reads
 * database.* and bus.*, for the board, the CLI verbs and the cluster primary alike.
 */
export function storeOptions(cfg: CarrierConfig, log: Logger, pool?: PoolSize): StoreOptions {
  const oneliners = { keep: cfg.oneliners.keep, perCaller: cfg.oneliners.perCaller };
  if (!cfg.database.url) return { dataDir: cfg.dataDir, log, oneliners, publicKeyCheck };
  return {
    dataDir: cfg.dataDir,
    log,
    oneliners,
    publicKeyCheck,
    databaseUrl: cfg.database.url,
    pool: pool ?? { min: cfg.database.poolMin, max: cfg.database.poolMax },
    ...(cfg.database.schema ? { searchPath: cfg.database.schema } : {}),
  };
}

/**
 * A key added from the CLI or the K menu is read in full by the parser the ssh server
 * verifies logins with; ssh2 is loaded at the first key added, not by every board.
 */
const publicKeyCheck: PublicKeyCheck = async (algo, blob) => (await import('@carrier/ssh')).publicKeyProblem(algo, blob);

export type BusChoice = { kind: 'in-process' } | { kind: 'redis'; url: string; keyPrefix: string };

/** `bus.type: redis` with no URL means a Redis on this host, at its default port. */
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function chooseBus(cfg: CarrierConfig): BusChoice {
  const { type, redisUrl, keyPrefix } = cfg.bus;
  const redis = type === 'redis' || (type === 'auto' && redisUrl !== '');
  if (!redis) {
    if (cfg.workers > 1) {
      throw new ConfigError('config', 'workers', `${cfg.workers} workers need the Redis bus (set bus.redisUrl or REDIS_URL): workers share who's online and chat through it`);
    }
    return { kind: 'in-process' };
  }
  const url = redisUrl || DEFAULT_REDIS_URL;
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw new ConfigError('config', 'bus.redisUrl', 'is not a URL (expected redis://host:port)');
  }
  if (scheme !== 'redis:' && scheme !== 'rediss:') throw new ConfigError('config', 'bus.redisUrl', `must start with redis:// or rediss:// (got ${scheme})`);
  return { kind: 'redis', url, keyPrefix };
}

/** A bus and what /metrics needs to know about it. */
export interface OpenedBus {
  bus: Bus;
  status(): BusStatus;
  /** live processes on the board; for the in-process bus, just this one */
  processes(): Promise<ProcessInfo[]>;
}

export async function openBus(choice: BusChoice, log: Logger, processId: string, onProcessGone?: (gone: ProcessGone) => void): Promise<OpenedBus> {
  if (choice.kind === 'redis') {
    const bus = await RedisBus.connect({ url: choice.url, keyPrefix: choice.keyPrefix, log, processId, ...(onProcessGone ? { onProcessGone } : {}) });
    return { bus, status: () => bus.status(), processes: () => bus.processes() };
  }
  const bus = new InProcessBus(log);
  const startedAt = Date.now();
  return {
    bus,
    status: () => ({ kind: 'in-process', connected: true, lagMs: 0, published: 0, received: 0, dropped: 0 }),
    processes: async () => [{ processId, startedAt, sessions: (await bus.presence.snapshot()).length }],
  };
}
