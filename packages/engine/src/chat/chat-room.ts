import { randomBytes } from 'node:crypto';
import { cleanUserText, client, isPlainTerminal, plural, TimeoutError } from '@carrier/core';
import { followResizes, LATE_SEQUENCE_MS, LineEditor, type Key } from '@carrier/terminal';
import { handleKey, LEVELS } from '@carrier/store';
import type { Unsubscribe } from '../bus.js';
import type { PresenceEntry } from '../presence.js';
import type { Session } from '../session-api.js';
import { remeasureOnViewOpen } from '../session/terminal-setup.js';
import { describeNotice, PASTE_STOPPED, type Notice } from '../social/notice.js';
import { answerInvitation } from '../social/split-chat.js';
import type { ChatLine } from '../topics.js';
import { ChatScreen, type ChatRow } from './chat-screen.js';
import { parseChatLine, splitHandle, type ChatCommand } from './commands.js';
import { ChatOutbox, OUTBOX_AHEAD, OUTBOX_LINES, type OutboxLine } from './outbox.js';
import { chatDirectory, type ChatDirectory, type PresenceView, type RoomMembers } from './room-directory.js';
import { DEFAULT_ROOM, roomName } from './room-name.js';
import { sharedBytes } from './shared-bytes.js';
import type { ChatSettings } from './settings.js';

/**
 * A chat room session for one caller: the screen (chat-screen.ts), the input line, the
 * commands, and the bus topics that carry the room. Lines, joins, leaves, kicks and
 * private messages travel as topics, so rooms span every process of the board; the
 * members list is seeded from presence (each entry names its room) and kept by the
 * join/leave topics, with presence.leave as the backstop for a caller who vanished.
 */

export interface ChatRoomOptions {
  /** the room to enter first (default lobby) */
  room?: string;
}

/** `/kick` and `/mute` need a co-sysop; `/broadcast` reaches every caller, so a sysop. */
const MODERATOR_LEVEL = LEVELS.cosysop;
const BROADCAST_LEVEL = LEVELS.sysop;
const DEFAULT_MUTE_MINUTES = 10;
const MAX_MUTE_MINUTES = 24 * 60;
/** A burst of joins (everyone arriving after a netsplit) redraws each title at most this often. */
const TITLE_COALESCE_MS = 250;
/** Line ids remembered so a replayed line and its live copy show once. */
const SEEN_IDS = 1000;
/** Lines typed, reachable with up/down. */
const INPUT_HISTORY = 20;
/**
 * After the link to the other nodes returns, membership is rebuilt from presence now and
 * again after these delays: the other processes republish their callers when their own
 * link returns (each retries Redis at most every 2 s), so the later passes see them.
 */
const RESYNC_AFTER_LINK_MS = [0, 3_000, 8_000] as const;

/**
 * The row built for the line being fanned out, shared by every member's view in this
 * process (ChatScreen keeps its wrapped form per row object).
 */
let sharedRow: { key: string; row: ChatRow } | undefined;
/** The same for a join or leave announcement. */
let sharedEvent: { text: string; row: ChatRow } | undefined;
/** The speaker's handle key, worked out once per line rather than once per member. */
let speakerKey: { handle: string; key: string } | undefined;

const SGR = {
  self: '\x1b[0;1;37m',
  other: '\x1b[0;1;36m',
  text: '\x1b[0;37m',
  action: '\x1b[0;1;35m',
  event: '\x1b[0;1;30m',
  history: '\x1b[0;36m',
  private: '\x1b[0;1;33m',
  notice: '\x1b[0;1;33m',
  error: '\x1b[0;1;31m',
  info: '\x1b[0;32m',
} as const;

/** The status row, longest first: the first that fits the caller's screen shows (' /help for commands  /q' at 24 columns). */
const STATUS = [' /help for commands  /quit or Esc leaves  PgUp/PgDn scroll ', ' /help commands  Esc leaves  PgUp/PgDn', ' /help  Esc leaves', ' /help  Esc'];

const HELP = [
  'Commands: /join room  /rooms  /who  /msg handle text  /me action  /dnd  /accept  /quit',
  'PgUp/PgDn scroll back; a line starting with // says a line starting with /.',
];
const MODERATOR_HELP = 'Moderators: /kick handle  /mute handle [minutes]  /unmute handle';
const SYSOP_HELP = 'Sysop: /broadcast text (reaches every caller on every node)';

export async function chatRoom(s: Session, opts: ChatRoomOptions = {}): Promise<void> {
  if (!s.user) {
    s.println('|12Log in to chat.|07');
    return;
  }
  if (isPlainTerminal(s.terminal.type)) {
    // The room is drawn with cursor addressing: a teletype would get a screenful of escapes.
    s.println(`Chat needs a terminal with cursor control; yours says "${cleanUserText(s.terminal.type, 20)}".`);
    await s.pause();
    return;
  }
  const first = roomName(opts.room ?? DEFAULT_ROOM);
  // The art is the room's header, not a title card to wait through (issue 11 item 3):
  // read from the art cache in about a millisecond, while keys typed meanwhile queue.
  const header = await s.artRows('chat');
  await new ChatRoom(s, header ?? []).run(first.ok ? first.room : DEFAULT_ROOM);
}

class ChatRoom implements PresenceView {
  private readonly me: string;
  private readonly meKey: string;
  private readonly level: number;
  private readonly settings: Readonly<ChatSettings>;
  private readonly screen: ChatScreen;
  private editor: LineEditor;
  private room: string | null = null;
  /** the room whose lines the screen holds (a private chat leaves the room, but not this) */
  private shown: string | null = null;
  private readonly directory: ChatDirectory;
  private readonly members: RoomMembers;
  /** live lines that arrive while the history is being read, shown after it */
  private replaying: ChatLine[] | undefined;
  private readonly seen = new Set<string>();
  private readonly typed: string[] = [];
  private titleTimer: NodeJS.Timeout | undefined;
  private kickedBy: string | undefined;
  private readonly cleanups: Array<() => void> = [];
  /** the screen is lent to the sysop's break-in chat: nothing is drawn until it is back */
  private suspended = false;
  /** lines said over the line rate, waiting to go out at it (a paste) */
  private readonly outbox: ChatOutbox;

  constructor(
    private readonly s: Session,
    header: readonly string[],
  ) {
    this.me = s.user?.handle ?? '';
    this.meKey = handleKey(this.me);
    this.level = s.user?.level ?? 0;
    this.settings = s.social.board.settings;
    this.screen = new ChatScreen(s.terminal, `${SGR.self}> ${SGR.text}`, header);
    this.editor = this.newEditor();
    this.directory = chatDirectory(s.bus);
    this.members = this.directory.members(this);
    this.outbox = new ChatOutbox({
      allowLine: () => s.social.board.allowLine(this.me),
      msUntilLine: () => s.social.board.msUntilLine(this.me),
      // Lines to the room are dropped on leaving it (leave); a private message goes out wherever the caller is.
      mayTalk: () => !s.closed && !this.muted(),
      send: (line) => this.send(line),
      changed: () => this.showOutbox(),
    });
  }

  get sessionId(): string {
    return this.s.id;
  }

  async run(firstRoom: string): Promise<void> {
    const s = this.s;
    const previousActivity = s.activity;
    let reason = 'left';
    this.listen();
    // An rlogin caller's size is measured again as chat opens (no live resize over rlogin).
    remeasureOnViewOpen(s.conn);
    try {
      this.screen.setStatus(STATUS);
      this.redraw();
      await this.enter(firstRoom);
      for (;;) {
        const key = await s.readKeyEvent();
        if (this.kickedBy !== undefined) return;
        // Esc and the key typed right after it reach the key decoder together and are read as
        // one Alt key (xterm's meta-sends-escape): Esc then '/' was Alt-/, which did nothing.
        // Chat binds no Alt key but the editor's word moves, so any other ESC + printable key is
        // both keys, in order (escapeThen). When the Escape leaves chat, the key after it goes too.
        const typed = escapeThen(key);
        if (typed && !(await this.key(typed.escape))) return;
        if (!(await this.key(typed?.then ?? key))) return;
      }
    } catch (err) {
      if (s.closed) reason = 'hung up';
      throw err;
    } finally {
      const waiting = this.outbox.waiting;
      this.leave(reason);
      this.outbox.clear();
      for (const cleanup of this.cleanups.splice(0)) cleanup();
      clearTimeout(this.titleTimer);
      // Lines still waiting to go out when the caller left are not sent: say so below the menu.
      if (waiting > 0 && !s.closed) s.social.notify({ kind: 'system', from: 'Chat', text: `${plural(waiting, 'line')} you typed in chat ${waiting === 1 ? 'was' : 'were'} not sent: you left before ${waiting === 1 ? 'it' : 'they'} went out.`, at: Date.now() });
      if (!s.closed) {
        s.write(this.screen.teardown());
        s.setActivity(previousActivity);
      }
    }
  }

  // ---- keys and commands -------------------------------------------------------------

  /** false when the caller is done with chat */
  private async key(key: Key): Promise<boolean> {
    if (key.name === 'pageup' || key.name === 'pagedown') {
      this.paint(this.screen.scroll(key.name === 'pageup' ? -1 : 1));
      return true;
    }
    if (key.name === 'end' && this.screen.scrolledBack) {
      this.paint(this.screen.scroll('end'));
      return true;
    }
    if (key.name === 'char' && key.ctrl && key.ch === 'l') {
      this.redraw();
      return true;
    }
    if (key.name === 'char' && key.ctrl && key.ch === 'y') {
      await this.accept();
      return true;
    }
    // Ctrl-C stops a paste, as it does where the keys wait (KeyInput's CANCEL_PASTE): here the
    // lines typed already and waiting to go out. With none waiting it does nothing, as before.
    if (key.name === 'char' && key.ctrl && key.ch === 'c') {
      this.dropWaiting();
      return true;
    }
    if (key.name === 'escape') {
      // Escape goes back, as on every sub-screen, from an empty line; with text typed it clears the line first.
      if (this.editor.value === '') {
        // Lines waiting to go out (a paste) are dropped first: the next Esc leaves.
        if (this.dropWaiting()) return true;
        return this.leaveUnlessLate();
      }
      this.clearInput();
      return true;
    }
    const step = this.editor.feed(key);
    if (step.output) this.write(step.output);
    if (!step.done) return true;
    const line = step.value ?? '';
    if (line.trim() !== '') {
      this.typed.push(line);
      if (this.typed.length > INPUT_HISTORY) this.typed.shift();
    }
    this.editor = this.newEditor();
    this.write(this.screen.inputLine() + this.editor.start());
    return this.command(parseChatLine(line));
  }

  /** Lines to the room waiting to go out (a paste) are dropped, and that is said; false when none waited. */
  private dropWaiting(): boolean {
    const n = this.outbox.drop();
    if (n > 0) this.info(`${plural(n, 'waiting line')} dropped: not sent.`);
    return n > 0;
  }

  /**
   * Escape on an empty line leaves, unless it was the start of an arrow key whose rest a slow
   * link sent later (the key decoder marks that rest `late`): for LATE_SEQUENCE_MS the room
   * waits for it, and then acts on the arrow instead. A key typed within that time after a
   * lone Esc goes with it, as the key after an Escape that leaves always did.
   */
  private async leaveUnlessLate(): Promise<boolean> {
    let next: Key;
    try {
      next = await this.s.readKeyEvent({ timeoutMs: LATE_SEQUENCE_MS });
    } catch (err) {
      if (err instanceof TimeoutError) return false;
      throw err;
    }
    return next.name !== 'cpr' && next.late === true ? this.key(next) : false;
  }

  private async command(cmd: ChatCommand): Promise<boolean> {
    const s = this.s;
    switch (cmd.kind) {
      case 'empty':
        return true;
      case 'say':
      case 'me':
        this.say(cmd.kind, cmd.text);
        return true;
      case 'quit':
        return false;
      case 'help':
        for (const h of HELP) this.info(h);
        if (this.level >= MODERATOR_LEVEL) this.info(MODERATOR_HELP);
        if (this.level >= BROADCAST_LEVEL) this.info(SYSOP_HELP);
        return true;
      case 'join': {
        const r = roomName(cmd.room);
        if (!r.ok) this.error(r.reason);
        else if (r.room === this.room) this.info(`You are in #${r.room} already.`);
        else {
          this.leave(`joined #${r.room}`);
          await this.enter(r.room);
        }
        return true;
      }
      case 'rooms': {
        const counts = new Map<string, number>([[DEFAULT_ROOM, 0]]);
        for (const e of await s.who()) if (e.room) counts.set(e.room, (counts.get(e.room) ?? 0) + 1);
        const list = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
        this.info(`Rooms: ${list.map(([r, n]) => `#${r} (${n})`).join(', ')}`);
        return true;
      }
      case 'who': {
        const list = [...this.members.values()].sort((a, b) => a.node - b.node);
        this.info(`In #${this.room ?? '?'}: ${list.map((m) => `${m.handle} (node ${m.node})`).join(', ')}`);
        return true;
      }
      case 'dnd':
        s.social.setDoNotDisturb(!s.social.doNotDisturb);
        this.info(s.social.doNotDisturb ? 'Do not disturb is on: pages, private messages and chat requests are turned away.' : 'Do not disturb is off.');
        return true;
      case 'accept':
        await this.accept();
        return true;
      case 'msg':
        await this.privateMessage(cmd.rest);
        return true;
      case 'kick':
      case 'mute':
      case 'unmute':
        await this.moderate(cmd.kind, cmd.rest);
        return true;
      case 'broadcast':
        if (this.level < BROADCAST_LEVEL) this.error('Only the sysop can broadcast.');
        else if (cmd.text === '') this.error('Broadcast what? /broadcast text');
        else if (!this.muted()) this.sendAhead({ kind: 'broadcast', text: cleanUserText(cmd.text, this.settings.maxLineLength) });
        return true;
      case 'unknown':
        this.error(`Unknown command /${cmd.name}. /help lists them.`);
        return true;
    }
  }

  /**
   * A private message or broadcast goes out now, or at the next line the caller's rate allows,
   * ahead of a paste still waiting (it is not part of it); past OUTBOX_AHEAD it is not sent, and told.
   */
  private sendAhead(line: OutboxLine): void {
    if (this.outbox.say(line) !== 'full') return;
    this.s.log.info('chat.outbox_full', { kind: line.kind, waiting: this.outbox.waiting });
    this.error(`Not sent: ${OUTBOX_AHEAD} private messages or broadcasts already wait to go out at ${this.settings.floodRate} a second.`);
  }

  /** What the outbox sends, as it goes out. */
  private send(line: OutboxLine): void {
    const s = this.s;
    switch (line.kind) {
      case 'say':
      case 'me':
        this.publish(line.kind, line.text);
        return;
      case 'private':
        s.bus.publish('chat.private', { toHandle: line.to, fromSessionId: s.id, fromHandle: this.me, fromNode: s.node, text: line.text, at: Date.now() });
        this.add([{ sgr: SGR.private, text: `-> ${cleanUserText(line.to, 32)}: ` }, { sgr: SGR.text, text: line.text }]);
        return;
      case 'broadcast':
        s.bus.publish('broadcast', { from: this.me, text: line.text, at: Date.now() });
        s.log.info('chat.broadcast', { text: client(line.text) });
        return;
    }
  }

  /** A line goes out now, or waits its turn at the line rate in the outbox (a paste), or past its bound is not sent. */
  private say(kind: 'say' | 'me', raw: string): void {
    const text = cleanUserText(raw, this.settings.maxLineLength);
    if (text === '' || this.room === null || this.muted()) return;
    if (this.outbox.say({ kind, text }) === 'full' && this.outbox.unsent === 1) this.s.log.info('chat.outbox_full', { waiting: this.outbox.waiting });
  }

  /** The status row says what waits; once all went out, how many lines were not sent. */
  private showOutbox(): void {
    const waiting = this.outbox.waiting;
    if (waiting > 0) {
      const unsent = this.outbox.unsent;
      const notSent = unsent > 0 ? `, ${unsent} not sent (over ${OUTBOX_LINES})` : '';
      this.paint(this.screen.setStatus(` Sending at ${this.settings.floodRate}/s: ${plural(waiting, 'line')} waiting${notSent}. Esc drops them `));
      return;
    }
    this.paint(this.screen.setStatus(STATUS));
    const unsent = this.outbox.takeUnsent();
    if (unsent > 0) this.error(`${plural(unsent, 'line')} of yours ${unsent === 1 ? 'was' : 'were'} not sent: at most ${OUTBOX_LINES} lines wait to go out at ${this.settings.floodRate} a second.`);
  }

  /** True (and said) when the caller is muted. */
  private muted(): boolean {
    const now = Date.now();
    const until = this.s.social.board.mutedUntil(this.me, now);
    if (until <= now) return false;
    this.error(`You are muted for ${Math.max(1, Math.ceil((until - now) / 60_000))} more min.`);
    return true;
  }

  private publish(kind: 'say' | 'me', text: string): void {
    const s = this.s;
    if (this.room === null) return;
    const line: ChatLine = {
      id: randomBytes(8).toString('hex'),
      room: this.room,
      sessionId: s.id,
      node: s.node,
      handle: this.me,
      kind,
      text,
      at: Date.now(),
    };
    // Everyone, the sender included, shows the line as the bus delivers it: one order for all.
    s.bus.publish('chat.line', line);
    s.store.chatHistory
      .add({ id: line.id, room: line.room, handle: line.handle, node: line.node, kind, text, at: line.at }, this.settings.historyLines)
      .catch((err: unknown) => s.log.warn('chat.history_write_failed', { err }));
  }

  private async privateMessage(rest: string): Promise<void> {
    const online = await this.s.who();
    const { handle, text } = splitHandle(rest, handlesOf(online));
    if (handle === '' || text === '') return this.error('Usage: /msg handle text');
    const targets = online.filter((e) => e.handle !== null && handleKey(e.handle) === handleKey(handle));
    if (targets.length === 0) return this.error(`${cleanUserText(handle, 32)} is not online.`);
    if (targets.every((e) => e.dnd)) return this.error(`${targets[0]!.handle} does not want to be disturbed.`);
    if (this.muted()) return;
    this.sendAhead({ kind: 'private', to: targets[0]!.handle!, text: cleanUserText(text, this.settings.maxLineLength) });
  }

  private async moderate(kind: 'kick' | 'mute' | 'unmute', rest: string): Promise<void> {
    const s = this.s;
    if (this.level < MODERATOR_LEVEL) return this.error('Only moderators can do that.');
    const online = await s.who();
    const { handle, text } = splitHandle(rest, handlesOf(online));
    if (handle === '') return this.error(`Usage: /${kind} handle${kind === 'mute' ? ' [minutes]' : ''}`);
    const target = cleanUserText(handle, 32);
    if (kind === 'kick') {
      if (this.room === null) return;
      if (![...this.members.values()].some((m) => handleKey(m.handle) === handleKey(target))) return this.error(`${target} is not in #${this.room}.`);
      s.bus.publish('chat.kick', { room: this.room, handle: target, by: this.me, at: Date.now() });
      s.log.info('chat.kick', { target: client(target), room: this.room });
      return;
    }
    const minutes = kind === 'unmute' ? 0 : Math.min(MAX_MUTE_MINUTES, Math.max(1, Math.trunc(Number(text || DEFAULT_MUTE_MINUTES)) || DEFAULT_MUTE_MINUTES));
    s.bus.publish('chat.mute', { handle: target, until: minutes === 0 ? 0 : Date.now() + minutes * 60_000, by: this.me });
    this.info(minutes === 0 ? `${target} may talk again.` : `${target} is muted for ${minutes} min.`);
  }

  /** Answer the newest chat request: the split screen takes over, then the room comes back. */
  private async accept(): Promise<void> {
    const s = this.s;
    const inv = s.social.takeInvitation();
    if (!inv) return this.error('No chat request is waiting.');
    const room = this.room;
    this.leave('went to a private chat');
    s.write(this.screen.teardown());
    try {
      await answerInvitation(s, inv);
    } finally {
      if (!s.closed) this.redraw();
    }
    if (room !== null) await this.enter(room);
  }

  // ---- the room ----------------------------------------------------------------------

  private async enter(room: string): Promise<void> {
    const s = this.s;
    this.room = room;
    this.kickedBy = undefined;
    this.members.reset(room);
    s.social.setRoom(room);
    s.setActivity(`chat #${room}`);
    this.replaying = [];
    if (this.shown !== room) {
      // Another room's lines are not this room's: the screen (and its scroll-back) starts
      // empty, then this room's history fills it, as in an IRC client's new window. The
      // seen ids go too, so coming back shows the first room's history whole.
      this.shown = room;
      this.seen.clear();
      this.paint(this.screen.clear());
    }
    s.bus.publish('chat.join', { room, sessionId: s.id, node: s.node, handle: this.me, at: Date.now() });
    for (const e of await s.who()) {
      if (e.room === room && e.sessionId !== s.id && e.handle !== null) this.members.set(e.sessionId, { handle: e.handle, node: e.node });
    }
    this.members.set(s.id, { handle: this.me, node: s.node });
    this.event(`You are in #${room}. /help lists commands.`);
    let history: Awaited<ReturnType<Session['store']['chatHistory']['recent']>> = [];
    try {
      history = await s.store.chatHistory.recent(room, this.settings.historyLines);
    } catch (err) {
      s.log.warn('chat.history_read_failed', { err });
    }
    if (this.room !== room) return;
    const earlier = history.filter((h) => !this.seen.has(h.id));
    if (earlier.length > 0) {
      this.event(`-- the last ${earlier.length} ${earlier.length === 1 ? 'line' : 'lines'} in #${room} --`);
      for (const h of earlier) this.show({ ...h, sessionId: '' }, true);
      this.event('-- now --');
    }
    const live = this.replaying ?? [];
    this.replaying = undefined;
    for (const l of live) this.show(l, false);
    this.refreshTitle();
  }

  /** Members from presence (every process's callers, each entry naming its room); changes are told. */
  private async resync(): Promise<void> {
    const s = this.s;
    const room = this.room;
    if (room === null || s.closed) return;
    const entries = await s.who();
    if (this.room !== room || s.closed) return;
    const now = new Map<string, { handle: string; node: number }>();
    for (const e of entries) if (e.room === room && e.sessionId !== s.id && e.handle !== null) now.set(e.sessionId, { handle: e.handle, node: e.node });
    let changed = false;
    for (const [id, m] of this.members.entries()) {
      if (id === s.id || now.has(id)) continue;
      this.members.delete(id);
      this.event(`-- ${cleanUserText(m.handle, 32)} left while the link was down`);
      changed = true;
    }
    for (const [id, m] of now) {
      if (this.members.has(id)) continue;
      this.members.set(id, m);
      this.event(`-- ${cleanUserText(m.handle, 32)} is in #${room}`);
      changed = true;
    }
    if (changed) this.scheduleTitle();
  }

  private leave(reason: string): void {
    const s = this.s;
    const room = this.room;
    if (room === null) return;
    // Lines typed for this room are not said in the next one.
    const waiting = this.outbox.drop();
    if (waiting > 0 && !reason.startsWith('hung up')) this.info(`${plural(waiting, 'waiting line')} not sent: you left #${room}.`);
    this.room = null;
    this.members.reset(null);
    this.replaying = undefined;
    s.bus.publish('chat.leave', { room, sessionId: s.id, node: s.node, handle: this.me, at: Date.now(), reason });
    s.social.setRoom(null);
  }

  private listen(): void {
    const s = this.s;
    const subs: Unsubscribe[] = [
      s.subscribe('chat.line', (l) => {
        if (l.room !== this.room) return;
        if (this.replaying) this.replaying.push(l);
        else this.show(l, false);
      }),
      s.subscribe('chat.join', (m) => {
        if (m.room !== this.room || m.sessionId === s.id) return;
        this.members.set(m.sessionId, { handle: m.handle, node: m.node });
        this.event(`-- ${cleanUserText(m.handle, 32)} joined #${m.room}`);
        this.scheduleTitle();
      }),
      s.subscribe('chat.leave', (m) => {
        if (m.room !== this.room || m.sessionId === s.id || !this.members.delete(m.sessionId)) return;
        this.event(`-- ${cleanUserText(m.handle, 32)} left${m.reason ? ` (${cleanUserText(m.reason, 60)})` : ''}`);
        this.scheduleTitle();
      }),
      s.subscribe('presence.leave', (p) => {
        const m = this.members.get(p.sessionId);
        if (!m || p.sessionId === s.id) return;
        this.members.delete(p.sessionId);
        this.event(`-- ${cleanUserText(m.handle, 32)} hung up`);
        this.scheduleTitle();
      }),
      // Joins and leaves sent while the link was down never arrived: when it is back,
      // rebuild the members from presence, as each process republishes its callers.
      s.subscribe('bus.link', (l) => {
        if (!l.up) return;
        for (const delay of RESYNC_AFTER_LINK_MS) {
          const timer = setTimeout(() => void this.resync().catch((err: unknown) => s.log.debug('chat.resync_failed', { err })), delay);
          timer.unref();
          this.cleanups.push(() => clearTimeout(timer));
        }
      }),
      s.subscribe('chat.kick', (k) => {
        if (k.room !== this.room || handleKey(k.handle) !== handleKey(this.me)) return;
        const by = cleanUserText(k.by, 32);
        this.leave(`kicked by ${by}`);
        this.kickedBy = by;
        this.error(`You were kicked from #${k.room} by ${by}. Press a key.`);
      }),
    ];
    for (const off of subs) this.cleanups.push(off);
    // presence.update reaches the view through the process's chat directory (presenceUpdated).
    this.cleanups.push(this.directory.open(this));
    this.cleanups.push(s.social.onNotice((n) => this.notice(n)));
    // Lent out (the sysop's break-in chat): what arrives is kept, and drawn whole after.
    this.cleanups.push(
      s.social.ownScreen({
        suspend: () => (this.suspended = true),
        resume: () => {
          this.suspended = false;
          if (!s.closed) this.redraw();
        },
        // Every line is sent as it comes: the screen's record is what the caller has.
        whole: () => this.screen.full() + this.editor.start(),
      }),
    );
    // A resize storm redraws at most once per limits.view.resizeDelay, capped, within the caller's view CPU budget.
    this.cleanups.push(
      followResizes(s.conn, (cols, rows) => {
        // The title's names are fitted to the width (`+N` for those cut): fitted again first,
        // so the whole redraw shows them for the new one.
        this.refreshTitle(false, cols);
        const out = this.screen.resize(cols, rows);
        // The input row is fitted to the new width, not typed again from its text: its cursor
        // and where a paste being typed in began stay (a Ctrl-C after the resize takes only the paste).
        this.editor.resize(this.screen.inputCols);
        this.paint(out);
      }),
    );
  }

  /**
   * Presence is the backstop for joins and leaves this view did not hear: a caller who
   * joined just before this view subscribed, while its own presence still lagged. Called
   * by the chat directory only for updates that may change some view's members.
   */
  presenceUpdated(e: PresenceEntry): void {
    if (e.sessionId === this.s.id || this.room === null || this.s.closed) return;
    const here = this.members.has(e.sessionId);
    if (e.room === this.room && !here && e.handle !== null) this.members.set(e.sessionId, { handle: e.handle, node: e.node });
    else if (e.room !== this.room && here) this.members.delete(e.sessionId);
    else return;
    this.scheduleTitle();
  }

  // ---- drawing -----------------------------------------------------------------------

  private show(l: Pick<ChatLine, 'id' | 'sessionId' | 'handle' | 'kind' | 'text'>, history: boolean): void {
    if (this.seen.has(l.id)) return;
    this.seen.add(l.id);
    if (this.seen.size > SEEN_IDS) this.seen.delete(this.seen.values().next().value as string);
    if (speakerKey?.handle !== l.handle) speakerKey = { handle: l.handle, key: handleKey(l.handle) };
    const mine = l.handle === this.me || speakerKey.key === this.meKey;
    const key = `${l.id}|${mine}|${history}|${this.settings.maxLineLength}`;
    if (sharedRow?.key !== key) sharedRow = { key, row: this.rowFor(l, mine, history) };
    this.add(sharedRow.row);
  }

  private rowFor(l: Pick<ChatLine, 'handle' | 'kind' | 'text'>, mine: boolean, history: boolean): ChatRow {
    const handle = cleanUserText(l.handle, 32);
    const text = cleanUserText(l.text, this.settings.maxLineLength);
    if (l.kind === 'me') return [{ sgr: history ? SGR.history : SGR.action, text: `* ${handle} ${text}` }];
    return [
      { sgr: history ? SGR.history : mine ? SGR.self : SGR.other, text: `<${handle}> ` },
      { sgr: history ? SGR.history : SGR.text, text },
    ];
  }

  private notice(n: Notice): void {
    // A Ctrl-C that stopped a paste while its keys still waited stops the lines it made too,
    // and what it typed on the input row: what the caller typed there before it stays.
    if (n.kind === 'system' && n.from === PASTE_STOPPED) {
      this.dropWaiting();
      const { output } = this.editor.dropPaste();
      if (output) this.write(output);
    }
    const { head, body } = describeNotice(n);
    this.add([{ sgr: n.kind === 'private' ? SGR.private : SGR.notice, text: `*** ${head}: ` }, { sgr: SGR.text, text: body }]);
  }

  private event(text: string): void {
    // Joins and leaves reach every member in one synchronous fan-out: share the row, as
    // for lines, or a 1,000-member room keeps 1,000 copies of each (measured ~600 KiB a
    // member before this).
    if (sharedEvent?.text !== text) sharedEvent = { text, row: [{ sgr: SGR.event, text }] };
    this.add(sharedEvent.row);
  }

  private info(text: string): void {
    this.add([{ sgr: SGR.info, text }]);
  }

  private error(text: string): void {
    this.add([{ sgr: SGR.error, text }]);
  }

  private add(row: ChatRow): void {
    // Nothing typed: the cursor only has to go back after the prompt, no redraw.
    if (this.editor.value === '') this.writeShared(this.screen.add(row, true));
    else this.paint(this.screen.add(row));
  }

  /** Screen output that ends with the cursor at the input line's start: the field is redrawn there. */
  private paint(out: string): void {
    if (out !== '') this.write(out + this.editor.start());
  }

  /**
   * Straight to the connection: this view owns the whole screen, and the session's
   * line bookkeeping would only be reset by the teardown anyway (which goes through it).
   */
  private write(out: string): void {
    if (out !== '' && !this.suspended && !this.s.closed) this.s.conn.write(out);
  }

  /** As write, for what many members are sent alike (a line's fan-out): the encoded bytes are shared. */
  private writeShared(out: string): void {
    if (out !== '' && !this.suspended && !this.s.closed) this.s.conn.writeBytes(sharedBytes(out, this.s.conn.terminal.encoding));
  }

  private redraw(): void {
    this.refreshTitle(false);
    this.paint(this.screen.full());
  }

  private scheduleTitle(): void {
    this.titleTimer ??= setTimeout(() => {
      this.titleTimer = undefined;
      this.refreshTitle();
    }, TITLE_COALESCE_MS);
  }

  private refreshTitle(draw = true, width = this.s.terminal.cols): void {
    const cols = width - 1;
    const names = [...this.members.values()].map((m) => m.handle);
    let title = ` #${this.room ?? '-'} | ${names.length} here: `;
    let shown = 0;
    for (const name of names) {
      const more = names.length - shown - 1;
      const piece = `${shown > 0 ? ', ' : ''}${cleanUserText(name, 32)}`;
      if (title.length + piece.length + (more > 0 ? ` +${more}`.length : 0) > cols) break;
      title += piece;
      shown++;
    }
    if (shown < names.length) title += ` +${names.length - shown}`;
    const out = this.screen.setTitle(title);
    if (draw) this.paint(out);
  }

  private clearInput(): void {
    this.editor = this.newEditor();
    this.write(this.screen.inputLine() + this.editor.start());
  }

  private newEditor(): LineEditor {
    return new LineEditor({ maxLength: this.settings.maxLineLength, cols: this.screen.inputCols, history: this.typed });
  }
}

/** Alt keys the chat line uses (the line editor's word moves): these stay Alt. */
const ALT_BINDINGS = new Set(['b', 'f']);
/**
 * ESC and one of @ A-Z [ \ ] ^ _ is a 7-bit C1 control (ECMA-48: `ESC ]` starts an OSC,
 * `ESC P` a DCS), a sequence some client sent rather than two keys: never split.
 */
const C1_FINAL = /^[\x40-\x5f]$/;

/**
 * An Alt key that is Escape followed by a printable key (`ESC /`, the decoder's Alt-/), split
 * back into the two; undefined for any other key, for the Alt keys chat binds, and for ESC
 * with a C1 final.
 */
export function escapeThen(key: Key): { escape: Key; then: Key } | undefined {
  if (key.name !== 'char' || !key.alt || key.ctrl || key.ch === undefined || ALT_BINDINGS.has(key.ch) || C1_FINAL.test(key.ch)) return undefined;
  if (key.raw !== `\x1b${key.ch}`) return undefined;
  return { escape: { name: 'escape', raw: '\x1b' }, then: { name: 'char', ch: key.ch, raw: key.ch } };
}

function handlesOf(entries: readonly PresenceEntry[]): string[] {
  return entries.flatMap((e) => (e.handle === null ? [] : [e.handle]));
}
