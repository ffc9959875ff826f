import type { Logger } from '@carrier/core';
import { dialControl, type ControlClient } from '@carrier/sysop/protocol';
import { ControlSocketTakenError, type ControlServer } from './control-server.js';

/** The wait before the next look at the socket after one that found it served, or failed. */
const RETRY_MS = 1_000;

export interface ControlStandbyOptions {
  socketPath: string;
  log: Logger;
  /** A new server for the socket, with the options this node would have listened with. */
  server(): ControlServer;
  /** Under the serving node's idle timeout (control.idleTimeout): how often the held connection pings. */
  pingMs: number;
}

/**
 * A node of a board on a database whose shared data dir's control socket another node
 * serves. It holds one connection to that socket (a ping now and then, so the server
 * does not close it as idle); the connection closes when the serving node stops or dies,
 * and then this node tries to serve the socket itself: a clean stop has removed the
 * socket file, a kill -9 left it dead, and ControlServer.listen takes either (one node,
 * when several try at once). Otherwise (the socket still answers: the server is on its
 * way out, another node was quicker, or it refused the connection as busy) it looks again
 * a second later. Nothing here keeps the process alive, and close() ends it all.
 */
export class ControlStandby {
  private watch: ControlClient | undefined;
  private ping: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private serving: ControlServer | undefined;
  private stopped = false;
  /** The attempt under way (a dial or a listen), which close() waits for. */
  private attempt: Promise<void> = Promise.resolve();
  private failedBefore = false;

  constructor(private readonly opts: ControlStandbyOptions) {}

  /** The server, once this node has taken the socket over. */
  get server(): ControlServer | undefined {
    return this.serving;
  }

  start(): void {
    this.step(() => this.hold());
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.ping);
    this.watch?.close();
    await this.attempt;
    await this.serving?.close();
  }

  private step(fn: () => Promise<void>): void {
    this.attempt = this.attempt.then(() => (this.stopped ? undefined : fn())).catch((err: unknown) => this.opts.log.error('control.standby_failed', { err }));
  }

  private later(): void {
    if (this.stopped) return;
    this.retry = setTimeout(() => this.step(() => this.hold()), RETRY_MS);
    this.retry.unref();
  }

  private async hold(): Promise<void> {
    let client: ControlClient;
    try {
      client = await dialControl({ socketPath: this.opts.socketPath });
    } catch {
      return this.takeOver();
    }
    if (this.stopped) return client.close();
    this.watch = client;
    this.ping = setInterval(() => void client.request('ping').catch(() => undefined), this.opts.pingMs);
    this.ping.unref();
    client.onClose(() => {
      clearInterval(this.ping);
      this.watch = undefined;
      this.step(() => this.takeOver());
    });
  }

  private async takeOver(): Promise<void> {
    const server = this.opts.server();
    try {
      await server.listen();
    } catch (err) {
      await server.close();
      if (!(err instanceof ControlSocketTakenError) && !this.failedBefore) {
        // Said once: the same error (a permission on the data dir) would come every second.
        this.failedBefore = true;
        this.opts.log.error('control.takeover_failed', { socket: this.opts.socketPath, err });
      }
      return this.later();
    }
    if (this.stopped) return server.close();
    this.serving = server;
    this.opts.log.info('control.socket_taken_over', { socket: this.opts.socketPath, reason: 'the node that served it stopped' });
  }
}
