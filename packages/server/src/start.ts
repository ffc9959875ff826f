import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, type BaseServer, type Logger, type ServerLimits } from '@carrier/core';
import { createBoard, type Board, type Bus } from '@carrier/engine';
import { RloginServer } from '@carrier/rlogin';
import { ensureHostKeys, SshServer } from '@carrier/ssh';
import { openStore, type Store } from '@carrier/store';
import { TelnetServer } from '@carrier/telnet';
import type { CarrierConfig } from './config-schema.js';
import { storeAuthenticator } from './ssh-auth.js';
import { chooseBus, openBus, storeOptions, type OpenedBus } from './backends.js';
import { startHealthServer, type HealthServer } from './health.js';
import { boardStats, processStats, type StatusSource } from './status-report.js';
import { parseMenuYaml } from './menu-yaml.js';
import { scryptParams, startSecurity, type Security } from './security/security.js';

export interface RunningBoard {
  board: Board;
  store: Store;
  bus: Bus;
  servers: BaseServer[];
  /** What `carrier status` and /metrics read from this process. */
  status: StatusSource;
  /** The health endpoint, when this process serves it. */
  health: HealthServer | undefined;
  /** Admission, bans, bot trap, penalties, audit and the session scope of this process. */
  security: Security;
  /** Tell callers, close listeners and sessions, close the database. */
  stop(reason?: string): Promise<void>;
}

export interface StartOptions {
  /** false in a cluster worker: the primary serves the endpoint for all workers */
  serveHealth?: boolean;
}

/** Wire the configured front ends to one board and start listening. */
export async function startBoard(cfg: CarrierConfig, log: Logger, opts: StartOptions = {}): Promise<RunningBoard> {
  mkdirSync(cfg.dataDir, { recursive: true });
  const busChoice = chooseBus(cfg);
  // Passwords are hashed at the configured cost; an older hash is upgraded at its next login.
  const store = await openStore({ ...storeOptions(cfg, log), passwordParams: scryptParams(cfg) });
  let security: Security;
  try {
    security = await startSecurity(cfg, { store, log });
  } catch (err) {
    await store.close();
    throw err;
  }
  // One name for this process in presence, on the bus and in the board's logs.
  const processId = `${hostname()}:${process.pid}`;
  let opened: OpenedBus;
  try {
    opened = await openBus(busChoice, log, processId);
  } catch (err) {
    await security.close();
    await store.close();
    throw err;
  }
  const bus: Bus = opened.bus;
  const board = createBoard({
    processId,
    name: cfg.board.name,
    store,
    bus,
    log,
    scriptsDir: cfg.paths.scripts,
    artDir: cfg.paths.art,
    menus: { dir: cfg.paths.menus, parse: parseMenuYaml },
    cacheDir: join(cfg.dataDir, 'cache'),
    loginGuard: security.policy,
    config: {
      idleTimeoutMs: cfg.session.idleTimeout,
      loginTimeoutMs: cfg.session.loginTimeout,
      maxDurationMs: cfg.session.maxDuration,
      maxLineLength: cfg.limits.maxLineLength,
      keyRate: { perSecond: cfg.limits.keysPerSecond, burst: cfg.limits.keyBurst },
      probeTimeoutMs: cfg.session.probeTimeout,
      maxLoginTries: cfg.session.maxLoginTries,
      startScript: 'matrix',
      authenticatedScript: 'main',
      defaultEncoding: cfg.session.defaultEncoding,
      chat: cfg.chat,
    },
  });

  const limits: ServerLimits = {
    ...DEFAULT_LIMITS,
    backlog: cfg.limits.backlog,
    maxConnections: cfg.limits.maxConnections,
    maxPerIp: cfg.limits.maxPerIp,
  };
  const servers: BaseServer[] = [];
  if (cfg.telnet.port !== 'off') {
    servers.push(
      new TelnetServer({
        host: cfg.host,
        port: cfg.telnet.port,
        limits,
        log,
        admission: security.admission,
        refusals: security.refusals,
        negotiationTimeoutMs: cfg.telnet.negotiationTimeout,
        maxSubnegotiation: cfg.telnet.maxSubnegotiation,
        defaultEncoding: cfg.session.defaultEncoding,
      }),
    );
  }
  if (cfg.ssh.port !== 'off') {
    servers.push(
      new SshServer({
        host: cfg.host,
        port: cfg.ssh.port,
        limits,
        log,
        admission: security.admission,
        refusals: security.refusals,
        hostKeys: await ensureHostKeys(cfg.dataDir),
        authenticator: security.guardSsh(storeAuthenticator(store)),
        graceTimeMs: cfg.ssh.graceTime,
        keepaliveIntervalMs: cfg.ssh.keepaliveInterval,
        banner: cfg.ssh.banner,
        maxAuthAttempts: cfg.ssh.maxAuthAttempts,
      }),
    );
  }
  if (cfg.rlogin.port !== 'off') {
    servers.push(
      new RloginServer({
        host: cfg.host,
        port: cfg.rlogin.port,
        limits,
        log,
        admission: security.admission,
        refusals: security.refusals,
        handshakeTimeoutMs: cfg.rlogin.handshakeTimeout,
        trusted: cfg.rlogin.trusted,
        synctermOrder: cfg.rlogin.synctermOrder,
      }),
    );
  }
  for (const server of servers) {
    // Inside the session's scope, so a stray rejection from it closes that session alone.
    server.on('connection', (conn) => security.scope.run(conn, () => board.attach(conn)));
    server.on('error', (err: Error) => log.error('server.error', { protocol: server.protocol, err }));
  }
  security.attach(servers, board);
  try {
    for (const server of servers) await server.listen();
  } catch (err) {
    for (const server of servers) await server.close().catch(() => undefined);
    await security.close();
    await bus.close();
    await store.close();
    throw err;
  }
  const status: StatusSource = { processId, board, store, busStatus: opened.status, busProcesses: opened.processes };
  let health: HealthServer | undefined;
  if (cfg.health.port !== 'off' && opts.serveHealth !== false) {
    health = await startHealthServer({
      host: cfg.health.host,
      port: cfg.health.port,
      log,
      report: async () => ({ at: Date.now(), board: await boardStats(status), processes: [processStats(status)] }),
    });
  }
  log.info('board.started', { name: cfg.board.name, frontEnds: servers.map((s) => ({ protocol: s.protocol, ...s.address() })) });

  let stopping: Promise<void> | undefined;
  const stop = (reason = 'shutdown'): Promise<void> =>
    (stopping ??= (async () => {
      log.info('board.stopping', { reason });
      security.quiesce();
      await board.shutdown('The board is going down for maintenance. Call again soon.');
      await Promise.all(servers.map((s) => s.close().catch((err) => log.warn('server.close_failed', { err }))));
      await health?.close();
      await security.close();
      // After the sessions ended: their presence is gone, and the bus can take this process off the board.
      await bus.close().catch((err: unknown) => log.warn('bus.close_failed', { err }));
      await store.close();
      log.info('board.stopped', { reason });
    })());
  return { board, store, bus, servers, status, health, security, stop };
}
