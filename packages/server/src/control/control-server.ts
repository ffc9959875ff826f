import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { client, escapeClientText, type Logger } from '@carrier/core';
import { checkArgs, encodeMessage, FrameDecoder, isVerb, MAX_FRAME_BYTES, MAX_REPLY_BYTES, parseMessage, type ControlErrorCode, type Verb } from '@carrier/sysop/protocol';
import { inodeAt, placeholderBeside, replaceDeadSocket } from './dead-socket.js';

/** What the audit trail keeps about the control channel. */
export interface ControlAudit {
  control(event: string, fields: Record<string, unknown>): void;
}

export interface ControlLimits {
  maxClients: number;
  idleMs: number;
  maxFrameBytes: number;
  /** frames per second a client may send, sustained, and as a burst */
  framesPerSecond: number;
  frameBurst: number;
  /** requests waiting for their turn on one client before it counts as a flood */
  maxQueued: number;
  /** bytes queued toward a client that does not read before its streams are cut */
  maxOutputBytes: number;
}

export const DEFAULT_CONTROL_LIMITS: ControlLimits = {
  maxClients: 10,
  idleMs: 60_000,
  maxFrameBytes: MAX_FRAME_BYTES,
  framesPerSecond: 50,
  frameBurst: 100,
  maxQueued: 32,
  maxOutputBytes: 1 << 20,
};

/** One connected control client, as a verb handler sees it. */
export interface ControlPeer {
  readonly id: number;
  /** `unix` or `127.0.0.1:port` */
  readonly from: string;
  /** Send a stream event for request `stream`; false when the client is gone or too far behind. */
  event(stream: number, event: string, fields?: Record<string, unknown>): boolean;
  /** Runs when the client goes away (streams stop). */
  onClose(fn: () => void): void;
  readonly closed: boolean;
}

export type VerbHandler = (verb: Verb, args: Record<string, unknown>, peer: ControlPeer, requestId: number) => Promise<unknown>;

/** A handler's refusal that the client should see as it is (not found, bad target). */
export class VerbError extends Error {
  constructor(
    readonly code: ControlErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ControlServerOptions {
  socketPath: string;
  /** TCP on 127.0.0.1 with the token in `tokenFile`; undefined: Unix socket only */
  tcp?: { port: number; tokenFile: string } | undefined;
  log: Logger;
  audit: ControlAudit;
  handler: VerbHandler;
  limits?: Partial<ControlLimits>;
  /** in a cluster worker the socket is shared through the primary: no stale-socket check */
  shared?: boolean;
}

/**
 * The board's control channel: length-prefixed JSON frames on a Unix socket (0600) and,
 * optionally, 127.0.0.1 TCP with a token. The frame cap is checked from the header
 * before the body is read; a quiet client is closed after `idleMs`; a semaphore of
 * `maxClients`; frames are rate limited; every connect, verb and refusal is audited.
 */
/** The control socket answers for another board process: on a data dir the nodes of one board share, the node that started first. */
export class ControlSocketTakenError extends Error {
  constructor(readonly socketPath: string) {
    super(`another board is already serving the control socket ${socketPath}`);
  }
}

export class ControlServer {
  private readonly limits: ControlLimits;
  private readonly log: Logger;
  private readonly servers: Server[] = [];
  private readonly peers = new Set<Socket>();
  private active = 0;
  private nextPeer = 1;
  private token: Buffer | undefined;
  private tcpPort: number | undefined;
  private closing = false;
  /** The inode this server put in a dead socket's place (it listens under its placeholder's name), removed at the stop. */
  private placed: number | undefined;

  constructor(private readonly opts: ControlServerOptions) {
    this.limits = { ...DEFAULT_CONTROL_LIMITS, ...opts.limits };
    this.log = opts.log.child({ component: 'control' });
  }

  get clients(): number {
    return this.active;
  }

  get port(): number | undefined {
    return this.tcpPort;
  }

  async listen(): Promise<void> {
    const path = this.opts.socketPath;
    const unix = createServer({ allowHalfOpen: true }, (s) => this.accept(s, 'unix', false));
    if (this.opts.shared) await listenOn(unix, { path });
    else await this.listenUnix(unix, path);
    this.servers.push(unix);
    if (this.opts.tcp) {
      this.token = randomBytes(24);
      writeFileSync(this.opts.tcp.tokenFile, `${this.token.toString('hex')}\n`, { mode: 0o600 });
      chmodSync(this.opts.tcp.tokenFile, 0o600);
      const tcp = createServer({ allowHalfOpen: true }, (s) => this.accept(s, `${s.remoteAddress ?? '?'}:${s.remotePort ?? 0}`, true));
      await listenOn(tcp, { host: '127.0.0.1', port: this.opts.tcp.port });
      const addr = tcp.address();
      this.tcpPort = typeof addr === 'object' && addr ? addr.port : undefined;
      this.servers.push(tcp);
    }
    this.log.info('control.listening', { socket: path, tcpPort: this.tcpPort ?? null });
  }

  /**
   * Listen on `path`, or throw ControlSocketTakenError when another process serves it. A
   * socket file nothing answers on was left by a board that did not stop cleanly (kill -9):
   * this server takes its place, unless another one (a node of the same board, on the same
   * data dir) takes it first.
   */
  private async listenUnix(unix: Server, path: string): Promise<void> {
    const dead = inodeAt(path);
    if (dead === undefined) {
      try {
        await listenOn(unix, { path });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ControlSocketTakenError(path);
        throw err;
      }
      this.restrict(path);
      return;
    }
    if (await answers(path)) throw new ControlSocketTakenError(path);
    const fresh = placeholderBeside(path);
    await listenOn(unix, { path: fresh });
    this.restrict(fresh);
    const ino = inodeAt(fresh);
    let placed = false;
    try {
      placed = replaceDeadSocket(path, dead, fresh);
    } finally {
      // Closing unlinks the name it listens on: the placeholder's, while it is still there.
      if (!placed) await new Promise<void>((resolve) => unix.close(() => resolve()));
    }
    if (!placed) throw new ControlSocketTakenError(path);
    this.placed = ino;
  }

  private restrict(path: string): void {
    try {
      chmodSync(path, 0o600);
    } catch (err) {
      this.log.warn('control.chmod_failed', { path, err });
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    // A server that took a dead socket's place listens under its placeholder's name, which is
    // what closing unlinks; the socket's own name goes first, while it still answers (so no
    // other node can have judged it dead and put its own there).
    if (this.placed !== undefined && inodeAt(this.opts.socketPath) === this.placed) {
      try {
        unlinkSync(this.opts.socketPath);
      } catch {
        /* already gone */
      }
    }
    this.placed = undefined;
    for (const s of this.peers) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    // Only the server that wrote the token file removes it: one that found the socket
    // taken (another node's, on a shared data dir) must leave that node's token alone.
    if (this.opts.tcp && this.token) {
      try {
        unlinkSync(this.opts.tcp.tokenFile);
      } catch {
        /* already gone */
      }
    }
  }

  private accept(socket: Socket, from: string, needsToken: boolean): void {
    socket.setNoDelay?.(true);
    socket.on('error', () => undefined);
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (this.active >= this.limits.maxClients) {
      const message = `too many control clients (${this.limits.maxClients} at once); try again when one closes`;
      this.log.warn('control.refused', { from, reason: 'busy', clients: this.active });
      this.opts.audit.control('control.refused', { from, reason: 'busy' });
      socket.end(encodeMessage({ id: null, ok: false, error: { code: 'busy', message } }));
      socket.destroySoon();
      return;
    }
    this.active++;
    this.peers.add(socket);
    const id = this.nextPeer++;
    const log = this.log.child({ peer: id });
    this.opts.audit.control('control.connect', { peer: id, from });
    const decoder = new FrameDecoder(this.limits.maxFrameBytes);
    const closers: (() => void)[] = [];
    let closed = false;
    let authed = !needsToken;
    let tokens = this.limits.frameBurst;
    let refilledAt = Date.now();
    let queue: Promise<void> = Promise.resolve();
    let queued = 0;

    const send = (msg: unknown): boolean => {
      if (closed || socket.destroyed) return false;
      let bytes: Buffer;
      try {
        bytes = encodeMessage(msg, MAX_REPLY_BYTES);
      } catch (err) {
        // A reply over the cap: the client gets an error in its place, never a broken stream.
        log.error('control.reply_too_large', { err });
        const id = (msg as { id?: unknown }).id ?? null;
        bytes = encodeMessage({ id, ok: false, error: { code: 'failed', message: 'the reply is too large' } });
      }
      socket.write(bytes);
      return true;
    };
    // One error to the client, one log line, then the connection ends.
    const refuse = (code: ControlErrorCode, message: string, fields: Record<string, unknown> = {}, requestId: unknown = null): void => {
      if (closed) return;
      log.warn('control.refused', { from, reason: code, ...fields });
      this.opts.audit.control('control.refused', { peer: id, from, reason: code, ...fields });
      send({ id: requestId, ok: false, error: { code, message } });
      finish(code);
      socket.end();
      socket.destroySoon();
    };
    const finish = (reason: string): void => {
      if (closed) return;
      closed = true;
      clearTimeout(idle);
      this.active--;
      this.peers.delete(socket);
      this.opts.audit.control('control.disconnect', { peer: id, reason });
      for (const fn of closers.splice(0)) {
        try {
          fn();
        } catch (err) {
          log.error('control.close_handler_failed', { err });
        }
      }
    };
    let idle = setTimeout(() => refuse('idle', `no request for ${Math.round(this.limits.idleMs / 1000)} s: closing`), this.limits.idleMs);
    const touch = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => refuse('idle', `no request for ${Math.round(this.limits.idleMs / 1000)} s: closing`), this.limits.idleMs);
    };

    const peer: ControlPeer = {
      id,
      from,
      event: (stream, event, fields = {}) => {
        if (closed) return false;
        if (socket.writableLength > this.limits.maxOutputBytes) return false;
        // The frame's own stream and event come last: a field of the same name (a log
        // line's logged event) must not turn the frame into another kind.
        return send({ ...fields, stream, event });
      },
      onClose: (fn) => {
        if (closed) fn();
        else closers.push(fn);
      },
      get closed() {
        return closed;
      },
    };

    const handle = async (text: string): Promise<void> => {
      const parsed = parseMessage(text);
      if (!parsed.ok) return refuse(parsed.why === 'invalid JSON' ? 'invalid_json' : 'bad_frame', parsed.why);
      const { id: requestId, verb, args } = parsed.value;
      if (typeof requestId !== 'number' || !Number.isSafeInteger(requestId)) return refuse('bad_frame', 'a request needs a numeric id');
      if (!isVerb(verb)) {
        const name = escapeClientText(typeof verb === 'string' ? verb : JSON.stringify(verb ?? null), 40);
        log.warn('control.unknown_verb', { verb: name });
        this.opts.audit.control('control.verb', { peer: id, verb: name, ok: false, error: 'unknown_verb' });
        send({ id: requestId, ok: false, error: { code: 'unknown_verb', message: `unknown verb "${name}"` } });
        return;
      }
      if (!authed && verb !== 'auth') return refuse('unauthorized', 'authenticate first: {"verb":"auth","args":{"token":…}}', {}, requestId);
      const checked = checkArgs(verb, args);
      if (!checked.ok) {
        log.warn('control.bad_args', { verb, why: checked.why });
        this.opts.audit.control('control.verb', { peer: id, verb, ok: false, error: 'bad_args' });
        send({ id: requestId, ok: false, error: { code: 'bad_args', message: checked.why } });
        return;
      }
      if (verb === 'auth') {
        const given = Buffer.from(String(checked.args['token' as keyof typeof checked.args]), 'hex');
        if (!this.token || given.length !== this.token.length || !timingSafeEqual(given, this.token)) {
          return refuse('unauthorized', 'wrong token', {}, requestId);
        }
        authed = true;
        this.opts.audit.control('control.verb', { peer: id, verb, ok: true });
        send({ id: requestId, ok: true, result: 'ok' });
        return;
      }
      const audited = auditArgs(verb, checked.args as Record<string, unknown>);
      try {
        const result = await this.opts.handler(verb, checked.args as Record<string, unknown>, peer, requestId);
        if (verb !== 'ping' && verb !== 'who' && verb !== 'stats') this.opts.audit.control('control.verb', { peer: id, verb, ...audited, ...auditResult(verb, result), ok: true });
        send({ id: requestId, ok: true, result: result ?? null });
      } catch (err) {
        const known = err instanceof VerbError;
        if (!known) log.error('control.verb_failed', { verb, err });
        this.opts.audit.control('control.verb', { peer: id, verb, ...audited, ok: false, error: known ? err.code : 'failed' });
        send({ id: requestId, ok: false, error: { code: known ? err.code : 'failed', message: known ? err.message : 'the board could not do that (see its log)' } });
      }
    };

    socket.on('data', (chunk: Buffer) => {
      if (closed) return;
      for (const ev of decoder.push(chunk)) {
        if (ev.type === 'error') {
          if (ev.reason === 'too_large') return refuse('too_large', `frame of ${ev.length} bytes is over the ${this.limits.maxFrameBytes}-byte cap`, { length: ev.length });
          return refuse('bad_frame', ev.reason === 'empty' ? 'empty frame' : 'frame body is not UTF-8');
        }
        touch();
        const now = Date.now();
        tokens = Math.min(this.limits.frameBurst, tokens + ((now - refilledAt) / 1000) * this.limits.framesPerSecond);
        refilledAt = now;
        if (tokens < 1 || queued >= this.limits.maxQueued) return refuse('flood', 'too many requests: slow down');
        tokens--;
        queued++;
        queue = queue
          .then(() => handle(ev.text))
          .catch((err: unknown) => log.error('control.request_failed', { err }))
          .finally(() => queued--);
        if (closed) return;
      }
    });
    socket.on('end', () => {
      for (const ev of decoder.end()) {
        if (ev.type === 'error' && ev.reason === 'truncated') {
          log.warn('control.refused', { from, reason: 'truncated', held: ev.held });
          this.opts.audit.control('control.refused', { peer: id, from, reason: 'truncated', held: ev.held });
          send({ id: null, ok: false, error: { code: 'truncated', message: `the stream ended inside a frame (${ev.held} bytes held)` } });
        }
      }
      // Let the queued requests answer, then close our side.
      void queue.then(() => socket.end());
    });
    socket.on('close', () => finish('closed'));
  }
}

/** What the trail keeps of a verb's arguments: targets, not passwords, tokens or a public key's text (its fingerprint, from the result, says which). */
export function auditArgs(verb: Verb, args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    if (k === 'password' || k === 'token' || k === 'publicKey') continue;
    if (typeof v === 'string') out[k] = client(v.length > 120 ? `${v.slice(0, 120)}…` : v);
    else out[k] = v;
  }
  return verb === 'ping' ? {} : out;
}

/** The fields of a verb's result the trail keeps, by the name it keeps them under: what an added account or key is, which key was removed. */
const AUDITED_RESULTS: Partial<Record<Verb, Readonly<Record<string, string>>>> = {
  'user.add': { id: 'userId' },
  'user.key-add': { id: 'keyId', algo: 'algo', fingerprint: 'fingerprint' },
  'user.key-remove': { id: 'keyId', fingerprint: 'fingerprint' },
};

/** What the trail keeps of a verb's result (nothing for most verbs: their arguments say it all). */
export function auditResult(verb: Verb, result: unknown): Record<string, unknown> {
  const fields = AUDITED_RESULTS[verb];
  if (!fields || typeof result !== 'object' || result === null) return {};
  const out: Record<string, unknown> = {};
  for (const [from, to] of Object.entries(fields)) {
    const v = (result as Record<string, unknown>)[from];
    if (typeof v === 'number' || typeof v === 'string') out[to] = typeof v === 'string' ? client(v) : v;
  }
  return out;
}

function listenOn(server: Server, where: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Does something accept connections on this socket path? */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    // EAGAIN: its backlog is full, so a process listens there (a busy one, not a dead one
    // whose socket may be replaced).
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EAGAIN'));
  });
}
