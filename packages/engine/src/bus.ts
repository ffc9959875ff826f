import type { Logger } from '@carrier/core';
import { InProcessPresence, type Presence } from './presence.js';
import type { Topic, TopicPayload } from './topics.js';

export type Unsubscribe = () => void;
/** May be async: a rejected promise is logged like a throw. */
export type TopicHandler<T extends Topic> = (payload: TopicPayload<T>) => unknown;

/**
 * How sessions hear about each other: typed topics plus board-wide presence. The
 * in-process bus is the default; a Redis bus implements the same interface so several
 * processes serve one board. `publish` never throws for a subscriber's fault.
 */
export interface Bus {
  publish<T extends Topic>(topic: T, payload: TopicPayload<T>): void;
  subscribe<T extends Topic>(topic: T, handler: TopicHandler<T>): Unsubscribe;
  readonly presence: Presence;
  close(): Promise<void>;
}

type AnyHandler = (payload: unknown) => unknown;

/** Delivers synchronously, in subscription order, within one process. */
export class InProcessBus implements Bus {
  readonly presence: Presence;
  private readonly handlers = new Map<Topic, Set<AnyHandler>>();
  private readonly log: Logger;

  constructor(log: Logger) {
    this.log = log.child({ component: 'bus' });
    this.presence = new InProcessPresence((topic, payload) => this.publish(topic, payload));
  }

  publish<T extends Topic>(topic: T, payload: TopicPayload<T>): void {
    const set = this.handlers.get(topic);
    if (!set || set.size === 0) return;
    // One copy per publish: subscribers cannot see each other's mutations, and a payload a
    // Redis bus could not serialize fails here, at the publisher, in development too.
    const copy = structuredClone(payload);
    for (const handler of [...set]) {
      if (!set.has(handler)) continue; // unsubscribed by an earlier handler in this delivery
      try {
        const result = handler(copy);
        if (result instanceof Promise) result.catch((err: unknown) => this.handlerFailed(topic, err));
      } catch (err) {
        this.handlerFailed(topic, err);
      }
    }
  }

  subscribe<T extends Topic>(topic: T, handler: TopicHandler<T>): Unsubscribe {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    // Wrapped so subscribing the same function twice gives two independent subscriptions.
    const entry: AnyHandler = (payload) => handler(payload as TopicPayload<T>);
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }

  private handlerFailed(topic: Topic, err: unknown): void {
    this.log.error('bus.subscriber_failed', { topic, err });
  }
}
