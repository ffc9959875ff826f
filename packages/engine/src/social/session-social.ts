import type { Logger } from '@carrier/core';
import type { LineEditor } from '@carrier/terminal';
import { drawForSpy, type SpyOutput } from '../draw-again.js';
import type { PrivateChatRequest } from '../topics.js';
import type { BoardSocial } from './board-social.js';
import { LineKeeper } from './line-keeper.js';
import { ANSWER_KEY, isPersonal, noticeLine, type Notice, type NoticeHandler, type NoticeKind } from './notice.js';


/** A full-screen view that can stop drawing while its screen is lent out, and draw itself whole after. */
export interface ScreenOwner {
  suspend(): void;
  resume(): void;
  /**
   * The screen as the caller sees it now, drawn from a blank one, without sending anything
   * to the caller (a sysop's spy starts); undefined when it cannot say.
   */
  whole?(): string | undefined;
}

/** A chat request waiting for this caller's answer. */
export interface Invitation {
  chatId: string;
  fromSessionId: string;
  fromHandle: string;
  fromNode: number;
  at: number;
}

/** What the session lends its social side. */
export interface SocialHost {
  readonly closed: boolean;
  readonly log: Logger;
  write(text: string): void;
  /** the caller's screen width now: notices printed above the line break between words at it */
  cols(): number;
  /** a full-screen view has the screen (notices wait unless it shows them itself) */
  viewOpen(): boolean;
  /** room or do-not-disturb changed: republish presence */
  presenceChanged(): void;
  /** take the screen and keys from whatever the caller is doing and answer `invitation` */
  answer(invitation: Invitation): Promise<void>;
}

/** Requests held at once; the oldest lapse first (no one can stack a screenful). */
const MAX_INVITATIONS = 5;
/** Notices held while a view that cannot show them has the screen; the oldest go first. */
const MAX_HELD_NOTICES = 20;
const ANSWER_BYTE = ANSWER_KEY.charCodeAt(0);
/** What the answer key says when no request is waiting (it lapsed, or there never was one). */
export const NO_INVITATION = 'No chat request is waiting.';

/**
 * One caller's social state: the chat room they are in, do-not-disturb, the notices
 * reaching them and where those are shown, and chat requests waiting for an answer.
 * Everything arriving from other callers comes in through the board's routes (bus
 * topics), never from another Session object.
 */
export class SessionSocial {
  /** what the current screen line holds, for notices printed above it */
  readonly line = new LineKeeper();
  private roomName: string | null = null;
  private dnd = false;
  private readonly handlers: NoticeHandler[] = [];
  /** handlers that only show notices (a lightbar): the answer key still answers at the session */
  private readonly passive = new Set<NoticeHandler>();
  /** full-screen views on the caller's screen, newest last */
  private readonly owners: ScreenOwner[] = [];
  /** line-mode screens that can draw themselves again (the menu at its prompt), newest last */
  private readonly painters: ((stillShown: () => boolean) => void)[] = [];
  /** painters drawn again whole when a loan ends (a lightbar: its rows cannot take a line chat) */
  private readonly redrawnAfterLoan = new WeakSet<(stillShown: () => boolean) => void>();
  /** lendScreen() loans not yet given back */
  private lent = 0;
  /** owners suspended by a loan, resumed when the last loan is given back */
  private readonly paused = new Set<ScreenOwner>();
  /** handlers that take only these kinds of notice */
  private readonly kinds = new Map<NoticeHandler, ReadonlySet<NoticeKind>>();
  private readonly invitations: Invitation[] = [];
  private readonly held: Notice[] = [];
  private answering = false;

  constructor(
    private readonly host: SocialHost,
    /** this process's share of the board's social layer: settings, mutes, flood control */
    readonly board: BoardSocial,
    /**
     * An unanswered request lapses after this (the board's `chatRequestTimeoutMs`, config
     * `limits.chatRequestTimeout`); the asker gives up waiting at the same time.
     */
    readonly invitationTtlMs: number,
  ) {}

  /** The chat room the caller is in, or null; shown to others through presence. */
  get room(): string | null {
    return this.roomName;
  }

  setRoom(room: string | null): void {
    if (room === this.roomName) return;
    this.roomName = room;
    this.host.presenceChanged();
  }

  /** Do-not-disturb: pages, private messages and chat requests are turned away. */
  get doNotDisturb(): boolean {
    return this.dnd;
  }

  setDoNotDisturb(on: boolean): void {
    if (on === this.dnd) return;
    this.dnd = on;
    this.host.presenceChanged();
  }

  /**
   * Show notices with `handler` while it is registered (a full-screen view that owns the
   * screen); the newest registration wins. Returns the unregister function.
   */
  onNotice(
    handler: NoticeHandler,
    opts: { answersKey?: boolean; kinds?: readonly NoticeKind[]; oneLine?: boolean; fits?: (notice: Notice) => boolean } = {},
  ): () => void {
    // A view that shows one notice at a time (a status line) hides each under the next:
    // when it had more than one, or cut one to its width (`fits` says it did not fit), they
    // are all shown again as lines once it lets go.
    const shown: Notice[] = [];
    let cut = false;
    const entry: NoticeHandler = (n) => {
      if (opts.oneLine) {
        if (shown.length >= MAX_HELD_NOTICES) shown.shift();
        shown.push(n);
        if (opts.fits && !opts.fits(n)) cut = true;
      }
      handler(n);
    };
    this.handlers.push(entry);
    // A screen that takes only some kinds (a door: system notices) leaves the rest held, as before it registered.
    if (opts.kinds) this.kinds.set(entry, new Set(opts.kinds));
    // A screen that only shows notices (a lightbar) leaves the answer key to the session.
    if (opts.answersKey === false) this.passive.add(entry);
    return () => {
      const i = this.handlers.indexOf(entry);
      if (i >= 0) this.handlers.splice(i, 1);
      this.passive.delete(entry);
      this.kinds.delete(entry);
      if (shown.length > 1 || cut) for (const n of shown.splice(0)) this.hold(n);
    };
  }

  /**
   * A full-screen view has the caller's screen while `owner` is registered (the newest
   * on top): it can stop drawing while the screen is lent out and draw itself whole after.
   * A view that arrives while the screen is lent (it was opening when the sysop broke in)
   * starts suspended and draws itself when the screen is given back. Returns the
   * unregister function.
   */
  ownScreen(owner: ScreenOwner): () => void {
    this.owners.push(owner);
    if (this.lent > 0) {
      owner.suspend();
      this.paused.add(owner);
    }
    return () => {
      const i = this.owners.indexOf(owner);
      if (i >= 0) this.owners.splice(i, 1);
      this.paused.delete(owner);
    };
  }

  /**
   * Lend the caller's screen (the sysop's break-in chat): the view on it, and any view
   * that opens before the loan ends, stops drawing. `over` says whether a view (or a
   * lightbar, which draws itself again after) had the screen when it was lent. giveBack()
   * returns the screen: the suspended views draw themselves whole, else the lightbar does,
   * and it says whether one did (else the caller is at a line-mode screen, which the
   * borrower puts back itself).
   */
  lendScreen(): { over: boolean; giveBack(): boolean } {
    const owner = this.owners[this.owners.length - 1];
    if (owner) {
      owner.suspend();
      this.paused.add(owner);
    }
    const top = owner ? undefined : this.painters[this.painters.length - 1];
    const bar = top && this.redrawnAfterLoan.has(top) ? top : undefined;
    this.lent++;
    let given = false;
    return {
      over: owner !== undefined || bar !== undefined,
      giveBack: () => {
        if (given) return false;
        given = true;
        this.lent--;
        if (this.lent > 0) return false;
        const waiting = [...this.paused];
        this.paused.clear();
        for (const o of waiting) o.resume();
        if (waiting.length > 0) return true;
        // Drawn once the borrower has let go of the keys too (stillShown is asked later).
        if (!bar || !this.painters.includes(bar) || this.host.closed) return false;
        bar(() => !this.host.closed && !this.host.viewOpen() && this.lent === 0);
        return true;
      },
    };
  }

  /**
   * A line-mode screen that can draw itself again has the caller's screen while `painter`
   * is registered (the newest on top; the menu while it waits at its prompt). Returns the
   * unregister function. A painter that draws later (it reads its art first) checks
   * `stillShown()` before it sends anything: false once a view, a door, a transfer or the
   * sysop's break-in chat took the screen, or the caller left. `afterLoan`: a screen that
   * cannot go on below a line chat (a lightbar's rows): the chat gets a clear screen over
   * it, and it is drawn again whole when the chat ends.
   */
  drawsAgain(painter: (stillShown: () => boolean) => void, opts: { afterLoan?: boolean } = {}): () => void {
    this.painters.push(painter);
    if (opts.afterLoan) this.redrawnAfterLoan.add(painter);
    return () => {
      const i = this.painters.indexOf(painter);
      if (i >= 0) this.painters.splice(i, 1);
    };
  }

  /**
   * @internal Draw what the caller sees again, whole, to `out` alone (a sysop's spy starts,
   * and copies only what is sent after that): the full-screen view on top, else the
   * line-mode screen that registered with drawsAgain(), whose output goes to `out` through
   * every await of its drawing (draw-again.ts drawForSpy), else `otherwise` (the rows and
   * the line the session knows are on the screen: a script's key prompt, a pause). The
   * caller is sent nothing. False when nothing can (the screen is lent out, or `otherwise`
   * does not know the screen).
   */
  repaint(out: SpyOutput, otherwise: () => boolean = () => false): boolean {
    if (this.host.closed || this.lent > 0) return false;
    const owner = this.owners[this.owners.length - 1];
    if (owner) {
      const whole = owner.whole?.();
      if (whole === undefined) return false;
      out.write(whole);
      return true;
    }
    const painter = this.painters[this.painters.length - 1];
    if (!painter) return drawForSpy(out, otherwise);
    drawForSpy(out, () => painter(() => !this.host.closed && !this.host.viewOpen() && this.lent === 0));
    return true;
  }

  /** A view that shows notices itself has the screen (chat, split chat, who's online, the editor). */
  get showsNotices(): boolean {
    return this.handlers.length > 0;
  }

  /** Show a notice now; false when it was turned away (do-not-disturb, or the caller is gone). */
  notify(notice: Notice): boolean {
    if (this.host.closed) return false;
    if (this.dnd && isPersonal(notice.kind)) return false;
    const handler = this.handlers.findLast((h) => this.kinds.get(h)?.has(notice.kind) ?? true);
    if (handler) {
      try {
        handler(notice);
      } catch (err) {
        this.host.log.error('notice.handler_failed', { err });
      }
    } else {
      this.showLater(notice);
    }
    return true;
  }

  /** Print a notice above the line being typed, or hold it while a full-screen view has the screen. */
  private showLater(notice: Notice): void {
    if (this.host.closed) return;
    if (this.host.viewOpen()) this.hold(notice);
    else this.host.write(this.line.interrupt(noticeLine(notice, this.host.cols())));
  }

  private hold(notice: Notice): void {
    if (this.held.length >= MAX_HELD_NOTICES) this.held.shift();
    this.held.push(notice);
  }

  /**
   * @internal The caller is about to be asked for a key or a line: show what arrived while
   * a full-screen view (or a door) had the screen, above the prompt. Not when the view
   * closes: whatever runs next (a menu, a list) clears the screen as it draws, and the
   * notices would be gone before anyone read them.
   */
  atPrompt(): void {
    if (this.held.length === 0 || this.host.viewOpen() || this.host.closed) return;
    for (const n of this.held.splice(0)) this.host.write(this.line.interrupt(noticeLine(n, this.host.cols())));
  }

  /** A chat request arrived; false when it is turned away. */
  invite(req: PrivateChatRequest, now = Date.now()): boolean {
    if (this.host.closed || this.dnd) return false;
    this.prune(now);
    if (this.invitations.some((i) => i.chatId === req.chatId)) return true;
    if (this.invitations.length >= MAX_INVITATIONS) this.invitations.shift();
    this.invitations.push({ chatId: req.chatId, fromSessionId: req.fromSessionId, fromHandle: req.fromHandle, fromNode: req.fromNode, at: now });
    return this.notify({ kind: 'invite', from: req.fromHandle, fromNode: req.fromNode, text: '', at: now, chatId: req.chatId });
  }

  /** The asker gave up or hung up. */
  withdraw(chatId: string): void {
    const i = this.invitations.findIndex((inv) => inv.chatId === chatId);
    if (i >= 0) this.invitations.splice(i, 1);
  }

  /** Take a waiting request (the newest, or the one for `chatId`) to answer it. */
  takeInvitation(chatId?: string, now = Date.now()): Invitation | undefined {
    this.prune(now);
    const i = chatId === undefined ? this.invitations.length - 1 : this.invitations.findIndex((inv) => inv.chatId === chatId);
    if (i < 0) return undefined;
    return this.invitations.splice(i, 1)[0];
  }

  /**
   * @internal Input on its way to the script. While an answered chat has the screen it
   * all goes there. The answer key (^Y), typed at a plain screen with a request waiting,
   * answers it: the chat takes over until it ends, then the screen is put back. A
   * full-screen view that shows notices itself handles the key its own way.
   */
  intercept(bytes: Buffer): boolean {
    if (this.answering) return true;
    if (this.handlers.length > this.passive.size || this.host.viewOpen() || !bytes.includes(ANSWER_BYTE)) return false;
    const invitation = this.takeInvitation();
    if (!invitation) {
      // The key alone, with nothing to answer (the request lapsed, or was withdrawn): say
      // so rather than hand the script a key it has no use for.
      if (bytes.length !== 1) return false;
      this.host.write(this.line.interrupt(`\x1b[0;37m${NO_INVITATION}`));
      return true;
    }
    this.answering = true;
    void this.host
      .answer(invitation)
      .catch((err: unknown) => {
        if (!this.host.closed) this.host.log.error('social.answer_failed', { err });
      })
      .finally(() => {
        this.answering = false;
        if (!this.host.closed) this.host.write(this.line.restore('\x1b[0;37m(back where you were)'));
      });
    return true;
  }

  /** @internal The line editor that owns the current line, if any. */
  editing(editor: LineEditor | undefined): void {
    this.line.editing(editor);
  }

  /** @internal The caller's current line (a prompt and its half-typed text) drawn again from its first column, if known. */
  currentLine(): string | undefined {
    return this.line.currentLine();
  }

  /** @internal The last `max` rows printed above the caller's current line since their screen was cleared (LineKeeper.shownRows). */
  shownRows(max: number): string[] {
    return this.line.shownRows(max);
  }

  /** @internal Fields this adds to the caller's presence entry. */
  presenceFields(): { room?: string; dnd?: boolean } {
    return { ...(this.roomName !== null ? { room: this.roomName } : {}), ...(this.dnd ? { dnd: true } : {}) };
  }

  /** @internal The session ended. */
  close(): void {
    this.invitations.length = 0;
    this.handlers.length = 0;
    this.passive.clear();
    this.kinds.clear();
    this.owners.length = 0;
    this.paused.clear();
    this.held.length = 0;
  }

  private prune(now: number): void {
    while (this.invitations.length > 0 && now - this.invitations[0]!.at > this.invitationTtlMs) this.invitations.shift();
  }
}
