import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LIMITS, type BaseServer, type Logger, type ServerLimits } from '@carrier/core';
import { createBoard, InProcessBus, type Board, type Bus } from '@carrier/engine';
import { RloginServer } from '@carrier/rlogin';
import { ensureHostKeys, SshServer } from '@carrier/ssh';
import { openStore, type Store } from '@carrier/store';
import { TelnetServer } from '@carrier/telnet';
import type { CarrierConfig } from './config-schema.js';
import { storeAuthenticator } from './ssh-auth.js';

export interface RunningBoard {
  board: Board;
  store: Store;
  bus: Bus;
  servers: BaseServer[];
  /** Tell callers, close listeners and sessions, close the database. */
  stop(reason?: string): Promise<void>;
}

/** Wire the configured front ends to one board and start listening. */
export async function startBoard(cfg: CarrierConfig, log: Logger): Promise<RunningBoard> {
  mkdirSync(cfg.dataDir, { recursive: true });
  const store = await openStore({
    dataDir: cfg.dataDir,
    log,
    ...(cfg.database.url ? { databaseUrl: cfg.database.url, pool: { min: cfg.database.poolMin, max: cfg.database.poolMax } } : {}),
  });
  const bus: Bus = new InProcessBus(log);
  const board = createBoard({
    name: cfg.board.name,
    store,
    bus,
    log,
    scriptsDir: cfg.paths.scripts,
    artDir: cfg.paths.art,
    cacheDir: join(cfg.dataDir, 'cache'),
    config: {
      idleTimeoutMs: cfg.session.idleTimeout,
      loginTimeoutMs: cfg.session.loginTimeout,
      probeTimeoutMs: cfg.session.probeTimeout,
      maxLoginTries: cfg.session.maxLoginTries,
      startScript: 'matrix',
      authenticatedScript: 'main',
      defaultEncoding: cfg.session.defaultEncoding,
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
        hostKeys: await ensureHostKeys(cfg.dataDir),
        authenticator: storeAuthenticator(store),
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
        handshakeTimeoutMs: cfg.rlogin.handshakeTimeout,
        trusted: cfg.rlogin.trusted,
        synctermOrder: cfg.rlogin.synctermOrder,
      }),
    );
  }
  for (const server of servers) {
    server.on('connection', (conn) => board.attach(conn));
    server.on('error', (err: Error) => log.error('server.error', { protocol: server.protocol, err }));
  }
  try {
    for (const server of servers) await server.listen();
  } catch (err) {
    for (const server of servers) await server.close().catch(() => undefined);
    await store.close();
    throw err;
  }
  log.info('board.started', { name: cfg.board.name, frontEnds: servers.map((s) => ({ protocol: s.protocol, ...s.address() })) });

  let stopping: Promise<void> | undefined;
  const stop = (reason = 'shutdown'): Promise<void> =>
    (stopping ??= (async () => {
      log.info('board.stopping', { reason });
      await board.shutdown('The board is going down for maintenance. Call again soon.');
      await Promise.all(servers.map((s) => s.close().catch((err) => log.warn('server.close_failed', { err }))));
      await store.close();
      log.info('board.stopped', { reason });
    })());
  return { board, store, bus, servers, stop };
}
