import { explainListenError } from './start-error.js';
import { mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_LIMITS, type BaseServer, type Logger, type ServerLimits } from '@carrier/core';
import { attachMessageAreas, BoardDoors, BoardFiles, createBoard, DownloadLinks, LINK_ROUTE, newProcessId, sftpBackendFor, type Board, type Bus } from '@carrier/engine';
import { openStore, type Store } from '@carrier/store';
import { TelnetServer } from '@carrier/telnet';
import { configureViews } from '@carrier/terminal';
// The front ends are loaded only when configured on: ssh2 alone is ~12 MiB of RSS.
import type { WebServer } from '@carrier/web';
import type { CarrierConfig } from './config-schema.js';
import { storeAuthenticator } from './ssh-auth.js';
import { chooseBus, openBus, storeOptions, type OpenedBus } from './backends.js';
import { answerStatus, startHealthServer, type HealthServer } from './health.js';
import { recentReport } from './recent-report.js';
import { boardStats, processStats, type StatusSource } from './status-report.js';
import { parseMenuYaml } from './menu-yaml.js';
import { requireFilesConfig } from './files-command.js';
import { scryptParams, startSecurity, type Security } from './security/security.js';
import { CleanupStack } from './cleanup-stack.js';
import { startIdleCollector } from './idle-collector.js';
import { LogTap } from './control/log-tap.js';
import { startControl, type RunningControl } from './control/start-control.js';
import { endCallsOf, PROCESS_NONCE_ENV, watchProcesses } from './process-calls.js';

/** How long a /health or /metrics report on the callers' web port is reused. */
const PUBLIC_REPORT_MS = 1_000;

export interface RunningBoard {
  board: Board;
  store: Store;
  bus: Bus;
  servers: BaseServer[];
  /** What `carrier status` and /metrics read from this process. */
  status: StatusSource;
  /** The health endpoint, when this process serves it. */
  health: HealthServer | undefined;
  /** The browser front end's HTTP server (web.port), for routes of other parts: `web.route(prefix, handler)`. */
  web: WebServer | undefined;
  /** Admission, bans, bot trap, penalties, audit and the session scope of this process. */
  security: Security;
  /** The sysop's control channel (`<dataDir>/control.sock`), when enabled and listening. */
  control: RunningControl | undefined;
  /** Tell callers, close listeners and sessions, close the database. */
  stop(reason?: string): Promise<void>;
}

export interface StartOptions {
  /** false in a cluster worker: the primary serves the endpoint for all workers */
  serveHealth?: boolean;
  /** A sysop asked for a shutdown over the control channel; default: stop() */
  requestStop?: (reason: string) => void;
}

/**
 * Wire the configured front ends to one board and start listening. Everything opened on
 * the way is deferred onto one cleanup stack: a start that fails closes what it had
 * opened (then rethrows), and stop() runs the same stack.
 */
export async function startBoard(cfg: CarrierConfig, rootLog: Logger, opts: StartOptions = {}): Promise<RunningBoard> {
  const stack = new CleanupStack();
  try {
    return await assembleBoard(cfg, rootLog, opts, stack);
  } catch (err) {
    await stack.dispose().catch((cleanupErr: unknown) => rootLog.warn('board.start_cleanup_failed', { err: cleanupErr }));
    throw err;
  }
}

/** The parts, in order; each close is deferred as soon as its part exists (closed last-first). */
async function assembleBoard(cfg: CarrierConfig, rootLog: Logger, opts: StartOptions, stack: CleanupStack): Promise<RunningBoard> {
  // The sysop console's log tail reads everything the board logs through this tap.
  const logTap = new LogTap();
  const log = logTap.wrap(rootLog);
  mkdirSync(cfg.dataDir, { recursive: true });
  const busChoice = chooseBus(cfg);
  // One name for this start of this process, in presence, on the bus, on its calls and in
  // the board's logs: host:pid:random (a cluster worker's random part comes from its primary).
  const processId = newProcessId(process.pid, process.env[PROCESS_NONCE_ENV] || undefined);
  // Passwords are hashed at the configured cost; an older hash is upgraded at its next login.
  const store = await openStore({ ...storeOptions(cfg, log), passwordParams: scryptParams(cfg), processId });
  stack.defer(() => store.close());
  const security = await startSecurity(cfg, { store, log });
  stack.defer(() => security.close());
  // Calls a dead process left open end at its last sign of life: the Redis bus reports
  // the processes this one reaps at once; every process beats in the database and sweeps
  // for the rest (see process-calls.ts).
  const opened: OpenedBus = await openBus(busChoice, log, processId, endCallsOf(store, log));
  const bus: Bus = opened.bus;
  // A ban made here is in force on the board's other processes at once, not at their next poll.
  security.shareBans(bus, processId);
  // At a stop this runs after the sessions ended: their presence is gone, and the bus can take this process off the board.
  stack.defer(() => bus.close().catch((err: unknown) => log.warn('bus.close_failed', { err })));
  stack.defer(await watchProcesses({ store, dataDir: cfg.dataDir, processId, log, alone: busChoice.kind === 'in-process' }));
  const v = cfg.limits.view;
  configureViews({ maxCols: v.maxCols, maxRows: v.maxRows, maxCells: v.maxCells, resizeDelayMs: v.resizeDelay, cpuMsPerSecond: v.cpuMsPerSecond, cpuBurstMs: v.cpuBurstMs });
  // File areas (config/files.yaml): folders made, the index synced in the background, optional watch.
  const files = new BoardFiles({ file: resolve(cfg.files.file), parse: parseMenuYaml, dataDir: resolve(cfg.dataDir), store, log });
  // A files.yaml with problems stops the start (exit 2, file and key), as carrier.yaml does.
  await requireFilesConfig(files);
  const filesStarting = files
    .ensureFolders()
    .then(() => files.sweepQuarantine())
    .then(() => files.scan())
    .then(() => files.watchFolders())
    .catch((err: unknown) => log.warn('files.start_failed', { err }));
  // The first scan uses the store: let it end before the store closes (a failed start or a
  // stop during it would leave a query waiting on a closed pool), then drop the watchers.
  stack.defer(async () => {
    await filesStarting;
    files.close();
  });
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
    doors: new BoardDoors({
      file: cfg.doors.file,
      parse: parseMenuYaml,
      dataDir: resolve(cfg.dataDir),
      log,
      software: 'carrier 0.1.0',
      sysopName: cfg.board.sysop,
      prlimit: cfg.doors.prlimit,
      killGraceMs: cfg.doors.killGrace,
    }),
    files,
    config: {
      idleTimeoutMs: cfg.session.idleTimeout,
      loginTimeoutMs: cfg.session.loginTimeout,
      maxDurationMs: cfg.session.maxDuration,
      maxLineLength: cfg.limits.maxLineLength,
      keyRate: { perSecond: cfg.limits.keysPerSecond, burst: cfg.limits.keyBurst },
      probeTimeoutMs: cfg.session.probeTimeout,
      chatRequestTimeoutMs: cfg.limits.chatRequestTimeout,
      maxLoginTries: cfg.session.maxLoginTries,
      startScript: 'matrix',
      authenticatedScript: 'main',
      defaultEncoding: cfg.session.defaultEncoding,
      chat: cfg.chat,
    },
  });
  const servers: BaseServer[] = [];
  // The listeners close after the board has told its callers (deferred first, so run later).
  stack.defer(() => Promise.all(servers.map((s) => s.close().catch((err: unknown) => log.warn('server.close_failed', { err })))));
  stack.defer(() => board.shutdown('The board is going down for maintenance. Call again soon.'));
  // An empty board gives back the young generation a burst of calls grew (idle-collector.ts).
  const idleCollector = startIdleCollector({ callers: () => board.sessions().length, log });
  stack.defer(() => idleCollector.stop());
  // Message areas (config/messages.yaml), re-read when the file changes.
  attachMessageAreas(board, { file: resolve(cfg.messages.file), parse: parseMenuYaml, log });

  const limits: ServerLimits = {
    ...DEFAULT_LIMITS,
    backlog: cfg.limits.backlog,
    maxConnections: cfg.limits.maxConnections,
    maxPerIp: cfg.limits.maxPerIp,
  };
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
    const { ensureHostKeys, SshServer } = await import('@carrier/ssh');
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
        // SFTP on the same login: the areas as folders, writes into the quarantine.
        sftp: (user) => sftpBackendFor(files, user),
        graceTimeMs: cfg.ssh.graceTime,
        keepaliveIntervalMs: cfg.ssh.keepaliveInterval,
        banner: cfg.ssh.banner,
        maxAuthAttempts: cfg.ssh.maxAuthAttempts,
        maxPasswordTries: cfg.session.maxLoginTries,
        keyboardInteractive: cfg.ssh.keyboardInteractive,
      }),
    );
  }
  if (cfg.rlogin.port !== 'off') {
    const { RloginServer } = await import('@carrier/rlogin');
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
  let web: WebServer | undefined;
  if (cfg.web.port !== 'off') {
    const tls = cfg.web.tls.cert && cfg.web.tls.key ? { cert: readFileSync(resolve(cfg.web.tls.cert)), key: readFileSync(resolve(cfg.web.tls.key)) } : undefined;
    const { WebServer } = await import('@carrier/web');
    web = new WebServer({
      host: cfg.host,
      port: cfg.web.port,
      limits,
      log,
      admission: security.admission,
      refusals: security.refusals,
      title: cfg.board.name,
      tls,
      trustedProxies: cfg.web.trustedProxies,
      allowedOrigins: cfg.web.allowedOrigins,
      customCss: cfg.web.customCss ? resolve(cfg.web.customCss) : undefined,
      sftpPort: () => servers.find((s) => s.protocol === 'ssh')?.address().port,
      frameRate: { perSecond: cfg.limits.keysPerSecond, burst: cfg.limits.keyBurst },
      helloTimeoutMs: cfg.web.helloTimeout,
    });
    servers.push(web);
  }
  for (const server of servers) {
    // Inside the session's scope, so a stray rejection from it closes that session alone.
    server.on('connection', (conn) => security.scope.run(conn, () => board.attach(conn)));
    server.on('error', (err: Error) => log.error('server.error', { protocol: server.protocol, err }));
  }
  security.attach(servers, board);
  for (const server of servers) {
    try {
      await server.listen();
    } catch (err) {
      throw explainListenError(err, { protocol: server.protocol, host: cfg.host, port: portOf(cfg, server.protocol) });
    }
  }
  const status: StatusSource = { processId, board, store, busStatus: opened.status, busProcesses: opened.processes };
  if (web) {
    // Download links (file area W): signed with a secret in the data dir, served under /dl.
    const links = new DownloadLinks({
      files,
      secretFile: join(cfg.dataDir, 'download-links.key'),
      countedDir: join(cfg.dataDir, 'download-links.counted'),
      baseUrl: webUrl(cfg, web),
      log,
    });
    web.route(LINK_ROUTE, (req, res, ctx) => links.serve(req, res, ctx));
    files.links = links;
  }
  if (web && opts.serveHealth !== false) {
    // /health and /metrics on the web port too (in a cluster the primary's health port has every worker).
    // The callers' port answers /health with the status alone; the details stay on health.port.
    // Anyone may ask the callers' port: one report a second serves them all (each queries the database).
    const report = recentReport(async () => ({ at: Date.now(), board: await boardStats(status), processes: [processStats(status)] }), PUBLIC_REPORT_MS);
    if (cfg.web.health) web.route('/health', (req, res) => answerStatus(req, res, 'health', report, log, 'public'));
    if (cfg.web.metrics) web.route('/metrics', (req, res) => answerStatus(req, res, 'metrics', report, log, 'public'));
  }
  let health: HealthServer | undefined;
  if (cfg.health.port !== 'off' && opts.serveHealth !== false) {
    health = await startHealthServer({
      host: cfg.health.host,
      port: cfg.health.port,
      log,
      report: async () => ({ at: Date.now(), board: await boardStats(status), processes: [processStats(status)] }),
    });
    const h = health;
    stack.defer(() => h.close());
  }
  const control = await startControl(cfg, {
    board,
    bus,
    store,
    bans: security.bans,
    audit: security.audit,
    logTap,
    log,
    stop: (reason) => (opts.requestStop ? opts.requestStop(reason) : void stop(reason)),
  });
  stack.defer(() => control?.close());
  // Runs first at a stop: no new caller is let in while the rest closes.
  stack.defer(() => security.quiesce());
  log.info('board.started', { name: cfg.board.name, frontEnds: servers.map((s) => ({ protocol: s.protocol, ...s.address() })) });

  let stopping: Promise<void> | undefined;
  const stop = (reason = 'shutdown'): Promise<void> =>
    (stopping ??= (async () => {
      log.info('board.stopping', { reason });
      // quiesce, control, health, the board (callers told), listeners, bus, security, store
      await stack.dispose();
      log.info('board.stopped', { reason });
    })());
  return { board, store, bus, servers, status, health, web, security, control, stop };
}

/** How callers reach the web port: web.publicUrl, else http(s)://<host>:<bound port> (the machine's name for a wildcard host). */
function webUrl(cfg: CarrierConfig, web: WebServer): string {
  if (cfg.web.publicUrl) return cfg.web.publicUrl.replace(/\/+$/, '');
  const host = cfg.host === '0.0.0.0' || cfg.host === '::' || cfg.host === '' ? hostname() : cfg.host;
  const tls = Boolean(cfg.web.tls.cert && cfg.web.tls.key);
  return `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${web.address().port}`;
}

/** The configured port of a front end, for a start error's message. */
function portOf(cfg: CarrierConfig, protocol: string): number | string {
  switch (protocol) {
    case 'telnet':
      return cfg.telnet.port;
    case 'ssh':
      return cfg.ssh.port;
    case 'rlogin':
      return cfg.rlogin.port;
    case 'websocket':
      return cfg.web.port;
    default:
      return '?';
  }
}
