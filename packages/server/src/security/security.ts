import { Admission, AddressSet, BANNED_TEXT, formatCidr, RefusalLog, type BaseServer, type Logger, type StartupLimits } from '@carrier/core';
import type { Board, Bus } from '@carrier/engine';
import type { SshAuthenticator } from '@carrier/ssh';
import type { ScryptParams, Store } from '@carrier/store';
import { ConfigError } from '../config.js';
import type { CarrierConfig } from '../config-schema.js';
import { openAuditLog, type AuditLog } from './audit.js';
import { BanList } from './ban-list.js';
import { shareBans } from './ban-notices.js';
import { BotTrap } from './bot-trap.js';
import { LoginPolicy } from './login-policy.js';
import { PenaltyBox } from './penalties.js';
import { AccountQuota } from './account-quota.js';
import { installProcessGuards, SessionScope } from './resilience.js';
import { guardSshAuthenticator } from './ssh-guard.js';

/** How often drained penalty entries are forgotten. */
const PENALTY_SWEEP_MS = 60_000;

/** Everything the server wires for abuse resistance, built once per process. */
export interface Security {
  /** shared by every front end: caps and MaxStartups */
  readonly admission: Admission;
  /** shared by every front end: one refusal line per address per minute */
  readonly refusals: RefusalLog;
  readonly bans: BanList;
  readonly policy: LoginPolicy;
  readonly scope: SessionScope;
  /** the audit trail (`<dataDir>/logs/audit.log` when enabled) */
  readonly audit: AuditLog;
  guardSsh(auth: SshAuthenticator): SshAuthenticator;
  /** Tell the board's other processes of bans made here, and read theirs at once (see ban-notices.ts). */
  shareBans(bus: Bus, processId: string): void;
  /** Gate the front ends (bans at accept) and start each session inside its scope. */
  attach(servers: readonly BaseServer[], board: Board): void;
  /** carrier's own process handlers; returns the uninstall. */
  installProcessGuards(log: Logger): () => void;
  /** Shutdown begins: callers cut off by it earn no penalty. */
  quiesce(): void;
  close(): Promise<void>;
}

/** The scrypt parameters config asks for, checked with file-and-key errors. */
export function scryptParams(cfg: CarrierConfig): ScryptParams {
  const { N, r, p } = cfg.security.scrypt;
  if ((N & (N - 1)) !== 0) throw new ConfigError('config', 'security.scrypt.N', `must be a power of two (got ${N})`);
  return { N, r, p, keylen: 32 };
}

export function startupLimits(cfg: CarrierConfig): StartupLimits {
  const { start, rate, full } = cfg.limits.startups;
  if (start > full) throw new ConfigError('config', 'limits.startups', `start (${start}) must not exceed full (${full})`);
  return { start, rate, full };
}

export async function startSecurity(cfg: CarrierConfig, deps: { store: Store; log: Logger }): Promise<Security> {
  const { store } = deps;
  const log = deps.log.child({ component: 'security' });
  const allowlist = new AddressSet(cfg.security.allowlist);
  const admission = new Admission({
    maxConnections: cfg.limits.maxConnections,
    maxPerIp: cfg.limits.maxPerIp,
    maxPerSubnet: cfg.limits.maxPerSubnet,
    startups: startupLimits(cfg),
  });
  const audit = openAuditLog(cfg, log);
  // Refused connects (bans, caps) are summarised once a minute per address, in both logs.
  const refusals = new RefusalLog(audit.tee());
  const bans = new BanList({ store, log, audit, allowlist, refreshMs: cfg.security.banRefresh });
  await bans.start();
  const p = cfg.security.penalties;
  const penalties = p.enabled
    ? new PenaltyBox({
        authFail: p.authFail,
        noAuth: p.noAuth,
        banAt: p.banAt,
        networkBanAt: p.networkBanAt,
        decayPerMinute: p.decayPerMinute,
        banForMs: p.banFor,
        maxBanMs: p.maxBan,
        delayMs: p.delay,
        maxDelayMs: p.maxDelay,
      })
    : undefined;
  const accounts = new AccountQuota({
    perSource: cfg.security.newAccounts.perSource,
    perNetwork: cfg.security.newAccounts.perNetwork,
    windowMs: cfg.security.newAccounts.window,
  });
  const sweep = setInterval(() => {
    penalties?.sweep();
    accounts.sweep();
  }, PENALTY_SWEEP_MS);
  sweep.unref();
  const policy = new LoginPolicy({
    trap: cfg.security.trap.enabled ? new BotTrap(cfg.security.trap.words) : undefined,
    trapBanMs: cfg.security.trap.banFor,
    penalties,
    accounts,
    bans,
    allowlist,
    audit,
    store,
    log,
  });
  const scope = new SessionScope();
  let closing = false;
  let board: Board | undefined;
  let unshare: (() => void) | undefined;

  // A new ban reaches the sockets its source already has open, on every front end.
  // Told as at accept, except after a bot-trap ban, which stays silent (see BanList.gate).
  bans.onBan((cidr, ban) => {
    const say = ban.source === 'trap' ? undefined : BANNED_TEXT;
    const n = admission.disconnectWhere((addr) => !allowlist.has(addr) && bans.find(addr) !== undefined, 'banned', say);
    if (n > 0) log.info('security.ban_disconnected', { target: formatCidr(cidr), connections: n });
  });
  admission.observe({
    admitted: (t) => audit.connect(t.remoteAddress, t.protocol),
    released: (t) => {
      if (closing || t.authenticated) return;
      policy.unauthenticatedClose(t.remoteAddress).catch((err: unknown) => log.error('security.penalty_failed', { err }));
    },
  });

  return {
    admission,
    refusals,
    bans,
    policy,
    scope,
    audit,
    guardSsh: (auth) => guardSshAuthenticator(auth, policy),
    shareBans(bus, processId) {
      unshare?.();
      unshare = shareBans(bans, bus, processId);
    },
    attach(servers, b) {
      board = b;
      for (const server of servers) server.setGate(bans.gate);
    },
    installProcessGuards: (processLog) => installProcessGuards({ log: processLog, scope, board: () => board }),
    quiesce() {
      closing = true;
    },
    async close() {
      closing = true;
      clearInterval(sweep);
      unshare?.();
      bans.stop();
      refusals.close();
      scope.disable();
      await audit.close();
    },
  };
}
