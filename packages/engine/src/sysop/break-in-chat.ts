// The sysop's break-in chat, a live two-way line chat on the caller's own screen. The
// control channel (on any process) publishes `sysop.chat` requests; the process that
// holds the caller takes the session's input (like a file transfer does), draws the chat
// in line mode and sends each line the caller finishes back as a `sysop.chat.event`.
// Either side ends it: the sysop with `close`, the caller with Esc or `/q`; a hang-up
// ends it too. Whatever the caller was doing waits underneath and resumes after.
import { randomUUID } from 'node:crypto';
import { cleanUserText, isPlainTerminal, type Logger } from '@carrier/core';
import { displayWidth, InputTextDecoder, KeyDecoder, LATE_SEQUENCE_MS, pipeLiteral, renderPipeCodes, type Key } from '@carrier/terminal';
import type { Bus, Unsubscribe } from '../bus.js';
import type { LiveSession } from '../board-types.js';
import { wrapLine } from '../pager.js';
import { ESCAPE_DECIDE_MS } from '../key-input.js';
import { InputBusyError } from '../session/input-router.js';
import { forTerminal } from '../session/screen.js';
import type { BreakInEvent } from '../topics.js';

/** The part of the board the chat reads: its local sessions. */
export interface BreakInBoard {
  session(id: string): LiveSession | undefined;
}

/** Longest line either side may type. */
export const CHAT_LINE_MAX = 200;
/** What the caller sees before their own line. */
const PROMPT = 'You: ';

interface CallerChat {
  chatId: string;
  session: LiveSession;
  /** the caller's bytes as text: a character cut between two reads waits for its rest */
  decoder: InputTextDecoder;
  line: string;
  /**
   * The cursor was last moved back by a rub-out: at the start of a row it is on that row,
   * not waiting at the end of the row above as after typing up to the edge (pending wrap).
   */
  rubbedOut: boolean;
  restore: () => void;
  offClose: () => void;
  sysop: string;
  /** the caller's keys (arrows and other sequences are keys, not chat text) */
  keys: KeyDecoder;
  /** a lone ESC waits ESCAPE_DECIDE_MS for the rest of a sequence, as the session's keys do */
  escTimer: NodeJS.Timeout | undefined;
  /** Esc was pressed: the chat ends after LATE_SEQUENCE_MS unless the rest of an arrow key arrives (a slow link) */
  leaving: NodeJS.Timeout | undefined;
  /** gives the screen back to the full-screen views the chat was drawn over (or that opened under it); true when one drew itself */
  giveBack: () => boolean;
  /** lets the session's own output through again: `first`, then what it wrote during the chat */
  releaseOutput: (first?: string) => void;
}

export interface BreakInHandlers {
  event(e: Omit<BreakInEvent, 'chatId' | 'sessionId'>): void;
}

/**
 * Both halves of break-in chat on one process: `open`/`say`/`close` for the control
 * channel (the caller may be on any process), and the caller's side for sessions here.
 */
export class BreakInChat {
  private readonly callers = new Map<string, CallerChat>();
  private readonly watching = new Map<string, BreakInHandlers>();
  private readonly subscriptions: Unsubscribe[];

  constructor(
    private readonly board: BreakInBoard,
    private readonly bus: Bus,
    private readonly log: Logger,
  ) {
    this.subscriptions = [
      bus.subscribe('sysop.chat', (req) => {
        const s = board.session(req.sessionId);
        if (!s) return;
        if (req.op === 'open') this.start(s, req.chatId, req.from ?? 'Sysop', req.text);
        else if (req.op === 'say') this.showSysopLine(req.chatId, req.text ?? '');
        else this.end(req.chatId, 'sysop');
      }),
      bus.subscribe('sysop.chat.event', ({ chatId, sessionId: _s, ...e }) => {
        const h = this.watching.get(chatId);
        if (!h) return;
        if (e.kind === 'ended' || e.kind === 'refused') this.watching.delete(chatId);
        h.event(e);
      }),
    ];
  }

  /** Break in on session `sessionId` (any process). Returns the chat's id; events arrive on `h`. */
  open(sessionId: string, h: BreakInHandlers, opts: { from?: string; text?: string } = {}): string {
    const chatId = randomUUID();
    this.watching.set(chatId, h);
    this.bus.publish('sysop.chat', { chatId, sessionId, op: 'open', ...(opts.from ? { from: opts.from } : {}), ...(opts.text ? { text: opts.text } : {}) });
    return chatId;
  }

  say(chatId: string, sessionId: string, text: string): void {
    this.bus.publish('sysop.chat', { chatId, sessionId, op: 'say', text });
  }

  /** The sysop ends the chat; the `ended` event still arrives. */
  close(chatId: string, sessionId: string): void {
    this.bus.publish('sysop.chat', { chatId, sessionId, op: 'close' });
  }

  /** Stop listening for a chat's events (the console went away); the caller's side is closed too. */
  forget(chatId: string, sessionId: string): void {
    if (this.watching.delete(chatId)) this.close(chatId, sessionId);
  }

  dispose(): void {
    for (const off of this.subscriptions.splice(0)) off();
    for (const c of [...this.callers.values()]) this.end(c.chatId, 'board stopping');
    this.watching.clear();
  }

  // ---- the caller's side (this process holds the session) ----

  private emit(c: { chatId: string; session: LiveSession }, e: Omit<BreakInEvent, 'chatId' | 'sessionId'>): void {
    this.bus.publish('sysop.chat.event', { chatId: c.chatId, sessionId: c.session.id, ...e });
  }

  private start(s: LiveSession, chatId: string, from: string, text: string | undefined): void {
    if ([...this.callers.values()].some((c) => c.session === s)) {
      this.emit({ chatId, session: s }, { kind: 'refused', text: 'already in a chat with the sysop' });
      return;
    }
    let restore: () => void;
    const c: CallerChat = { chatId, session: s, decoder: new InputTextDecoder(s.terminal.encoding), line: '', rubbedOut: false, restore: () => undefined, offClose: () => undefined, sysop: cleanUserText(from, 30) || 'Sysop', keys: new KeyDecoder(), escTimer: undefined, leaving: undefined, giveBack: () => false, releaseOutput: () => undefined };
    try {
      restore = s.takeRawInput((bytes) => this.input(c, bytes), undefined, 'a chat with the sysop');
    } catch (err) {
      // A file transfer or a door has the input: the sysop is told, the caller is not disturbed.
      this.emit(c, { kind: 'refused', text: `the caller is busy (${err instanceof InputBusyError ? err.what : 'their input is taken'})` });
      return;
    }
    c.restore = restore;
    // What the caller's screen was about to draw (art at modem speed, the next menu, a
    // pager's page) waits for the chat to end instead of landing in its lines.
    c.releaseOutput = s.holdOutput();
    const onClose = (): void => this.end(chatId, 'hung up');
    s.conn.once('close', onClose);
    c.offClose = () => s.conn.off('close', onClose);
    this.callers.set(chatId, c);
    // Over a full-screen view (chat, who's online, the editor): the view stops drawing,
    // the chat gets a clear screen that scrolls, and the view draws itself whole after. A
    // view that was still opening (a key pressed just before) waits under the chat too.
    const loan = s.social.lendScreen();
    c.giveBack = loan.giveBack;
    // A line chat over it: colours, scroll region, cursor and keypad as a line-mode screen
    // has them (the keypad in application mode would send ESC O sequences for its digits,
    // which are not chat text); the view sets its own again when it is given back.
    if (loan.over) out(s, '\x1b[0m\x1b[r\x1b[?25h\x1b[?1l\x1b>\x1b[2J\x1b[H');
    // On a cleared screen the chat starts on its first row; below a menu, a blank row apart.
    out(s, `${loan.over ? '' : '\n\n'}${byWords(s, `|14*** ${pipeLiteral(c.sysop)} is breaking in to chat with you. Type and press Enter to answer; Esc or /q ends the chat. ***|07`)}\n`);
    const first = text ? cleanUserText(text, CHAT_LINE_MAX) : '';
    if (first) out(s, `${byWords(s, `|11${pipeLiteral(c.sysop)}: ${pipeLiteral(first)}|07`)}\n`);
    out(s, PROMPT);
    this.log.info('sysop.chat_started', { node: s.node, handle: s.user?.handle });
    this.emit(c, { kind: 'opened' });
  }

  private showSysopLine(chatId: string, text: string): void {
    const c = this.callers.get(chatId);
    if (!c) return;
    const line = cleanUserText(text, CHAT_LINE_MAX);
    if (!line) return;
    // Over the caller's half-typed line (from its first row, when the terminal wrapped it),
    // then that line again below. A plain terminal cannot erase it: the sysop's line goes
    // below it (over an empty prompt, which it covers).
    const rowsUp = cursorRow(c);
    const over = !isPlainTerminal(c.session.terminal.type) ? `\r${rowsUp > 0 ? `\x1b[${rowsUp}A` : ''}\x1b[J` : c.line === '' ? '\r' : '\r\n';
    out(c.session, `${over}${byWords(c.session, `|11${pipeLiteral(c.sysop)}: ${pipeLiteral(line)}|07`)}\n${PROMPT}${pipeLiteral(c.line)}`);
    c.rubbedOut = false;
  }

  private input(c: CallerChat, bytes: Buffer): void {
    if (c.decoder.encoding !== c.session.terminal.encoding) c.decoder.setEncoding(c.session.terminal.encoding);
    clearTimeout(c.escTimer);
    c.escTimer = undefined;
    // The session's own key decoder, with its clock: a sequence whose ESC a slow link sent
    // alone is still its key (`late`), never chat text.
    this.keys(c, c.keys.push(c.decoder.push(bytes), Date.now()));
    if (c.keys.pendingEscape && this.callers.has(c.chatId)) {
      c.escTimer = setTimeout(() => this.keys(c, c.keys.flush(Date.now())), ESCAPE_DECIDE_MS);
      c.escTimer.unref();
    }
  }

  private keys(c: CallerChat, keys: readonly Key[]): void {
    for (const key of keys) {
      if (!this.callers.has(c.chatId)) return;
      if (c.leaving) {
        clearTimeout(c.leaving);
        c.leaving = undefined;
        // The Esc was an arrow key's start: the chat goes on (arrows do nothing here).
        if (key.name !== 'cpr' && key.late) continue;
        this.end(c.chatId, 'caller');
        return;
      }
      switch (key.name) {
        case 'escape':
          c.leaving = setTimeout(() => this.end(c.chatId, 'caller'), LATE_SEQUENCE_MS);
          c.leaving.unref();
          break;
        case 'enter':
          this.finishLine(c);
          break;
        case 'backspace':
          if (c.line.length > 0) {
            const gone = [...c.line].pop()!;
            const from = cursorRow(c);
            c.line = c.line.slice(0, -gone.length);
            out(c.session, rubOut(c.session, from, PROMPT.length + displayWidth(c.line), displayWidth(gone)));
            c.rubbedOut = true;
          }
          break;
        case 'char':
          // Control keys are not text; an Alt key (ESC typed just before a key) types the key, as before.
          if (key.ctrl || key.ch === undefined || c.line.length >= CHAT_LINE_MAX) break;
          c.line += key.ch;
          c.rubbedOut = false;
          out(c.session, pipeLiteral(key.ch));
          break;
        default:
          // Arrows, function keys, terminal replies: nothing in a line chat.
          break;
      }
    }
  }

  private finishLine(c: CallerChat): void {
    const line = cleanUserText(c.line, CHAT_LINE_MAX);
    c.line = '';
    c.rubbedOut = false;
    out(c.session, '\n');
    if (line.toLowerCase() === '/q') {
      this.end(c.chatId, 'caller');
      return;
    }
    if (line) this.emit(c, { kind: 'line', text: line });
    out(c.session, PROMPT);
  }

  private end(chatId: string, by: 'sysop' | 'caller' | 'hung up' | 'board stopping'): void {
    const c = this.callers.get(chatId);
    if (!c) return;
    this.callers.delete(chatId);
    clearTimeout(c.escTimer);
    clearTimeout(c.leaving);
    c.offClose();
    if (!c.session.conn.closed) {
      if (c.giveBack()) {
        // A view drew itself whole; what the session wrote meanwhile goes first.
        c.releaseOutput();
      } else {
        // The chat wrote past the session's line keeper, which still knows the prompt the
        // caller was at (and anything half-typed): that comes back below the chat, and
        // then what the session wrote meanwhile, from where it was.
        const note = `*** ${by === 'caller' ? 'You ended the chat' : `${c.sysop} has left the chat`}; back to where you were. ***`;
        c.releaseOutput(c.session.social.line.restore(`\r\n\x1b[0;1;33m${note}`));
      }
      // The keys come back last: notices held meanwhile are shown above the prompt after the note.
      c.restore();
      c.session.discardInput();
    } else {
      c.releaseOutput();
      c.restore();
    }
    this.log.info('sysop.chat_ended', { node: c.session.node, by });
    this.emit(c, { kind: 'ended', text: by });
  }
}


/** The screen row the cursor is on, counted from the row of the chat's prompt. */
function cursorRow(c: CallerChat): number {
  const cols = Math.max(1, c.session.terminal.cols);
  const at = PROMPT.length + displayWidth(c.line);
  // Typed up to the edge, the cursor waits at the end of that row for the next character.
  return c.rubbedOut ? Math.floor(at / cols) : Math.floor((at - 1) / cols);
}

/**
 * Rub out the last character typed, `width` columns wide, which began `at` columns after the
 * start of the chat's prompt, the cursor being on row `from`. `\b` goes back only within a
 * row (a terminal does not go back over the edge where it wrapped the line, nor over both
 * columns of a wide character), so the cursor goes to where the character began and the
 * rest of the screen is erased. A plain terminal gets `\b \b`.
 */
function rubOut(s: LiveSession, from: number, at: number, width: number): string {
  if (isPlainTerminal(s.terminal.type)) return '\b \b'.repeat(width);
  const cols = Math.max(1, s.terminal.cols);
  const up = from - Math.floor(at / cols);
  const col = at % cols;
  return `\r${up > 0 ? `\x1b[${up}A` : ''}${col > 0 ? `\x1b[${col}C` : ''}\x1b[J`;
}

/** A line of pipe-coded text cut by words to the caller's width (the terminal would cut it mid-word). */
const byWords = (s: LiveSession, text: string): string => wrapLine(text, Math.max(1, s.terminal.cols - 1), true).join('\n');

/**
 * The chat's own output (pipe codes, \n for a new line) goes straight to the caller's
 * connection, past the session's line keeper, which keeps following what the board wrote
 * (the prompt the caller was at) to draw it again when the chat ends; past the Screen too,
 * which holds the session's output meanwhile, so it is fitted to the terminal here.
 */
function out(s: LiveSession, text: string): void {
  s.conn.write(forTerminal(s.terminal, renderPipeCodes(text).replace(/\r?\n/g, '\r\n')));
}
