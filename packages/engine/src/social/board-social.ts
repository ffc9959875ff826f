import { client, type Logger } from '@carrier/core';
import { handleKey } from '@carrier/store';
import type { Bus, Unsubscribe } from '../bus.js';
import { chatSettings, type ChatSettings } from '../chat/settings.js';
import type { PrivateChatRequest } from '../topics.js';
import { FloodGate } from './flood-gate.js';
import type { Notice } from './notice.js';

/** What the social routes need of one local session: who it is, and its inbox. */
export interface SocialMember {
  readonly id: string;
  readonly node: number;
  readonly user: { readonly handle: string } | undefined;
  readonly social: {
    notify(notice: Notice): boolean;
    invite(req: PrivateChatRequest): boolean;
    withdraw(chatId: string): void;
  };
}

/** The part of the board the social routes need: its name and its local sessions. */
export interface SocialBoard {
  readonly name: string;
  sessions(): readonly SocialMember[];
  session(id: string): SocialMember | undefined;
}

/** Mutes remembered at once; expired ones are dropped first, so this only bounds a mute storm. */
const MAX_MUTES = 10_000;

/**
 * This process's share of the social layer. It routes the bus topics addressed to a
 * session or a handle (pages, private messages, chat requests, broadcasts) to the
 * sessions this process serves, and keeps the per-user state every one of its sessions
 * must agree on: mutes and flood control. Each process on a multi-process board keeps
 * its own, fed by the same topics.
 */
export class BoardSocial {
  readonly settings: Readonly<ChatSettings>;
  private readonly mutes = new Map<string, { until: number; by: string }>();
  private readonly flood: FloodGate;
  private readonly subscriptions: Unsubscribe[];

  constructor(
    private readonly board: SocialBoard,
    readonly bus: Bus,
    private readonly log: Logger,
    settings?: Partial<ChatSettings>,
  ) {
    this.settings = chatSettings(settings);
    this.flood = new FloodGate(this.settings.floodRate, this.settings.floodBurst);
    this.subscriptions = [
      bus.subscribe('page', (p) => {
        this.board.session(p.toSessionId)?.social.notify({ kind: 'page', from: p.fromHandle, fromNode: p.fromNode, text: p.text, at: p.at });
      }),
      bus.subscribe('broadcast', (b) => {
        for (const s of this.board.sessions()) s.social.notify({ kind: 'broadcast', from: b.from, text: b.text, at: b.at });
      }),
      bus.subscribe('chat.private', (m) => {
        for (const s of this.sessionsOf(m.toHandle)) {
          s.social.notify({ kind: 'private', from: m.fromHandle, fromNode: m.fromNode, text: m.text, at: m.at });
        }
      }),
      bus.subscribe('chat.mute', (m) => this.applyMute(m.handle, m.until, m.by)),
      bus.subscribe('private.request', (req) => {
        const s = this.board.session(req.toSessionId);
        if (!s || s.social.invite(req)) return;
        bus.publish('private.answer', {
          chatId: req.chatId,
          toSessionId: req.fromSessionId,
          fromSessionId: s.id,
          fromHandle: s.user?.handle ?? '',
          fromNode: s.node,
          accepted: false,
          reason: 'do not disturb',
        });
      }),
      bus.subscribe('private.end', (e) => this.board.session(e.toSessionId)?.social.withdraw(e.chatId)),
    ];
  }

  /** When `handle` may talk in chat again (ms since the epoch), or 0 when not muted. */
  mutedUntil(handle: string, now = Date.now()): number {
    const m = this.mutes.get(handleKey(handle));
    if (!m) return 0;
    if (m.until <= now) {
      this.mutes.delete(handleKey(handle));
      return 0;
    }
    return m.until;
  }

  /** Counts one line for `handle`; false when it is over the flood limit and must be dropped. */
  allowLine(handle: string, now = Date.now()): boolean {
    return this.flood.allow(handleKey(handle), now);
  }

  /** Milliseconds until `handle` may say a line (0: now), without counting one. */
  msUntilLine(handle: string, now = Date.now()): number {
    return this.flood.msUntil(handleKey(handle), now);
  }

  /** Sessions this process serves for a handle (a user may be on more than one node). */
  sessionsOf(handle: string): SocialMember[] {
    const key = handleKey(handle);
    return this.board.sessions().filter((s) => s.user !== undefined && handleKey(s.user.handle) === key);
  }

  close(): void {
    for (const off of this.subscriptions.splice(0)) off();
  }

  private applyMute(handle: string, until: number, by: string): void {
    const key = handleKey(handle);
    const now = Date.now();
    if (until > now) {
      if (this.mutes.size >= MAX_MUTES) for (const [k, m] of this.mutes) if (m.until <= now) this.mutes.delete(k);
      if (this.mutes.size >= MAX_MUTES) this.mutes.delete(this.mutes.keys().next().value as string);
      this.mutes.set(key, { until, by });
    } else {
      this.mutes.delete(key);
    }
    this.log.info('chat.mute', { handle: client(key), until, by: client(by) });
    const minutes = Math.max(1, Math.round((until - now) / 60_000));
    const text = until > now ? `You are muted in chat for ${minutes} min by ${by}.` : `${by} lifted your mute: you may talk in chat again.`;
    for (const s of this.sessionsOf(handle)) s.social.notify({ kind: 'system', from: this.board.name, text, at: now });
  }
}
