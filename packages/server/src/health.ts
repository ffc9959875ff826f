import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@carrier/core';
import { renderMetrics } from './status-format.js';
import type { StatusReport } from './status-report.js';

/**
 * The health and metrics endpoint (off by default; bind it to a private address):
 *   GET /health   JSON: { status: "ok" | "degraded", problems: [...], ...StatusReport }
 *                 (on the web port, web.health: { status } alone, see HealthAudience).
 *                 200 while the process serves callers, degraded or not: every node shares
 *                 the database and the bus, so taking one out of a balancer would not help
 *                 and restarting it would drop its callers.
 *   GET /metrics  Prometheus text format.
 */
export interface HealthServerOptions {
  host: string;
  port: number;
  log: Logger;
  report(): Promise<StatusReport>;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/** A scraper that stalls or trickles a request is cut off; the endpoint must never hold sockets open. */
const REQUEST_TIMEOUT_MS = 5_000;
/** Scrapers and health checks, not the public: a handful of sockets at most. */
const MAX_SOCKETS = 32;

export function healthOf(r: StatusReport): { status: 'ok' | 'degraded'; problems: string[] } {
  const problems: string[] = [];
  if (!r.board.db.up) problems.push(`database unavailable: ${r.board.db.error ?? 'no answer'}`);
  for (const p of r.processes) if (!p.bus.connected) problems.push(`${p.processId}: bus disconnected (chat and who's online are node-local)`);
  return { status: problems.length === 0 ? 'ok' : 'degraded', problems };
}

/**
 * Who a /health answer is for. `private` (health.port, bound to a private address): the
 * whole report. `public` (web.health, on the callers' port): the status alone, since the
 * report names pids, memory, ban counts and pool figures that are nobody else's business.
 */
export type HealthAudience = 'private' | 'public';


/**
 * One /health or /metrics answer; the health port and the web port (web.health,
 * web.metrics) both serve through this.
 */
export function answerStatus(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  what: 'health' | 'metrics',
  report: () => Promise<StatusReport>,
  log: Logger,
  audience: HealthAudience,
): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  report().then(
    (r) => {
      if (what === 'metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(renderMetrics(r));
      } else {
        const health = healthOf(r);
        const body = audience === 'public' ? { status: health.status } : { ...health, ...r };
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(`${JSON.stringify(body)}\n`);
      }
    },
    (err: unknown) => {
      log.warn('health.report_failed', { err });
      res.writeHead(500, { 'content-type': 'text/plain' }).end('status unavailable\n');
    },
  );
}

export async function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const log = opts.log.child({ component: 'health' });
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/health' && path !== '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /health or /metrics\n');
      return;
    }
    answerStatus(req, res, path === '/metrics' ? 'metrics' : 'health', opts.report, log, 'private');
  });
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  server.maxConnections = MAX_SOCKETS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error('health.error', { err }));
  const { port } = server.address() as AddressInfo;
  log.info('health.listen', { host: opts.host, port });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
