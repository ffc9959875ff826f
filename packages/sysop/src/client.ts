import { connect, type Socket } from 'node:net';
import { FrameDecoder, MAX_REPLY_BYTES, encodeMessage, parseMessage } from './frame.js';
import type { ArgsOf, ControlError, Verb } from './verbs.js';

/** Where a board's control channel listens. */
export type ControlEndpoint = { socketPath: string } | { host: string; port: number; token: string };

/** A reply with ok: false. */
export class ControlRequestError extends Error {
  constructor(
    readonly code: ControlError['code'],
    message: string,
  ) {
    super(message);
    this.name = 'ControlRequestError';
  }
}

type StreamHandler = (event: Record<string, unknown>) => void;

/**
 * One connection to a board's control channel: requests with replies matched by id,
 * and streams (spy, log) delivered to a handler until they end.
 */
export class ControlClient {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly streams = new Map<number, StreamHandler>();
  private readonly decoder = new FrameDecoder(MAX_REPLY_BYTES);
  private closedWith: string | undefined;
  private readonly closeHandlers: ((reason: string) => void)[] = [];

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const ev of this.decoder.push(chunk)) {
        if (ev.type === 'error') {
          this.fail(`bad frame from the board (${ev.reason})`);
          return;
        }
        const msg = parseMessage(ev.text);
        if (msg.ok) this.dispatch(msg.value);
      }
    });
    socket.on('error', (err) => this.fail(err.message));
    socket.on('close', () => this.fail('the board closed the control channel'));
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  onClose(fn: (reason: string) => void): void {
    if (this.closedWith !== undefined) fn(this.closedWith);
    else this.closeHandlers.push(fn);
  }

  /** Send one request and wait for its reply. */
  request<V extends Verb>(verb: V, args?: ArgsOf<V>): Promise<unknown> {
    return this.send(this.nextId++, verb, args);
  }

  /** A request whose events (spy data, log lines) go to `onEvent` until the stream ends. */
  stream<V extends Verb>(verb: V, args: ArgsOf<V>, onEvent: StreamHandler): Promise<unknown> {
    const id = this.nextId++;
    this.streams.set(id, onEvent);
    return this.send(id, verb, args).catch((err: unknown) => {
      this.streams.delete(id);
      throw err;
    });
  }

  /** Raw access for tests: write bytes as they are. */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.end();
    this.socket.destroySoon();
  }

  private send(id: number, verb: string, args: unknown): Promise<unknown> {
    if (this.closedWith !== undefined) return Promise.reject(new ControlRequestError('failed', this.closedWith));
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.socket.write(encodeMessage({ id, verb, args: args ?? {} }));
    });
  }

  private dispatch(msg: Record<string, unknown>): void {
    if (typeof msg['stream'] === 'number') {
      const handler = this.streams.get(msg['stream']);
      if (msg['event'] === 'end') this.streams.delete(msg['stream']);
      handler?.(msg);
      return;
    }
    const id = msg['id'];
    const w = typeof id === 'number' ? this.waiting.get(id) : undefined;
    if (!w) {
      // A reply to nothing we asked: the board refused the connection itself (busy, idle).
      if (msg['ok'] === false) this.fail(errorText(msg));
      return;
    }
    this.waiting.delete(id as number);
    if (msg['ok'] === true) w.resolve(msg['result']);
    else {
      const e = (msg['error'] ?? {}) as Partial<ControlError>;
      w.reject(new ControlRequestError(e.code ?? 'failed', e.message ?? 'failed'));
    }
  }

  private fail(reason: string): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = reason;
    for (const w of this.waiting.values()) w.reject(new ControlRequestError('failed', reason));
    this.waiting.clear();
    for (const [id, h] of this.streams) h({ stream: id, event: 'end', reason });
    this.streams.clear();
    for (const fn of this.closeHandlers.splice(0)) fn(reason);
    this.socket.destroy();
  }
}

function errorText(msg: Record<string, unknown>): string {
  const e = (msg['error'] ?? {}) as Partial<ControlError>;
  return e.message ?? 'refused';
}

/** Connect (and, over TCP, authenticate). Rejects when nothing listens there. */
export async function dialControl(endpoint: ControlEndpoint, timeoutMs = 5_000): Promise<ControlClient> {
  const socket = 'socketPath' in endpoint ? connect(endpoint.socketPath) : connect(endpoint.port, endpoint.host);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('timed out connecting to the control channel'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  socket.setNoDelay(true);
  const client = new ControlClient(socket);
  if ('token' in endpoint) await client.request('auth', { token: endpoint.token });
  return client;
}

/** How a board hands the in-board console its control channel, without the engine knowing the server. */
export type ControlDialer = () => Promise<ControlClient>;
const dialers = new WeakMap<object, ControlDialer>();

/** The server registers the dialer for a board object (what scripts see as `s.board`). */
export function registerControlDialer(board: object, dialer: ControlDialer): () => void {
  dialers.set(board, dialer);
  return () => {
    if (dialers.get(board) === dialer) dialers.delete(board);
  };
}

export function controlDialerFor(board: object): ControlDialer | undefined {
  return dialers.get(board);
}
