import type { Encoding, Protocol } from '@carrier/core';

/** One caller on the board, as who's-online shows it. Plain data: a Redis bus serializes it. */
export interface PresenceEntry {
  sessionId: string;
  node: number;
  /** null while the caller is still logging in */
  handle: string | null;
  protocol: Protocol;
  activity: string;
  connectedAt: number;
  lastInputAt: number;
  remoteAddress: string;
  terminal: { type: string; cols: number; rows: number; encoding: Encoding };
  /** which carrier process serves this caller (host:pid:random, one per start), for multi-process boards */
  processId: string;
  /** the chat room the caller is in; absent outside chat */
  room?: string;
  /** do-not-disturb: pages and chat requests are turned away */
  dnd?: boolean;
}

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
  /** unique per line: a history replay and the live copy of one line are told apart by it */
  id: string;
  room: string;
  sessionId: string;
  node: number;
  handle: string;
  /** 'me' is an action line (`/me waves` shows as `* alice waves`) */
  kind: 'say' | 'me';
  text: string;
  at: number;
}
export interface ChatMembership {
  room: string;
  sessionId: string;
  node: number;
  handle: string;
  at: number;
  /** why a caller left: 'left', 'hung up', 'kicked by …', 'joined #other' */
  reason?: string;
}
/** `/msg handle text`: reaches every session of that handle, wherever it is on the board. */
export interface PrivateMessage {
  toHandle: string;
  fromSessionId: string;
  fromHandle: string;
  fromNode: number;
  text: string;
  at: number;
}
/** A moderator removes `handle` from `room`. */
export interface ChatKick {
  room: string;
  handle: string;
  by: string;
  at: number;
}
/** A moderator silences `handle` in chat until `until` (ms since the epoch; 0 lifts it). */
export interface ChatMute {
  handle: string;
  until: number;
  by: string;
}
/** One caller asks another for a split-screen chat. */
export interface PrivateChatRequest {
  chatId: string;
  toSessionId: string;
  fromSessionId: string;
  fromHandle: string;
  fromNode: number;
  at: number;
}
/** The answer to a request, sent back to the session that asked. */
export interface PrivateChatAnswer {
  chatId: string;
  toSessionId: string;
  fromSessionId: string;
  fromHandle: string;
  fromNode: number;
  accepted: boolean;
  /** why not, when refused: 'do not disturb', 'declined' */
  reason?: string;
}
export interface PrivateChatLine {
  chatId: string;
  toSessionId: string;
  fromSessionId: string;
  text: string;
  at: number;
}
/** Either side left the split-screen chat (or withdrew the request, or hung up). */
export interface PrivateChatEnd {
  chatId: string;
  toSessionId: string;
  fromSessionId: string;
  reason: string;
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
/** This process lost (up: false) or regained its link to the rest of the board (a Redis bus). Never leaves the process. */
export interface BusLink {
  up: boolean;
  at: number;
}

/** The sysop's spy on one session (control channel): start, renew (a lease) or stop. */
export interface SpyRequest {
  spyId: string;
  sessionId: string;
  op: 'start' | 'renew' | 'stop';
}
/** A copy of what a spied-on session was sent: base64 bytes in its terminal's encoding. */
export interface SpyChunk {
  spyId: string;
  data: string;
  encoding: 'cp437' | 'utf8';
  cols: number;
  rows: number;
  /** In the first chunk when the caller's screen could not be drawn again for the spy: what it shows instead (a door's screen, as it draws). */
  note?: string;
}
export interface SpyEnd {
  spyId: string;
  reason: string;
}
/** The sysop's break-in chat, to the process that holds the caller. */
export interface BreakInRequest {
  chatId: string;
  sessionId: string;
  op: 'open' | 'say' | 'close';
  /** the sysop's name shown to the caller (open) */
  from?: string;
  /** a line for the caller (say; optional with open) */
  text?: string;
}
/** From the caller's side of a break-in chat: opened, a line the caller typed, refused, or ended (text: by whom). */
export interface BreakInEvent {
  chatId: string;
  sessionId: string;
  kind: 'opened' | 'line' | 'refused' | 'ended';
  text?: string;
}

/**
 * The sysop's shutdown, to every process of the board: each stops `inMs` after it hears
 * it (a delay, not a time: hosts' clocks need not agree). `from` names the control
 * channel that asked, which has its own timer.
 */
export interface BoardShutdown {
  inMs: number;
  from: string;
}

/** New private mail: shown at once to the recipient's sessions, on whichever node they are. */
export interface MailNotice {
  id: number;
  toUserId: number;
  fromHandle: string;
  subject: string;
  at: number;
}

/**
 * A sysop changed an account (its level, flags or location): each process
 * reads it again for that user's sessions it holds, so the change counts at once.
 */
export interface UserChanged {
  userId: number;
  /** The handle of the sysop who made the change from their own session (a control verb's `by`), if any: they are not told of their own change. */
  by?: string;
  /** The account's new flags ('' none), only when a sysop changed them: the caller is told (a session's account does not carry flags). */
  flags?: string;
  /** The account's new location (null: cleared), only when a sysop changed it: the caller is told. */
  location?: string | null;
}

/**
 * The board's ban list changed in the store (a ban or unban made by `processId`): every
 * other process reads it again now rather than at its next poll (security.banRefresh).
 * It carries no ban: the store is the truth, and a notice read twice or lost costs
 * nothing but a poll's wait.
 */
export interface BansChanged {
  processId: string;
  at: number;
}

export const topics = {
  'mail.new': carries<MailNotice>(),
  'user.changed': carries<UserChanged>(),
  'presence.join': carries<PresenceEntry>(),
  'presence.update': carries<PresenceEntry>(),
  'presence.leave': carries<PresenceLeave>(),
  'session.message': carries<SessionMessage>(),
  'session.disconnect': carries<SessionDisconnect>(),
  'chat.line': carries<ChatLine>(),
  'chat.join': carries<ChatMembership>(),
  'chat.leave': carries<ChatMembership>(),
  'chat.private': carries<PrivateMessage>(),
  'chat.kick': carries<ChatKick>(),
  'chat.mute': carries<ChatMute>(),
  page: carries<Page>(),
  broadcast: carries<Broadcast>(),
  'private.request': carries<PrivateChatRequest>(),
  'private.answer': carries<PrivateChatAnswer>(),
  'private.line': carries<PrivateChatLine>(),
  'private.end': carries<PrivateChatEnd>(),
  'bus.link': carries<BusLink>(),
  'sysop.spy': carries<SpyRequest>(),
  'sysop.spy.data': carries<SpyChunk>(),
  'sysop.spy.end': carries<SpyEnd>(),
  'sysop.chat': carries<BreakInRequest>(),
  'sysop.chat.event': carries<BreakInEvent>(),
  'board.shutdown': carries<BoardShutdown>(),
  'security.bans': carries<BansChanged>(),
} as const;

export type Topic = keyof typeof topics;
export type TopicPayload<T extends Topic> = (typeof topics)[T] extends PayloadOf<infer P> ? P : never;

export const TOPIC_NAMES: readonly Topic[] = Object.freeze(Object.keys(topics) as Topic[]);

export function isTopic(name: string): name is Topic {
  return Object.hasOwn(topics, name);
}
