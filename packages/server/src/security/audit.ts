import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { client, createLogger, type Logger, type Protocol } from '@carrier/core';
import type { Ban } from '@carrier/store';

/** The board's trail, `<dataDir>/logs/audit.log` (none when `security.auditLog` is off): the board and the CLI append to the one file. */
export function openAuditLog(cfg: { dataDir: string; security: { auditLog: boolean } }, log: Logger): AuditLog {
  return new AuditLog(log, cfg.security.auditLog ? join(cfg.dataDir, 'logs', 'audit.log') : undefined);
}

/**
 * The audit trail: one JSON line per connect, login, failed login, ban and trap, in
 * `<dataDir>/logs/audit.log`, apart from the chatty operational log so it can be kept
 * longer and read by fail2ban-style tools. Bans and traps also go to the main log, where
 * a sysop watching it should see them. Every client-supplied string is escaped.
 */
export class AuditLog {
  private readonly trail: Logger;
  private readonly file: WriteStream | undefined;

  constructor(
    private readonly log: Logger,
    path: string | undefined,
  ) {
    if (path) {
      mkdirSync(dirname(path), { recursive: true });
      const file = createWriteStream(path, { flags: 'a', mode: 0o600 });
      file.on('error', (err) => log.error('audit.write_failed', { err }));
      this.file = file;
      this.trail = createLogger({ level: 'info', sinks: [{ write: (l) => file.write(l) }], base: { pid: process.pid } });
    } else {
      this.trail = createLogger({ sinks: [] });
    }
  }

  /**
   * A logger that writes to the main log and the trail both: for lines the sysop should
   * see as they happen and the trail should keep (refused-connect summaries).
   */
  tee(): Logger {
    return teeLoggers(this.log, this.trail);
  }

  connect(remote: string, protocol: Protocol): void {
    this.trail.info('audit.connect', { remote, protocol });
  }

  login(e: { remote: string; protocol: Protocol; handle: string; via: string; session?: string }): void {
    this.trail.info('audit.login', { remote: e.remote, protocol: e.protocol, handle: client(e.handle), via: e.via, session: e.session });
  }

  loginFailed(e: { remote: string; protocol: Protocol; name: string; session?: string }): void {
    this.trail.info('audit.login_failed', { remote: e.remote, protocol: e.protocol, name: client(e.name), session: e.session });
  }

  trap(e: { remote: string; protocol: Protocol; name: string; word: string; banned: boolean }): void {
    const fields = { remote: e.remote, protocol: e.protocol, word: e.word, name: client(e.name), banned: e.banned };
    this.trail.warn('security.trap', fields);
    this.log.warn('security.trap', fields);
  }

  ban(ban: Ban, by: string): void {
    const fields = {
      target: ban.target,
      source: ban.source,
      reason: client(ban.reason),
      expiresAt: ban.expiresAt === null ? null : new Date(ban.expiresAt).toISOString(),
      by,
    };
    this.trail.warn('security.ban', fields);
    this.log.warn('security.ban', fields);
  }

  unban(target: string, by: string): void {
    this.trail.info('security.unban', { target, by });
    this.log.info('security.unban', { target, by });
  }

  /** The control channel: connects, verbs (targets, never passwords) and refusals. */
  control(event: string, fields: Record<string, unknown>): void {
    this.trail.info(event, fields);
  }

  close(): Promise<void> {
    const f = this.file;
    return new Promise((resolve) => (f ? f.end(() => resolve()) : resolve()));
  }
}

function teeLoggers(a: Logger, b: Logger): Logger {
  const both = (level: 'debug' | 'info' | 'warn' | 'error') => (event: string, fields?: Record<string, unknown>) => {
    a[level](event, fields);
    b[level](event, fields);
  };
  return {
    debug: both('debug'),
    info: both('info'),
    warn: both('warn'),
    error: both('error'),
    child: (fields) => teeLoggers(a.child(fields), b.child(fields)),
  };
}
