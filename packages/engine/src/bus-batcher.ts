import { encodeBatch, MAX_BATCH_LENGTH, MAX_BATCH_MESSAGES } from './bus-envelope.js';

/**
 * Coalesces a bus's remote publishes into few Redis PUBLISHes. The first message of an
 * event-loop turn is sent at once, so the other processes start their fan-out while this
 * one is still drawing its own callers' screens; whatever else this turn publishes (a
 * reap's 500 presence.leave, a republish's joins, lines read in the same poll) follows
 * as one batch when the turn ends (setImmediate), in publish order. A batch is cut before
 * MAX_BATCH_MESSAGES or MAX_BATCH_LENGTH, so a receiver never drops one we sent.
 */
export class PublishBatcher {
  private queue: string[] = [];
  /** the batch's encoded length so far: '[' + parts + commas + ']' */
  private queuedLength = 1;
  private turn: NodeJS.Immediate | undefined;

  /** `send` gets one Redis message and how many envelopes it carries. */
  constructor(private readonly send: (message: string, count: number) => void) {}

  /** One encoded envelope (see encodeEnvelope), in publish order. */
  add(encoded: string): void {
    if (this.turn === undefined) {
      this.turn = setImmediate(() => {
        this.turn = undefined;
        this.flush();
      });
      this.send(encoded, 1);
      return;
    }
    if (this.queue.length >= MAX_BATCH_MESSAGES || this.queuedLength + encoded.length + 1 > MAX_BATCH_LENGTH) this.flush();
    this.queue.push(encoded);
    this.queuedLength += encoded.length + 1;
  }

  /** Send what is queued now (the end of a turn, or before the connection closes). */
  flush(): void {
    if (this.queue.length === 0) return;
    const parts = this.queue;
    this.queue = [];
    this.queuedLength = 1;
    this.send(encodeBatch(parts), parts.length);
  }

  /** Flush, and forget the turn. */
  close(): void {
    if (this.turn !== undefined) clearImmediate(this.turn);
    this.turn = undefined;
    this.flush();
  }
}
