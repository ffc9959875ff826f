import { cleanUserText, type Connection, type Logger } from '@carrier/core';
import type { Store, User } from '@carrier/store';
import { coalesceResizes } from '@carrier/terminal';
import type { Bus } from '../bus.js';
import type { PresenceEntry } from '../presence.js';

/**
 * who's-online shows idle minutes; republishing presence on every keystroke would
 * flood a Redis bus, so input refreshes lastInputAt at most this often.
 */
const PRESENCE_INPUT_REFRESH_MS = 15_000;
/**
 * Presence hears of a session at most this often from what changes by itself (input, the
 * window's size): a resize storm (NAWS floods, window drags) is one update a second at most.
 */
const PRESENCE_COALESCE_MS = 1_000;
/** The longest activity who's-online shows. */
export const MAX_ACTIVITY_LENGTH = 60;

export interface PresenceHost {
  readonly sessionId: string;
  readonly conn: Connection;
  readonly bus: Bus;
  readonly store: Store;
  readonly processId: string;
  readonly log: Logger;
  readonly closed: boolean;
  readonly handle: string | null;
  /** fields the social side adds (room, do-not-disturb) */
  extraFields(): Partial<PresenceEntry>;
}

/**
 * A session's board-wide footprint: its node, its presence entry and its call record.
 * Every write to them goes through one ledger, in the order asked, so a hang-up during
 * login cannot leave a call open or a presence entry behind.
 */
export class PresencePublisher {
  private nodeNumber = 0;
  private activityText = 'connecting';
  private lastInputAt = Date.now();
  private lastPublishedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private callId: number | undefined;
  private ledger: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: PresenceHost) {}

  get node(): number {
    return this.nodeNumber;
  }

  get activity(): string {
    return this.activityText;
  }

  /** Take the lowest free node; 0 stays while the claim is pending. */
  async claimNode(): Promise<number> {
    const node = await this.record(() => this.host.bus.presence.claimNode(this.host.sessionId));
    if (!this.host.closed) this.nodeNumber = node;
    return node;
  }

  /** What who's-online shows the caller doing: caller-made text, cleaned of controls and cut. */
  setActivity(text: string): void {
    const clean = cleanUserText(text, MAX_ACTIVITY_LENGTH);
    if (clean === this.activityText) return;
    this.activityText = clean;
    this.publish();
  }

  /** A key arrived: idle time restarts; presence hears of it now and then. */
  touched(now = Date.now()): void {
    this.lastInputAt = now;
    if (now - this.lastPublishedAt >= PRESENCE_INPUT_REFRESH_MS) this.schedule();
  }

  /**
   * Who's online shows the window's size (a sysop's T): the newest once a storm settles, as
   * views follow it (terminal's coalesceResizes), then at most once a second (resized()).
   * Returns the stop.
   */
  followResizes(): () => void {
    const { conn } = this.host;
    const resizes = coalesceResizes(() => this.resized(), { initial: { cols: conn.terminal.cols, rows: conn.terminal.rows } });
    // Each size the connection delivers is logged (debug), as before the coalescing: the
    // front ends bound how many arrive (an ssh window-change flood is cut at its limit).
    const onResize = (cols: number, rows: number): void => {
      this.host.log.debug('session.resize', { cols, rows });
      resizes.push(cols, rows);
    };
    conn.on('resize', onResize);
    return () => {
      resizes.cancel();
      conn.off('resize', onResize);
    };
  }

  /**
   * The caller's window has a new size (resizes already coalesced, at most one per view
   * resize delay): who's online hears of it now when it heard nothing for a second, else
   * once that second is up, with the newest size then.
   */
  resized(now = Date.now()): void {
    const wait = this.lastPublishedAt + PRESENCE_COALESCE_MS - now;
    if (wait <= 0) this.publish();
    else this.schedule(wait);
  }

  /** Count the login and open the call record, closing one left open by an earlier login. */
  async openCall(user: User): Promise<void> {
    const term = this.host.conn.terminal;
    await this.record(async () => {
      if (this.callId !== undefined) await this.host.store.calls.end(this.callId, 'logged in again');
      this.callId = undefined;
      // One transaction: a database failing halfway never leaves a counted login without its call.
      this.callId = await this.host.store.logins.record({
        userId: user.id,
        handle: user.handle,
        protocol: term.protocol,
        remoteAddress: this.host.conn.remoteAddress,
        node: this.nodeNumber,
      });
    });
  }

  /** Publish the entry now (after a pending coalesced update is dropped). */
  publish(): void {
    this.cancel();
    if (this.host.closed || this.nodeNumber === 0) return;
    this.lastPublishedAt = Date.now();
    const entry = this.entry();
    void this.record(async () => {
      if (this.host.closed) return;
      await this.host.bus.presence.update(entry);
    }).catch((err: unknown) => this.host.log.error('session.presence_update_failed', { err }));
  }

  /** Publish soon (in `delayMs`), once, however often this is called meanwhile. */
  schedule(delayMs = PRESENCE_COALESCE_MS): void {
    if (this.timer || this.host.closed) return;
    this.timer = setTimeout(() => this.publish(), delayMs);
    this.timer.unref();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The session ended: close the call record and leave presence, after every earlier write. Never rejects. */
  finish(reason: string): Promise<void> {
    this.cancel();
    return this.record(async () => {
      if (this.callId !== undefined) {
        try {
          await this.host.store.calls.end(this.callId, reason);
        } catch (err) {
          this.host.log.error('session.call_end_failed', { err });
        }
      }
      try {
        await this.host.bus.presence.remove(this.host.sessionId);
      } catch (err) {
        this.host.log.error('session.presence_remove_failed', { err });
      }
    });
  }

  /** Presence and call-record writes run one after another, in the order asked. */
  record<T>(op: () => Promise<T>): Promise<T> {
    const next = this.ledger.then(op);
    this.ledger = next.catch(() => undefined);
    return next;
  }

  private entry(): PresenceEntry {
    const { conn } = this.host;
    const t = conn.terminal;
    return {
      sessionId: this.host.sessionId,
      node: this.nodeNumber,
      handle: this.host.handle,
      protocol: t.protocol,
      activity: this.activityText,
      connectedAt: conn.connectedAt,
      lastInputAt: this.lastInputAt,
      remoteAddress: conn.remoteAddress,
      terminal: { type: t.type, cols: t.cols, rows: t.rows, encoding: t.encoding },
      processId: this.host.processId,
      ...this.host.extraFields(),
    };
  }
}
