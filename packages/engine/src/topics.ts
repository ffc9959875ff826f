import type { PresenceEntry } from './presence.js';

/**
 * Every topic on the Bus, with the payload it carries. Payloads are plain data (a Redis
 * bus serializes them). Adding a topic is one line in `topics`.
 */
declare const payloadType: unique symbol;
/** A type-only marker: carries a topic's payload type, holds nothing at run time. */
export interface PayloadOf<P> {
  readonly [payloadType]?: P;
}
const carries = <P>(): PayloadOf<P> => ({});

export interface PresenceLeave {
  sessionId: string;
  node: number;
  handle: string | null;
  processId: string;
}
/** A line shown to one session (sysop message, page delivery). */
export interface SessionMessage {
  sessionId: string;
  from: string;
  text: string;
}
/** A sysop action: end this session. */
export interface SessionDisconnect {
  sessionId: string;
  reason: string;
  by: string;
}
export interface ChatLine {
  room: string;
  sessionId: string;
  node: number;
  handle: string;
  text: string;
  at: number;
}
export interface ChatMembership {
  room: string;
  sessionId: string;
  node: number;
  handle: string;
  at: number;
}
export interface Page {
  toSessionId: string;
  fromSessionId: string;
  fromHandle: string;
  fromNode: number;
  text: string;
  at: number;
}
export interface Broadcast {
  from: string;
  text: string;
  at: number;
}

export const topics = {
  'presence.join': carries<PresenceEntry>(),
  'presence.update': carries<PresenceEntry>(),
  'presence.leave': carries<PresenceLeave>(),
  'session.message': carries<SessionMessage>(),
  'session.disconnect': carries<SessionDisconnect>(),
  'chat.line': carries<ChatLine>(),
  'chat.join': carries<ChatMembership>(),
  'chat.leave': carries<ChatMembership>(),
  page: carries<Page>(),
  broadcast: carries<Broadcast>(),
} as const;

export type Topic = keyof typeof topics;
export type TopicPayload<T extends Topic> = (typeof topics)[T] extends PayloadOf<infer P> ? P : never;

export const TOPIC_NAMES: readonly Topic[] = Object.freeze(Object.keys(topics) as Topic[]);

export function isTopic(name: string): name is Topic {
  return Object.hasOwn(topics, name);
}
