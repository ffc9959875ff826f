import http from 'node:http';
import { createRequire } from 'node:module';
import type net from 'node:net';
import type { WebSocket, WebSocketServer as WsServer } from 'ws';
import {
  Admission,
  BaseServer,
  client,
  normalizeAddress,
  RefusalLog,
  type AcceptContext,
  type AcceptGate,
  type BaseServerOptions,
  type Connection,
} from '@carrier/core';
import { assetVersion, loadAssets, newNonce, renderPage, type Asset } from './assets.js';
import { ForwardedResolver } from './forwarded.js';
import { terminalFromQuery, WebConnection } from './web-connection.js';

const require = createRequire(import.meta.url);

/**
 * ws, loaded at the first WebSocket: a board nobody has opened in a browser does without
 * it (and without node:https and node:tls, which it loads). Required, not imported: as
 * ESM, Node would scan its eight CommonJS files for their export names with the JavaScript
 * cjs-module-lexer, which gets hot enough for TurboFan, and in about one start in four or
 * five the compiler's 3.5 MiB of malloc stayed resident (docs/benchmarks.md, idle memory).
 */
function loadWs(): typeof import('ws') {
  return require('ws') as typeof import('ws');
}

/** A route another part of carrier serves on this port (health, metrics, file downloads). */
export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse, ctx: { remoteAddress: string; path: string }) => void | Promise<void>;

export interface WebServerOptions extends Omit<BaseServerOptions, 'protocol'> {
  /** the board's name: the page's title */
  title: string;
  /** PEM certificate and key: HTTPS and WSS instead of HTTP and WS */
  tls?: { cert: string | Buffer; key: string | Buffer } | undefined;
  /** proxies whose X-Forwarded-For names the caller (addresses or CIDRs) */
  trustedProxies?: readonly string[];
  /** origins besides the page's own allowed to open /ws, e.g. `https://bbs.example.org` */
  allowedOrigins?: readonly string[];
  /** the board's ssh port (once listening) when ssh, and with it SFTP, is on: the page names it where it says how to upload */
  sftpPort?: (() => number | undefined) | undefined;
  /** a sysop's CSS file, served as /assets/custom.css after the page's own */
  customCss?: string | undefined;
  /** the per-session key rate, applied to input frames: frames over it wait */
  frameRate: { perSecond: number; burst: number };
  /** frames (and bytes) waiting behind the rate past which a caller is cut off (default FRAME_BACKLOG) */
  frameBacklog?: { frames: number; bytes: number } | undefined;
  /** largest frame accepted; a larger one closes the connection before it is buffered (default 64 KiB) */
  maxPayload?: number;
  /** time a page has to send its terminal after the upgrade (default 10 s) */
  helloTimeoutMs?: number;
  /** time a client has to send a whole request's headers (default 10 s) */
  headersTimeoutMs?: number;
  /** HTTP sockets (page loads, upgrades in progress) from one address (default 32) */
  maxHttpPerIp?: number;
}

export const WEB_DEFAULTS = {
  maxPayload: 64 * 1024,
  helloTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  /** a whole request, body included (the page sends none) */
  requestTimeoutMs: 15_000,
  /** an idle keep-alive socket after a page load */
  keepAliveTimeoutMs: 5_000,
  maxHttpPerIp: 32,
  maxOutputBuffer: 1024 * 1024,
  resizeIntervalMs: 100,
  pingIntervalMs: 30_000,
} as const;

/** Lines about requests for paths that are not there, per minute; the rest are counted. */
const NOT_FOUND_LINES_PER_MINUTE = 20;

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
};

function csp(nonce: string | undefined): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    nonce ? `style-src 'self' 'nonce-${nonce}'` : "style-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "img-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The browser front end: one HTTP(S) port serving the terminal page and its assets at
 * `/`, a WebSocket at `/ws`, and routes other parts of carrier register (health, metrics).
 * Only a WebSocket is a caller: it goes through the same ban gate and Admission as a
 * telnet socket (per-address and per-network caps, MaxStartups, the accept log), with the
 * address a trusted proxy vouches for. Page loads are bounded separately (a per-address
 * socket cap and header/request timeouts) and never take a caller's place.
 */
export class WebServer extends BaseServer {
  private readonly opts: WebServerOptions;
  private readonly http: http.Server;
  private wssRef: WsServer | undefined;
  private readonly assets: Map<string, Asset>;
  private readonly forwarded: ForwardedResolver;
  private readonly allowedOrigins: Set<string>;
  private readonly admissionRef: Admission;
  private readonly refusalsRef: RefusalLog;
  private readonly routes: { prefix: string; handler: RouteHandler }[] = [];
  private readonly httpPerIp = new Map<string, number>();
  private readonly httpSockets = new Set<net.Socket>();
  /** upgraded sockets that hold an admission ticket */
  private readonly callers = new Set<net.Socket>();
  private readonly callersPerIp = new Map<string, number>();
  private webGate: AcceptGate | undefined;
  private bound: { host: string; port: number };
  private shuttingDown = false;
  private notFoundWindow = { startedAt: 0, lines: 0, suppressed: 0 };

  constructor(opts: WebServerOptions) {
    const admission =
      opts.admission ??
      new Admission({ maxConnections: opts.limits.maxConnections, maxPerIp: opts.limits.maxPerIp, maxPerSubnet: Number.POSITIVE_INFINITY });
    const refusals = opts.refusals ?? new RefusalLog(opts.log.child({ frontEnd: 'websocket' }));
    super({ ...opts, protocol: 'websocket', admission, refusals });
    this.opts = opts;
    this.admissionRef = admission;
    this.refusalsRef = refusals;
    this.webGate = opts.gate;
    this.bound = { host: opts.host, port: opts.port };
    this.forwarded = new ForwardedResolver(opts.trustedProxies ?? []);
    this.allowedOrigins = new Set((opts.allowedOrigins ?? []).map((o) => o.trim().toLowerCase().replace(/\/+$/, '')));
    this.assets = loadAssets({ customCss: opts.customCss });
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => this.onRequest(req, res);
    // Header and request deadlines are checked this often (Node's default is every 30 s).
    const httpOptions = { connectionsCheckingInterval: 1000, maxHeaderSize: 16 * 1024 };
    this.http = opts.tls
      ? (require('node:https') as typeof import('node:https')).createServer({ ...httpOptions, cert: opts.tls.cert, key: opts.tls.key }, onRequest)
      : http.createServer(httpOptions, onRequest);
    this.http.headersTimeout = opts.headersTimeoutMs ?? WEB_DEFAULTS.headersTimeoutMs;
    this.http.requestTimeout = Math.max(WEB_DEFAULTS.requestTimeoutMs, this.http.headersTimeout);
    this.http.keepAliveTimeout = WEB_DEFAULTS.keepAliveTimeoutMs;
    this.http.maxHeadersCount = 64;
    this.http.on('connection', (s: net.Socket) => this.onTcp(s));
    this.http.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => this.onUpgrade(req, socket, head));
    this.http.on('clientError', (err: Error & { code?: string }, socket: net.Socket) => this.onClientError(err, socket));
    this.http.on('tlsClientError', (err: Error & { code?: string }, socket: net.Socket) => {
      this.log.info('web.tls_error', { remote: normalizeAddress(socket.remoteAddress), code: client(String(err.code ?? err.message)) });
    });
    this.http.on('error', (err) => this.emit('error', err));
  }

  /**
   * Serve `prefix` (e.g. `/files/`) with `handler`. The longest matching prefix wins;
   * the page's own paths (`/`, `/assets/`, `/ws`) cannot be taken.
   */
  route(prefix: string, handler: RouteHandler): void {
    if (!prefix.startsWith('/') || prefix === '/' || prefix.startsWith('/assets/') || prefix === '/ws') {
      throw new Error(`web route ${prefix}: must start with / and not be /, /ws or under /assets/`);
    }
    this.routes.push({ prefix, handler });
    this.routes.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  override setGate(gate: AcceptGate | undefined): void {
    super.setGate(gate);
    this.webGate = gate;
  }

  protected handleSocket(socket: net.Socket, _ctx: AcceptContext): void {
    // Never called: this front end accepts on its own HTTP server, not core's net.Server.
    socket.destroy();
  }

  // --- HTTP -------------------------------------------------------------------------

  private onTcp(socket: net.Socket): void {
    const peer = normalizeAddress(socket.remoteAddress);
    socket.on('error', () => undefined);
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    // A banned address is cut at once, unless it is a proxy speaking for others.
    if (!this.forwarded.isTrusted(peer)) {
      const gate = this.webGate?.(peer, 'websocket');
      if (gate && !gate.allow) {
        this.refusalsRef.note(peer, 'websocket', gate.reason);
        socket.destroy();
        return;
      }
    }
    const n = this.httpPerIp.get(peer) ?? 0;
    const cap = this.forwarded.isTrusted(peer) ? Number.POSITIVE_INFINITY : (this.opts.maxHttpPerIp ?? WEB_DEFAULTS.maxHttpPerIp);
    if (n >= cap) {
      this.refusalsRef.note(peer, 'websocket', 'too many web connections from your address');
      socket.destroy();
      return;
    }
    this.httpPerIp.set(peer, n + 1);
    this.httpSockets.add(socket);
    socket.once('close', () => {
      this.httpSockets.delete(socket);
      decrement(this.httpPerIp, peer);
    });
  }

  private onClientError(err: Error & { code?: string }, socket: net.Socket): void {
    const code = err.code ?? 'ERR';
    const remote = normalizeAddress(socket.remoteAddress);
    if (code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    // Slowloris (headers never finish), oversized headers, or not HTTP at all.
    const status = code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    this.log.info('web.bad_request', { remote, code: client(code), status: status.slice(0, 3) });
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  /** The WebSocket server, made at the first upgrade. */
  private get wss(): WsServer {
    return (this.wssRef ??= new (loadWs().WebSocketServer)({
      noServer: true,
      maxPayload: this.opts.maxPayload ?? WEB_DEFAULTS.maxPayload,
      perMessageDeflate: false,
      clientTracking: false,
    }));
  }

  private remoteOf(req: http.IncomingMessage): string {
    return this.forwarded.resolve(normalizeAddress(req.socket.remoteAddress), req.headers['x-forwarded-for']);
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const path = pathOf(req.url);
    if (path === undefined) {
      this.plain(res, 400, 'bad request\n');
      return;
    }
    const remote = this.remoteOf(req);
    if (this.forwarded.isTrusted(normalizeAddress(req.socket.remoteAddress))) {
      const gate = this.webGate?.(remote, 'websocket');
      if (gate && !gate.allow) {
        this.refusalsRef.note(remote, 'websocket', gate.reason);
        req.socket.destroy();
        return;
      }
    }
    const route = this.routes.find((r) => path === r.prefix || path.startsWith(r.prefix.endsWith('/') ? r.prefix : `${r.prefix}/`));
    if (route) {
      void Promise.resolve()
        .then(() => route.handler(req, res, { remoteAddress: remote, path }))
        .catch((err: unknown) => {
          this.log.error('web.route_failed', { prefix: route.prefix, err });
          if (!res.headersSent) this.plain(res, 500, 'internal error\n');
          else res.destroy();
        });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      this.plain(res, 405, 'method not allowed\n');
      return;
    }
    if (path === '/ws') {
      this.plain(res, 426, 'this is the WebSocket: open / in a browser\n', { upgrade: 'websocket' });
      return;
    }
    if (path === '/' || path === '/index.html') {
      const nonce = newNonce();
      const body = Buffer.from(renderPage({ title: this.opts.title, nonce, assets: this.assets, sftpPort: this.opts.sftpPort?.() }), 'utf8');
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': body.length,
        'content-security-policy': csp(nonce),
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204, { 'cache-control': 'max-age=86400' }).end();
      return;
    }
    const a = this.assets.get(path);
    if (!a) {
      this.noteNotFound(remote, path);
      this.plain(res, 404, 'not found\n');
      return;
    }
    void this.serveAsset(req, res, path, a).catch((err: unknown) => {
      this.log.error('web.asset_failed', { path, err });
      if (!res.headersSent) this.plain(res, 500, 'internal error\n');
      else res.destroy();
    });
  }

  private async serveAsset(req: http.IncomingMessage, res: http.ServerResponse, path: string, a: Asset): Promise<void> {
    const c = await a.content();
    if (res.destroyed) return;
    // The page links each asset as `?v=<version>`: that URL's body never changes, so the
    // browser keeps it without asking again. Any other URL of it is revalidated each time,
    // and so is a file changed since start-up (its body is no longer that version).
    const immutable = c.etag === a.etag && req.url === `${path}?v=${assetVersion(a)}`;
    const cacheControl = immutable ? 'public, max-age=31536000, immutable' : 'no-cache';
    if (req.headers['if-none-match'] === c.etag) {
      res.writeHead(304, { etag: c.etag, 'cache-control': cacheControl }).end();
      return;
    }
    const gzip = c.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? c.gzip! : c.body;
    res.writeHead(200, {
      'content-type': a.type,
      'content-length': body.length,
      'cache-control': cacheControl,
      etag: c.etag,
      vary: 'accept-encoding',
      'content-security-policy': csp(undefined),
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private plain(res: http.ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'content-security-policy': csp(undefined), ...extra });
    res.end(text);
  }

  private noteNotFound(remote: string, path: string): void {
    const now = Date.now();
    const w = this.notFoundWindow;
    if (now - w.startedAt >= 60_000) {
      if (w.suppressed > 0) this.log.info('web.not_found_suppressed', { count: w.suppressed });
      this.notFoundWindow = { startedAt: now, lines: 0, suppressed: 0 };
    }
    if (this.notFoundWindow.lines >= NOT_FOUND_LINES_PER_MINUTE) {
      this.notFoundWindow.suppressed++;
      return;
    }
    this.notFoundWindow.lines++;
    this.log.info('web.not_found', { remote, path: client(path) });
  }

  // --- WebSocket --------------------------------------------------------------------

  private onUpgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    socket.on('error', () => undefined);
    const path = pathOf(req.url);
    const remote = this.remoteOf(req);
    const refuse = (status: string, event: string, fields: Record<string, unknown>) => {
      this.log.info(event, { remote, ...fields });
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: 0\r\n\r\n`);
      setTimeout(() => socket.destroy(), 1000).unref();
    };
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    if (path !== '/ws') {
      refuse('404 Not Found', 'web.not_found', { path: client(path ?? '?'), upgrade: true });
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.originAllowed(origin, req)) {
      refuse('403 Forbidden', 'websocket.origin_refused', { origin: client(origin) });
      return;
    }
    const gate = this.webGate?.(remote, 'websocket');
    if (gate && !gate.allow) {
      this.refusalsRef.note(remote, 'websocket', gate.reason);
      if (gate.quiet) socket.destroy();
      else refuse('403 Forbidden', 'websocket.refused', { reason: gate.reason });
      return;
    }
    const admitted = this.admissionRef.admit(remote, 'websocket');
    if (!admitted.ok) {
      this.refusalsRef.note(remote, 'websocket', admitted.reason);
      // The page can read a close frame's reason, not an HTTP status: say why in one.
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        ws.close(1013, `carrier: ${admitted.reason}. Please call again later.`);
        setTimeout(() => ws.terminate(), 2000).unref();
      });
      return;
    }
    const ticket = admitted.ticket;
    let conn: WebConnection | undefined;
    this.callers.add(socket);
    this.callersPerIp.set(remote, (this.callersPerIp.get(remote) ?? 0) + 1);
    this.admissionRef.onDisconnect(ticket, (reason, say) => {
      // A ban reaches callers already on: the session hears why, and the page is told.
      if (say !== undefined && conn && !conn.closed) conn.write(say);
      conn?.close(reason);
      socket.destroy();
    });
    socket.once('close', () => {
      this.callers.delete(socket);
      decrement(this.callersPerIp, remote);
      ticket.release();
    });
    this.log.info('connect', { remote, port: req.socket.remotePort, ...(remote !== normalizeAddress(req.socket.remoteAddress) ? { via: normalizeAddress(req.socket.remoteAddress) } : {}) });
    const params = new URL(req.url ?? '/ws', 'http://carrier.invalid').searchParams;
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      try {
        conn = new WebConnection({
          ws,
          remoteAddress: remote,
          log: this.log,
          frameRate: this.opts.frameRate,
          frameBacklog: this.opts.frameBacklog,
          maxOutputBuffer: WEB_DEFAULTS.maxOutputBuffer,
          resizeIntervalMs: WEB_DEFAULTS.resizeIntervalMs,
          pingIntervalMs: WEB_DEFAULTS.pingIntervalMs,
          terminal: terminalFromQuery(params),
          helloTimeoutMs: this.opts.helloTimeoutMs ?? WEB_DEFAULTS.helloTimeoutMs,
          onReady: (c) => this.resolve(c, { remoteAddress: remote, remotePort: req.socket.remotePort ?? 0, ticket }),
        });
        conn.start();
      } catch (err) {
        this.log.error('frontend.crash', { remote, err });
        socket.destroy();
      }
    });
  }

  private originAllowed(origin: string, req: http.IncomingMessage): boolean {
    const o = origin.trim().toLowerCase().replace(/\/+$/, '');
    if (this.allowedOrigins.has(o)) return true;
    let host: string;
    try {
      host = new URL(o).host;
    } catch {
      return false;
    }
    // Same origin: the page this server (or the proxy in front of it) served.
    const peerTrusted = this.forwarded.isTrusted(normalizeAddress(req.socket.remoteAddress));
    const forwardedHost = peerTrusted ? req.headers['x-forwarded-host'] : undefined;
    const own = (typeof forwardedHost === 'string' ? forwardedHost.split(',')[0]!.trim() : req.headers.host ?? '').toLowerCase();
    return own !== '' && host === own;
  }

  // --- BaseServer surface -------------------------------------------------------------

  override async listen(): Promise<{ host: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.http.once('error', onError);
      this.http.listen({ host: this.opts.host, port: this.opts.port, backlog: this.limits.backlog }, () => {
        this.http.off('error', onError);
        resolve();
      });
    });
    const addr = this.http.address() as net.AddressInfo;
    this.bound = { host: addr.address, port: addr.port };
    this.log.info('listen', { host: addr.address, port: addr.port, backlog: this.limits.backlog, tls: this.opts.tls !== undefined });
    return { ...this.bound };
  }

  override address(): { host: string; port: number } {
    return { ...this.bound };
  }

  /** Whether this port speaks HTTPS. */
  get secure(): boolean {
    return this.opts.tls !== undefined;
  }

  override clientCount(): number {
    return this.callers.size;
  }

  override connectionsFrom(remoteAddress: string): number {
    return this.callersPerIp.get(remoteAddress) ?? 0;
  }

  override clientList(): Connection[] {
    return super.clientList();
  }

  override async close(farewell?: string): Promise<void> {
    this.shuttingDown = true;
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    await super.close(farewell);
    for (const s of this.callers) s.destroy();
    for (const s of this.httpSockets) s.destroy();
    this.http.closeAllConnections();
    this.wssRef?.close();
    await closed;
  }
}

function pathOf(url: string | undefined): string | undefined {
  if (!url || !url.startsWith('/') || url.length > 2048) return undefined;
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 1) - 1;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
