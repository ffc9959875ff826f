import type { Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { clearProcessPresence, newProcessId } from '@carrier/engine';
import type { Logger } from '@carrier/core';
import { openStore } from '@carrier/store';
import { chooseBus, storeOptions } from './backends.js';
import type { CarrierConfig } from './config-schema.js';
import { nodeCluster } from './cluster-role.js';
import { startHealthServer, type HealthServer } from './health.js';
import type { RunningBoard } from './start.js';
import { PROCESS_NONCE_ENV } from './process-calls.js';
import { boardStats, processStats, type BoardStats, type ProcessStats, type StatusReport } from './status-report.js';

/**
 * `carrier start --workers N`: N full carrier processes sharing the listening ports.
 *
 * Node 20 has no SO_REUSEPORT in net (`listen({ reusePort })` arrived in Node 22/23), so
 * this is node:cluster: the primary owns the listening sockets and hands each accepted
 * connection to a worker in turn (round robin, the default on Linux). That spreads
 * callers evenly, where kernel accept() wake-ups without reuseport favour a few busy
 * processes. Each worker is a whole node: its own sessions, a Redis bus connection and a
 * database pool; who's online and chat span them through the bus.
 *
 * The primary prepares what workers would otherwise race for (migrations, ssh host
 * keys), restarts a worker that dies, clears the dead worker's callers from who's online
 * at once, and serves the health endpoint for all of them.
 */

/** A worker that dies sooner than this after its start is crash-looping: back off. */
const HEALTHY_UPTIME_MS = 10_000;
/** What a carrier process exits with on a config it refuses (the CLI's code for invalid config). */
const CONFIG_EXIT_CODE = 2;
/** Restart delays for a crash loop double from the first up to the last. */
const FIRST_RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;
/** Workers get this long to tell callers goodbye and close their stores on shutdown. */
const STOP_DEADLINE_MS = 15_000;
/** A worker that does not answer a stats request within this is left out of the report. */
const STATS_TIMEOUT_MS = 2_000;

interface StatsRequest {
  carrier: 'stats?';
  id: number;
  board: boolean;
}
interface StatsReply {
  carrier: 'stats';
  id: number;
  process: ProcessStats;
  board?: BoardStats;
}

function isStatsRequest(m: unknown): m is StatsRequest {
  return typeof m === 'object' && m !== null && (m as StatsRequest).carrier === 'stats?' && typeof (m as StatsRequest).id === 'number';
}
function isStatsReply(m: unknown): m is StatsReply {
  return typeof m === 'object' && m !== null && (m as StatsReply).carrier === 'stats' && typeof (m as StatsReply).id === 'number';
}

/**
 * In a worker: answer the primary's stats requests, and stop when the primary is gone
 * (its IPC channel closes: a kill -9, a crash) rather than serve on as an orphan nobody
 * can stop. node:cluster would exit the worker at once on that disconnect (no goodbye to
 * callers, calls left open, presence left to expire); marking the disconnect as expected
 * lets the worker stop the way SIGTERM stops it, within STOP_DEADLINE_MS, then exit. The
 * supervisor (systemd, Docker's restart policy) starts the board again.
 */
export function serveWorker(running: RunningBoard, stop: (reason: string) => void): void {
  const cluster = nodeCluster();
  process.on('message', (m: unknown) => {
    if (!isStatsRequest(m)) return;
    void (async () => {
      const reply: StatsReply = { carrier: 'stats', id: m.id, process: processStats(running.status) };
      if (m.board) reply.board = await boardStats(running.status);
      process.send?.(reply);
    })().catch(() => undefined);
  });
  cluster.worker?.once('disconnect', () => {
    if (cluster.worker) cluster.worker.exitedAfterDisconnect = true;
    setTimeout(() => process.exit(1), STOP_DEADLINE_MS).unref();
    stop('cluster primary gone');
  });
}

/**
 * Run the primary until SIGTERM/SIGINT; resolves once every worker has exited, with the
 * exit code for the CLI: 0, or 2 when a worker refused its config at start (a files.yaml
 * or menu with problems): restarting it could only fail the same way, forever.
 */
export async function runPrimary(cfg: CarrierConfig, workers: number, log: Logger): Promise<number> {
  const primaryLog = log.child({ component: 'cluster' });
  const cluster = nodeCluster();
  const bus = chooseBus({ ...cfg, workers });
  if (bus.kind !== 'redis') throw new Error('unreachable: chooseBus refuses workers without Redis');

  // Migrate once and make host keys once, before N workers would all try. The store stays
  // open (one connection at most) to end the calls of a worker that dies.
  const store = await openStore(storeOptions(cfg, primaryLog, { min: 0, max: 1 }));
  if (cfg.ssh.port !== 'off') await (await import('@carrier/ssh')).ensureHostKeys(cfg.dataDir);

  const live = new Map<number, { worker: Worker; startedAt: number; nonce: string }>();
  let stopping = false;
  let stopAll: ((why: string) => void) | undefined;
  let exitCode = 0;
  let restartDelay = FIRST_RESTART_DELAY_MS;
  let statsSeq = 0;

  const fork = (): void => {
    const nonce = randomBytes(4).toString('hex');
    const worker = cluster.fork({ [PROCESS_NONCE_ENV]: nonce });
    live.set(worker.id, { worker, startedAt: Date.now(), nonce });
    primaryLog.info('cluster.worker_started', { worker: worker.id, workerPid: worker.process.pid });
  };

  cluster.on('exit', (worker, code, signal) => {
    const entry = live.get(worker.id);
    live.delete(worker.id);
    if (stopping) return;
    const pid = worker.process.pid;
    const uptime = entry ? Date.now() - entry.startedAt : 0;
    primaryLog.error('cluster.worker_died', { worker: worker.id, workerPid: pid, code, signal, uptimeMs: uptime });
    if (code === CONFIG_EXIT_CODE && uptime < HEALTHY_UPTIME_MS) {
      // Its stderr named the file and key; the board stops rather than restart it for ever.
      primaryLog.error('cluster.worker_config_refused', { worker: worker.id, workerPid: pid });
      exitCode = CONFIG_EXIT_CODE;
      stopAll?.('worker config refused');
      return;
    }
    restartDelay = uptime >= HEALTHY_UPTIME_MS ? FIRST_RESTART_DELAY_MS : Math.min(restartDelay * 2, MAX_RESTART_DELAY_MS);
    const delay = uptime >= HEALTHY_UPTIME_MS ? 0 : restartDelay;
    if (pid !== undefined && entry) {
      // Its callers are gone with it; don't make the rest of the board wait for the heartbeat
      // TTL. Its calls end now: the primary saw it alive until this moment.
      const processId = newProcessId(pid, entry.nonce);
      const diedAt = Date.now();
      void clearProcessPresence({ url: bus.url, keyPrefix: bus.keyPrefix, processId, log: primaryLog }).then((n) =>
        primaryLog.info('cluster.presence_cleared', { workerPid: pid, processId, callers: n }),
      );
      store.calls
        .endProcess(processId, diedAt, 'process died')
        .then((calls) => primaryLog.info('calls.ended_for_dead_process', { processId, lastSeenAt: diedAt, calls }))
        .catch((err: unknown) => primaryLog.warn('calls.end_for_dead_process_failed', { processId, err }));
    }
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });

  const report = async (): Promise<StatusReport> => {
    const id = ++statsSeq;
    const targets = [...live.values()].map((e) => e.worker).filter((w) => w.isConnected());
    const replies = await Promise.all(
      targets.map(
        (w, i) =>
          new Promise<StatsReply | undefined>((resolve) => {
            const timer = setTimeout(() => finish(undefined), STATS_TIMEOUT_MS);
            const onMessage = (m: unknown) => {
              if (isStatsReply(m) && m.id === id) finish(m);
            };
            const finish = (r: StatsReply | undefined) => {
              clearTimeout(timer);
              w.off('message', onMessage);
              resolve(r);
            };
            w.on('message', onMessage);
            // One worker is enough for the board-wide figures: presence spans them all.
            w.send({ carrier: 'stats?', id, board: i === 0 } satisfies StatsRequest, (err: Error | null) => {
              if (err) finish(undefined);
            });
          }),
      ),
    );
    const got = replies.filter((r): r is StatsReply => r !== undefined);
    const board = got.find((r) => r.board)?.board ?? {
      processes: [],
      callersByProtocol: {},
      loggingIn: 0,
      nodesInUse: 0,
      db: { up: false, error: 'no worker answered' },
      bans: null,
    };
    return { at: Date.now(), board, processes: got.map((r) => r.process) };
  };

  let health: HealthServer | undefined;
  if (cfg.health.port !== 'off') {
    health = await startHealthServer({ host: cfg.health.host, port: cfg.health.port, log: primaryLog, report });
  }
  primaryLog.info('cluster.started', { workers });
  for (let i = 0; i < workers; i++) fork();

  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      primaryLog.info('cluster.stopping', { signal, workers: live.size });
      const all = [...live.values()].map((e) => e.worker);
      const deadline = setTimeout(() => {
        for (const w of all) if (!w.isDead()) w.process.kill('SIGKILL');
      }, STOP_DEADLINE_MS);
      let left = all.filter((w) => !w.isDead()).length;
      const done = (): void => {
        clearTimeout(deadline);
        void (health?.close() ?? Promise.resolve()).then(() => resolve());
      };
      if (left === 0) return done();
      for (const w of all) {
        w.once('exit', () => {
          if (--left === 0) done();
        });
        w.process.kill('SIGTERM');
      }
    };
    stopAll = stop;
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  await store.close().catch((err: unknown) => primaryLog.warn('store.close_failed', { err }));
  primaryLog.info('cluster.stopped', { exitCode });
  return exitCode;
}
