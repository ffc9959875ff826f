import { BaseConnection, client, sanitizeToken, TERMINAL_LIMITS, TokenBucket, type Encoding, type Logger, type TerminalInfo } from '@carrier/core';
import type { WebSocket } from 'ws';

/** What the page says about its terminal, in the /ws query string or a first `hello` message. */
export interface PageTerminal {
  type: string;
  cols: number;
  rows: number;
  encoding: Encoding;
}

export interface WebConnectionOptions {
  ws: WebSocket;
  remoteAddress: string;
  log: Logger;
  /** key (binary) frames per second, sustained, and at once: the session's key rate; more wait */
  frameRate: { perSecond: number; burst: number };
  /** control messages (text frames: hello, resize) per second, and at once; more wait (default CONTROL_RATE) */
  controlRate?: { perSecond: number; burst: number } | undefined;
  /** frames waiting behind the rate, and their bytes, past which the caller is cut off (default FRAME_BACKLOG) */
  frameBacklog?: { frames: number; bytes: number } | undefined;
  /** unsent output past this closes the connection: the caller stopped reading */
  maxOutputBuffer: number;
  /** a size change is applied at most this often; the latest one wins */
  resizeIntervalMs: number;
  /** ping this often; a peer that answered no ping since the last is gone */
  pingIntervalMs: number;
  /** the terminal, when the query string carried it */
  terminal?: PageTerminal | undefined;
  /** without a query-string terminal: how long the page has to send `hello` */
  helloTimeoutMs: number;
  /** called once, when the terminal is known, unless the connection closed first */
  onReady: (conn: WebConnection) => void;
}

/** Longest control message (JSON text frame) read. */
export const MAX_CONTROL_MESSAGE = 512;
/** Output queued past this and `write` returns false (the session waits for 'drain'). */
const HIGH_WATER = 64 * 1024;
/** After our close frame, the peer has this long to answer before the socket is cut. */
const CLOSE_GRACE_MS = 2000;

/**
 * Frames held behind the frame rate while ws stops reading the socket. ws still parses the
 * rest of the socket read it is in (up to 64 KiB) after `pause()`, so frames keep coming
 * for a moment; a browser, whose keys and pastes come paced by TCP, stays far below both
 * bounds. The bytes are one socket read, the room the engine's key backlog keeps past its
 * pause point (KEY_BACKLOG_PAUSE + 64 KiB = KEY_BACKLOG_LIMIT); the frame count bounds the
 * heap a flood of tiny frames holds (a view object per frame).
 */
export const FRAME_BACKLOG: Readonly<{ frames: number; bytes: number }> = { frames: 4096, bytes: 64 * 1024 };

/**
 * Control messages have a rate of their own, apart from the keys': a paste waiting behind
 * the key rate never holds back a resize, and resizes never spend the caller's keys. The
 * page sends hello once and one resize when a drag settles; the session sees at most one
 * size per resizeIntervalMs whatever arrives.
 */
export const CONTROL_RATE: Readonly<{ perSecond: number; burst: number }> = { perSecond: 10, burst: 20 };

/** Parse `term`, `cols`, `rows`, `encoding` from a /ws query string; undefined without cols and rows. */
export function terminalFromQuery(params: URLSearchParams): PageTerminal | undefined {
  if (!params.has('cols') || !params.has('rows')) return undefined;
  return pageTerminal({ type: params.get('term'), cols: Number(params.get('cols')), rows: Number(params.get('rows')), encoding: params.get('encoding') });
}

function pageTerminal(raw: { type: unknown; cols: unknown; rows: unknown; encoding: unknown }): PageTerminal {
  const type = typeof raw.type === 'string' ? sanitizeToken(raw.type, TERMINAL_LIMITS.maxTypeLength, true) : '';
  const encoding: Encoding = raw.encoding === 'cp437' ? 'cp437' : 'utf8';
  return { type: type || 'xterm-256color', cols: Number(raw.cols), rows: Number(raw.rows), encoding };
}

/**
 * A caller in a browser. Binary frames carry keyboard bytes; text frames carry JSON
 * control messages (`hello` once, then `resize`). Output goes out as binary frames in the
 * terminal's encoding. To the engine this is a Connection like any other.
 */
export class WebConnection extends BaseConnection {
  private readonly ws: WebSocket;
  private readonly opts: WebConnectionOptions;
  private readonly log: Logger;
  private readonly frames: TokenBucket;
  private readonly controlBudget: TokenBucket;
  private readonly noted = new Set<string>();
  private ready = false;
  private helloTimer: NodeJS.Timeout | undefined;
  private resizeTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private releaseTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private pendingSize: { cols: number; rows: number } | undefined;
  private lastResizeAt = 0;
  private wantDrain = false;
  private alive = true;
  /** key frames over the key rate, in order, delivered as one chunk at a time */
  private waiting: Buffer[] = [];
  /** control messages over the control rate, in order */
  private controls: Buffer[] = [];
  private waitingFrames = 0;
  private waitingBytes = 0;
  private heldFrames = 0;
  /** the session's keys wait behind its key rate (pauseInput) */
  private sessionPaused = false;

  constructor(opts: WebConnectionOptions) {
    super({ protocol: 'websocket', remoteAddress: opts.remoteAddress, terminal: { encoding: 'utf8' } });
    this.opts = opts;
    this.ws = opts.ws;
    this.log = opts.log;
    this.frames = new TokenBucket(opts.frameRate.burst, opts.frameRate.perSecond);
    const control = opts.controlRate ?? CONTROL_RATE;
    this.controlBudget = new TokenBucket(control.burst, control.perSecond);
    this.ws.on('message', (data: Buffer, isBinary: boolean) => this.guard(() => this.onMessage(data, isBinary)));
    this.ws.on('pong', () => (this.alive = true));
    this.ws.on('ping', () => this.onPing());
    this.ws.on('error', (err: Error & { code?: string }) => this.onError(err));
    this.ws.on('close', (code: number) => {
      // The peer answered our close (or went): the grace timer goes too, so no timer keeps
      // the socket (and through its listeners this connection) reachable.
      this.letGo();
      this.transportClosed(code === 1000 || code === 1001 || code === 1005 ? 'caller hung up' : `caller hung up (${code})`);
    });
  }

  /** Wait for the page's terminal (or take the query string's), then hand over. */
  start(): void {
    if (this.opts.terminal) {
      this.becomeReady(this.opts.terminal, 'query');
      return;
    }
    this.helloTimer = setTimeout(() => {
      this.log.info('websocket.hello_timeout', { conn: this.id, remote: this.remoteAddress, ms: this.opts.helloTimeoutMs });
      this.close('no terminal hello from the page');
    }, this.opts.helloTimeoutMs);
  }

  /** The session's keys wait behind its rate: ws stops reading the socket. */
  protected override pauseTransport(paused: boolean): void {
    this.sessionPaused = paused;
    this.readSocket();
    this.releaseLater();
  }

  /** Read the socket unless the session or a rate holds input back. */
  private readSocket(): void {
    if (this.holdingInput()) this.ws.pause();
    else this.ws.resume();
  }

  /** The session or a rate holds input back: ws does not read the socket (pongs included). */
  private holdingInput(): boolean {
    return this.sessionPaused || this.waiting.length > 0 || this.controls.length > 0;
  }

  protected sendRaw(bytes: Buffer): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    if (this.ws.bufferedAmount + bytes.length > this.opts.maxOutputBuffer) {
      this.log.warn('websocket.output_overflow', { conn: this.id, remote: this.remoteAddress, buffered: this.ws.bufferedAmount, limit: this.opts.maxOutputBuffer });
      this.close('output buffer full: the caller stopped reading');
      this.ws.terminate();
      return false;
    }
    this.ws.send(bytes, { binary: true }, () => {
      if (this.wantDrain && this.ws.bufferedAmount < HIGH_WATER / 2) {
        this.wantDrain = false;
        this.emit('drain');
      }
    });
    const ok = this.ws.bufferedAmount < HIGH_WATER;
    if (!ok) this.wantDrain = true;
    return ok;
  }

  protected endTransport(reason: string): void {
    this.letGo();
    if (this.ws.readyState === this.ws.CLOSED) return;
    // A close reason is at most 123 bytes; the page shows it.
    this.ws.close(1000, Buffer.from(reason, 'utf8').subarray(0, 120).toString('utf8').replace(/\uFFFD+$/, ''));
    // Read again (frames are ignored now) so the peer's answering close frame is seen.
    this.ws.resume();
    this.terminateLater();
  }

  /** Cut the socket if the peer has not answered our close frame in time; cleared on 'close'. */
  private terminateLater(): void {
    if (this.graceTimer) return;
    const ws = this.ws;
    this.graceTimer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    this.graceTimer.unref();
  }

  /**
   * The per-session key rate, applied to key frames, and CONTROL_RATE to control messages:
   * frames over their rate wait, in order, while the socket is not read, and go on at the
   * rate (the key frames waiting as one chunk), so a paste split over many frames arrives
   * whole. Only past FRAME_BACKLOG (both kinds together) is the caller cut off.
   */
  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    if (isBinary ? this.waiting.length === 0 && this.frames.take() : this.controls.length === 0 && this.controlBudget.take()) {
      if (isBinary) this.pushInput(data);
      else this.onControl(data);
      return;
    }
    this.hold(data, isBinary);
  }

  private hold(data: Buffer, isBinary: boolean): void {
    const limit = this.opts.frameBacklog ?? FRAME_BACKLOG;
    this.waitingFrames++;
    this.waitingBytes += data.length;
    if (this.waitingFrames > limit.frames || this.waitingBytes > limit.bytes) {
      this.log.warn('websocket.frame_backlog_full', {
        conn: this.id,
        remote: this.remoteAddress,
        frames: this.waitingFrames,
        bytes: this.waitingBytes,
        limit: { frames: limit.frames, bytes: limit.bytes },
      });
      this.close('input flood: too many frames at once');
      return;
    }
    this.heldFrames++;
    const queue = isBinary ? this.waiting : this.controls;
    const first = this.waiting.length === 0 && this.controls.length === 0;
    queue.push(data);
    if (first) {
      this.note('websocket.frames_held', { perSecond: this.opts.frameRate.perSecond, burst: this.opts.frameRate.burst });
      this.readSocket();
    }
    // When a frame waits is decided by its queue's head: only a new head moves the timer.
    if (queue.length === 1) this.releaseLater();
  }

  /** Hand waiting frames on as their rates allow; read the socket again once none wait. */
  private release(): void {
    this.releaseTimer = undefined;
    // The control messages waiting go on together for one token, as the keys do: a storm of
    // resizes is then coalesced by queueResize (latest wins), not paced out one by one.
    if (this.controls.length > 0 && this.controlBudget.take()) {
      const messages = this.controls.splice(0);
      this.unhold(messages);
      for (const m of messages) if (!this.closed) this.onControl(m);
    }
    // Keys wait while the session's own keys do too (pauseTransport); its resume releases them.
    if (!this.closed && !this.sessionPaused && this.waiting.length > 0 && this.frames.take()) this.pushInput(this.unhold(this.waiting.splice(0)));
    if (this.closed) return;
    this.readSocket();
    this.releaseLater();
  }

  /** Frames leaving the backlog, as one chunk. */
  private unhold(frames: Buffer[]): Buffer {
    this.waitingFrames -= frames.length;
    for (const d of frames) this.waitingBytes -= d.length;
    return frames.length === 1 ? frames[0]! : Buffer.concat(frames);
  }

  /** Wake release() when the first waiting frame's rate has a token for it (the bucket says when). */
  private releaseLater(): void {
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    if (this.closed) return;
    const due: number[] = [];
    if (this.controls.length > 0) due.push(this.controlBudget.msUntil());
    if (this.waiting.length > 0 && !this.sessionPaused) due.push(this.frames.msUntil());
    if (due.length === 0) return;
    this.releaseTimer = setTimeout(() => this.guard(() => this.release()), Math.min(...due));
    this.releaseTimer.unref();
  }

  private onControl(data: Buffer): void {
    let msg: unknown;
    if (data.length <= MAX_CONTROL_MESSAGE) {
      try {
        msg = JSON.parse(data.toString('utf8'));
      } catch {
        msg = undefined;
      }
    }
    const m = msg as { type?: unknown; cols?: unknown; rows?: unknown; term?: unknown; encoding?: unknown } | undefined;
    if (m && typeof m === 'object' && m.type === 'hello' && !this.ready) {
      this.becomeReady(pageTerminal({ type: m.term, cols: m.cols, rows: m.rows, encoding: m.encoding }), 'hello');
      return;
    }
    if (m && typeof m === 'object' && m.type === 'resize' && typeof m.cols === 'number' && typeof m.rows === 'number') {
      this.queueResize(m.cols, m.rows);
      return;
    }
    if (m && typeof m === 'object' && m.type === 'hello') return; // a repeated hello changes nothing
    this.log.info('websocket.bad_message', { conn: this.id, remote: this.remoteAddress, bytes: data.length, text: client(data.subarray(0, 80)) });
    this.close('bad control message');
  }

  private becomeReady(t: PageTerminal, from: 'query' | 'hello'): void {
    if (this.ready || this.closed) return;
    this.ready = true;
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
    Object.assign(this.info, {
      type: t.type,
      types: [t.type],
      encoding: t.encoding,
      // The page measured its screen and chose its encoding: nothing to probe.
      encodingSource: 'charset',
    } satisfies Partial<TerminalInfo>);
    this.setSize(t.cols, t.rows, 'pty');
    if (this.info.sizeSource !== 'pty') this.info.sizeSource = 'pty';
    this.pingTimer = setInterval(() => this.ping(), this.opts.pingIntervalMs);
    this.pingTimer.unref();
    this.log.info('websocket.ready', { conn: this.id, remote: this.remoteAddress, type: client(t.type), cols: this.info.cols, rows: this.info.rows, encoding: t.encoding, from });
    this.opts.onReady(this);
  }

  /** Resizes arrive as fast as a window is dragged; the session sees at most one per interval, the latest. */
  private queueResize(cols: number, rows: number): void {
    this.pendingSize = { cols, rows };
    if (this.resizeTimer) return;
    const wait = Math.max(0, this.lastResizeAt + this.opts.resizeIntervalMs - Date.now());
    if (wait === 0 && this.ready) {
      this.applyResize();
      return;
    }
    this.resizeTimer = setTimeout(() => this.guard(() => this.applyResize()), Math.max(wait, 1));
  }

  private applyResize(): void {
    this.resizeTimer = undefined;
    if (this.closed || !this.pendingSize) return;
    if (!this.ready) {
      // before hello the size is only remembered; hello or the query string sets it
      return;
    }
    const s = this.pendingSize;
    this.pendingSize = undefined;
    this.lastResizeAt = Date.now();
    this.setSize(s.cols, s.rows, 'pty');
    this.log.debug('websocket.resize', { conn: this.id, cols: this.info.cols, rows: this.info.rows });
  }

  private ping(): void {
    if (this.closed) return;
    // While the socket is not read (a long paste draining at the key rate) no pong can be
    // seen: the caller is not taken for gone. Once reading resumes, the next ping counts.
    if (this.holdingInput()) {
      this.alive = true;
      return;
    }
    if (!this.alive) {
      this.log.info('websocket.ping_timeout', { conn: this.id, remote: this.remoteAddress });
      this.close('no answer to ping');
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  /**
   * ws answers each ping itself and cuts a peer with more than `maxPendingAutoPongs` (60)
   * answers not yet written, which only a flood of pings does (a browser sends none). It
   * cuts before it emits the ping: a ping seen on a socket no longer open is that flood,
   * logged as such rather than left to look like a caller who hung up.
   */
  private onPing(): void {
    if (this.closed || this.ws.readyState === this.ws.OPEN) return;
    this.log.warn('websocket.ping_flood', { conn: this.id, remote: this.remoteAddress });
    this.transportClosedOnce('ping flood');
  }

  private onError(err: Error & { code?: string }): void {
    // ws has already started closing (1009 too big, 1007 bad UTF-8, 1002 protocol error).
    const code = err.code ?? err.name;
    if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.log.warn('websocket.oversized_frame', { conn: this.id, remote: this.remoteAddress, limit: err.message });
      this.transportClosedOnce('frame too large');
      return;
    }
    if (code === 'ECONNRESET' || code === 'EPIPE') return;
    this.log.info('websocket.bad_frame', { conn: this.id, remote: this.remoteAddress, code: client(String(code)), message: client(err.message) });
    this.transportClosedOnce('bad frame');
  }

  private transportClosedOnce(reason: string): void {
    this.letGo();
    this.transportClosed(reason);
    // ws sent its close frame; do not wait 30 s for the peer to answer it.
    this.terminateLater();
  }

  /** ws callbacks run the session's listeners synchronously; a throw ends this caller, not the process. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error('websocket.crash', { conn: this.id, remote: this.remoteAddress, err });
      this.close('internal error');
      this.ws.terminate();
    }
  }

  /** One line per kind per connection, however often it recurs. */
  private note(event: string, fields: Record<string, unknown>): void {
    if (this.noted.has(event)) return;
    this.noted.add(event);
    this.log.info(event, { conn: this.id, remote: this.remoteAddress, ...fields });
  }

  /** Frames that waited behind the frame rate so far (none is dropped; past FRAME_BACKLOG the caller is cut off). */
  get framesHeld(): number {
    return this.heldFrames;
  }

  /** Closing: every timer, and the frames still waiting. */
  private letGo(): void {
    this.waiting = [];
    for (const t of [this.helloTimer, this.resizeTimer, this.releaseTimer, this.graceTimer]) if (t) clearTimeout(t);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.helloTimer = this.resizeTimer = this.pingTimer = this.releaseTimer = this.graceTimer = undefined;
  }
}
