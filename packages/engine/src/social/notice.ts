import { cleanUserText } from '@carrier/core';
import { displayWidth, pipeLiteral, renderPipeCodes } from '@carrier/terminal';
import { wrapLine } from '../pager.js';

/**
 * Something that reaches a caller from outside their own screen: a page, a private
 * message, a broadcast, a sysop message, a chat invitation. Whoever owns the screen
 * shows it (a chat room in its scrollback, a full-screen list in its status line);
 * otherwise the session prints it above the line being typed (see LineKeeper).
 */
export type NoticeKind = 'page' | 'private' | 'broadcast' | 'message' | 'invite' | 'system';

export interface Notice {
  kind: NoticeKind;
  /** who sent it: a handle, or the board's name for system notices */
  from: string;
  fromNode?: number;
  text: string;
  at: number;
  /** for 'invite': the split-screen chat it asks to open */
  chatId?: string;
}

export type NoticeHandler = (notice: Notice) => void;

/**
 * The `from` of the system notice a Ctrl-C that stopped a paste gives (KeyInput's CANCEL_PASTE):
 * whoever holds typed lines of that paste (the chat room's outbox) drops them too.
 */
export const PASTE_STOPPED = 'Paste stopped';

/** Notices cut to this many characters: a page is a line, not a letter. */
export const NOTICE_MAX_LENGTH = 500;
/** The key that answers a chat invitation wherever the caller is (^Y: no editor or menu uses it). */
export const ANSWER_KEY = '\x19';
export const ANSWER_KEY_NAME = 'Ctrl-Y';

/** Do-not-disturb holds these back; broadcasts and sysop messages always arrive. */
export function isPersonal(kind: NoticeKind): boolean {
  return kind === 'page' || kind === 'private' || kind === 'invite';
}

/** The notice as two plain strings (safe for any terminal): a heading and the text. */
export function describeNotice(n: Notice): { head: string; body: string } {
  const from = cleanUserText(n.from, 40) || '?';
  const node = n.fromNode !== undefined && n.fromNode > 0 ? ` (node ${n.fromNode})` : '';
  const body = cleanUserText(n.text, NOTICE_MAX_LENGTH);
  switch (n.kind) {
    case 'page':
      return { head: `Page from ${from}${node}`, body };
    case 'private':
      return { head: `Private from ${from}${node}`, body };
    case 'broadcast':
      return { head: `Broadcast from ${from}`, body };
    case 'message':
      return { head: `Message from ${from}`, body };
    case 'invite':
      return { head: `${from}${node} wants to chat with you`, body: body || `Press ${ANSWER_KEY_NAME} to answer.` };
    case 'system':
      return { head: from, body };
  }
}

/** One line of plain text, for a status line that draws its own colours (the sysop console's footer). */
export function noticeText(n: Notice): string {
  const { head, body } = describeNotice(n);
  return `*** ${head}: ${body}`;
}

/**
 * ANSI for a plain (scrolling) screen: one line, or given the screen's width, rows broken
 * between words that fit it (a page ran on at the screen's edge, mid-word), each row after
 * the first erased before it is written.
 */
export function noticeLine(n: Notice, cols?: number): string {
  const { head, body } = describeNotice(n);
  if (cols === undefined || displayWidth(`*** ${head}: ${body}`) <= cols - 1) return `\x1b[0;1;33m*** ${head}: \x1b[0;37m${body}\x1b[0m`;
  const rows = wrapLine(`|14*** ${pipeLiteral(head)}: |07${pipeLiteral(body)}`, Math.max(1, cols - 1), true);
  return `\x1b[0m${rows.map((row) => renderPipeCodes(row)).join('\r\n\x1b[K')}\x1b[0m`;
}
