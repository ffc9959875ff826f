import { cleanUserText, isCarrierError, plural } from '@carrier/core';
import { replySubject, type Mail, type User } from '@carrier/store';
import { pipeLiteral } from '@carrier/terminal';
import type { Bus, Unsubscribe } from '../bus.js';
import { drawAndReadKey, printAndReadKey, printAndReadLine, readKeyUnder, readLineUnder, type DrawAbove } from '../draw-again.js';
import type { ScriptBoard, Session } from '../session-api.js';
import { firstFitting, keyLegend, keyPrompt, LEGEND_KEY, printWords, type PromptKey } from '../prompt-fit.js';
import { clipToWidth } from '../text-fit.js';
import { wrapLine } from '../pager.js';
import { editText } from './edit.js';
import { saveOrKeep } from './post-rate.js';
import { POST_RATE_WINDOW_MS, newScan } from './board-messages.js';
import { readableAreas } from './areas.js';
import { RowsUnder } from './rows-under.js';
import { messageAreasOf } from './source.js';
import { answeredRow, dateRow, field, headerRow, shortDate, showMessage, SUBJECT_PROMPT, TO_PROMPT } from './text.js';

/**
 * Private mail (menu key E): send to one user (the handle is checked before anything
 * is typed), read the inbox and sent mail, delete your own copy. A new mail reaches an
 * online recipient at once through the bus topic `mail.new`, on whichever node they
 * are: one route per process (like the social layer's), not one handler per caller.
 */
const MAILBOX_PAGE = 50;
/** A mailbox row with its date and a 16-column handle leaves the subject 25 columns from this width on. */
const MAIL_ROW_WIDE = 60;
const MAILBOX_KEYS: readonly PromptKey[] = [['S', 'Send'], ['R', 'Read inbox'], ['O', 'Outbox'], ['Q', 'Quit']];
const INBOX_KEYS: readonly PromptKey[] = [['R', 'Reply'], ['D', 'Delete'], ['Q', 'Quit']];
const SENT_KEYS: readonly PromptKey[] = [['D', 'Delete'], ['Q', 'Quit']];

const routes = new WeakMap<ScriptBoard, Unsubscribe>();

/** Route `mail.new` to this process's sessions of the recipient (idempotent; the first login on a process sets it up). */
export function routeMailNotices(board: ScriptBoard, bus: Bus = board.bus): void {
  if (routes.has(board)) return;
  routes.set(
    board,
    bus.subscribe('mail.new', (n) => {
      for (const s of board.sessions()) {
        if (s.user?.id !== n.toUserId || s.closed) continue;
        s.social.notify({ kind: 'system', from: 'New mail', text: `from ${cleanUserText(n.fromHandle, 32)}: ${cleanUserText(n.subject, 72)}`, at: n.at });
      }
    }),
  );
}

/**
 * At login: `You have N new mail`, how many new public messages are to you (by account:
 * a message to an earlier account of your handle is not), and the new-scan when the
 * caller asked for it.
 */
export async function loginNotices(s: Session): Promise<void> {
  const user = s.user;
  if (!user) return;
  routeMailNotices(s.board);
  const unread = await s.store.mail.unreadCount(user.id);
  const areas = readableAreas(await messageAreasOf(s.board), user);
  const toYou = await s.store.messages.countToUser(user.id, areas.map((a) => a.tag));
  if (unread > 0) printWords(s, `|14You have ${unread} new mail|07 (|15E|07 on the main menu reads it).`);
  if (toYou > 0) printWords(s, `|14${plural(toYou, 'new message')} to you|07 (|15M|07, then |15N|07 for the new-scan).`);
  // Before the menu's art clears the screen: the caller reads it, then a key goes on.
  if (unread > 0 || toYou > 0) await s.pause();
  if (await s.store.messages.newScanAtLogin(user.id)) await newScan(s);
}

/** The user setting the U screen edits: run a new-scan at every login. */
export function getNewScanAtLogin(s: Session): Promise<boolean> {
  return s.user ? s.store.messages.newScanAtLogin(s.user.id) : Promise.resolve(false);
}
export async function setNewScanAtLogin(s: Session, on: boolean): Promise<void> {
  if (s.user) await s.store.messages.setNewScanAtLogin(s.user.id, on);
}

export async function mailBox(s: Session): Promise<void> {
  s.setActivity('reading mail');
  routeMailNotices(s.board);
  /** `?`'s legend, printed over the menu it was asked at (so a sysop's spy gets it with the menu). */
  let legend: string[] = [];
  for (;;) {
    const user = s.user;
    if (!user) return;
    const unread = await s.store.mail.unreadCount(user.id);
    const over = legend;
    if (over.length === 0) s.println('');
    const menu = (): void => {
      for (const row of over) s.println(row);
      s.println(`|15Mail|07 - ${unread} unread`);
      s.print(keyPrompt(MAILBOX_KEYS, s.terminal.cols));
    };
    // Printed below what came before: a sysop's spy that starts here gets it on a clear screen.
    const key = (await printAndReadKey(s, menu)).toLowerCase();
    s.println('');
    legend = key === LEGEND_KEY ? keyLegend(MAILBOX_KEYS) : [];
    switch (key) {
      case 's':
        // To: and Subject: go on under the menu (a spy that starts at them gets it).
        await sendMail(s, undefined, () => {
          s.clear();
          menu();
          s.println('');
        });
        break;
      case 'r':
        await folder(s, 'inbox');
        break;
      case 'o':
        await folder(s, 'sent');
        break;
      case 'q':
      case 'escape':
        return;
      default:
        break;
    }
  }
}

/** Handles listed when the one typed is no account's but starts some. */
const HANDLES_SUGGESTED = 5;

/**
 * The account meant by a handle that is none, as a mature board offers it: the one handle
 * that starts with what was typed is asked about (`sys` -> `Mail sysop? [Y/n]`, under the
 * screen `above` draws and the `answered` rows: a sysop's spy that starts at it gets them),
 * a few are listed to type again, none is said. Null when nothing is to be sent; else the
 * account, and the question's row when one was asked (Subject: goes on under it).
 */
async function recipientLike(s: Session, typed: string, above: DrawAbove, answered: readonly string[]): Promise<{ user: User; asked?: string } | null> {
  const like = await s.store.users.findByHandlePrefix(typed, HANDLES_SUGGESTED + 1);
  const only = like.length === 1 ? like[0]! : undefined;
  if (only) {
    // Broken between words where the screen is narrow (it went on mid-word): its rows, joined.
    const question = `|07There is no user called ${field(typed, 32)}. Mail |15${field(only.handle, 32)}|07? |08[|15Y|08/|15n|08]|07 `;
    const asked = wrapLine(question, Math.max(1, s.terminal.cols - 1), true).join('\n');
    const answer = (await readKeyUnder(s, above, asked, answered)).toLowerCase();
    s.println('');
    if (answer !== 'n' && answer !== 'escape' && answer !== 'q') return { user: only, asked };
    s.println('|07Nothing sent.');
    return null;
  }
  printWords(s, `|12There is no user called ${field(typed, 32)}.|07`);
  if (like.length > 1) {
    const names = like.slice(0, HANDLES_SUGGESTED).map((u) => `|15${field(u.handle, 32)}|07`);
    printWords(s, `|07Handles that start so: ${names.join(', ')}${like.length > HANDLES_SUGGESTED ? ', ...' : ''}.`);
  }
  return null;
}

/** Send a mail, or reply to `replyTo`: To: and Subject: under the screen `above` draws (for a sysop's spy that starts at them). */
export async function sendMail(s: Session, replyTo?: Mail, above: DrawAbove = () => s.clear()): Promise<void> {
  const user = s.user;
  if (!user) return;
  const toTyped = await readLineUnder(s, above, TO_PROMPT, { maxLength: 32, ...(replyTo ? { default: cleanUserText(replyTo.fromHandle, 32) } : {}) });
  const to = toTyped.trim();
  if (to === '') {
    printWords(s, '|07Mail needs a recipient: nothing sent.');
    return;
  }
  const toRow = answeredRow(TO_PROMPT, toTyped);
  const found = await s.store.users.findByHandle(to);
  const meant = found ? { user: found } : await recipientLike(s, to, above, [toRow]);
  if (!meant) return;
  const recipient = meant.user;
  const subject = (
    await readLineUnder(s, above, SUBJECT_PROMPT, { maxLength: 72, ...(replyTo ? { default: replySubject(cleanUserText(replyTo.subject, 72)) } : {}) }, [
      toRow,
      ...(meant.asked !== undefined ? meant.asked.split('\n') : []),
    ])
  ).trim();
  if (subject === '') {
    s.println('|07No subject: nothing sent.');
    return;
  }
  const body = await editText(s, {
    title: cleanUserText(`Mail to ${recipient.handle}: ${subject}`, 200),
    ...(replyTo ? { replyTo } : {}),
  });
  if (body === null) {
    s.println('|07Mail aborted.');
    return;
  }
  const areas = await messageAreasOf(s.board);
  try {
    const m = await saveOrKeep(
      s,
      () =>
        s.store.mail.send({
          fromUserId: user.id,
          fromHandle: user.handle,
          to: recipient.handle,
          subject,
          body,
          rate: { max: areas.postsPerMinute, windowMs: POST_RATE_WINDOW_MS },
        }),
      'mail',
    );
    if (!m) {
      s.println('|07Mail dropped.');
      return;
    }
    s.bus.publish('mail.new', { id: m.id, toUserId: m.toUserId, fromHandle: m.fromHandle, subject: m.subject, at: m.createdAt });
    s.log.info('mail.sent', { id: m.id, to: m.toUserId });
    printWords(s, `|10Mail sent to ${field(m.toHandle, 32)}.|07`);
  } catch (err) {
    if (isCarrierError(err, 'VALIDATION') || isCarrierError(err, 'NOT_FOUND')) {
      printWords(s, `|12${field(err.message, 200)}|07`);
      return;
    }
    throw err;
  }
}

async function folder(s: Session, which: 'inbox' | 'sent'): Promise<void> {
  const user = s.user!;
  for (;;) {
    const list = which === 'inbox' ? await s.store.mail.inbox(user.id, MAILBOX_PAGE) : await s.store.mail.sent(user.id, MAILBOX_PAGE);
    if (list.length === 0) {
      s.println(which === 'inbox' ? '|07Your inbox is empty.' : '|07You have sent no mail.');
      return;
    }
    const listCols = s.terminal.cols;
    const width = Math.max(20, listCols - 1);
    const wide = width >= MAIL_ROW_WIDE;
    // Printed below what came before: a sysop's spy that starts while the caller types a
    // number gets the list from a clear screen, and the prompt with what they typed.
    const typed = await printAndReadLine(
      s,
      () => {
        // Sent mail shows what its recipient has not opened yet.
        s.println(which === 'inbox' ? '|15Inbox|08 - * is unread|07' : (firstFitting(['|15Sent mail|08 - * not read yet|07', '|15Sent|08 - * not read yet|07'], listCols) ?? '|15Sent mail|07'));
        list.forEach((m, i) => {
          const who = field(which === 'inbox' ? m.fromHandle : m.toHandle, 16).replace(/\|\|/g, '|');
          const subject = field(m.subject, 72).replace(/\|\|/g, '|');
          const number = `${m.readAt === null ? '*' : ' '}${String(i + 1).padStart(3)}`;
          // Narrower than the columns (a phone's browser, a 40-column terminal): the date goes
          // and the handle is not padded, so the subject shows (at 24 columns none of it did).
          const line = wide ? `${number} ${shortDate(m.createdAt).slice(5)} ${who.padEnd(16)} ${subject}` : `${number} ${who}: ${subject}`;
          s.println(`|07${pipeLiteral(clipToWidth(line, width))}`);
        });
        s.print(firstFitting(['|11Read which number? |07(Enter goes back) |15', '|11Read which? |07(Enter: back) |15'], listCols) ?? '|11Number, or Enter: |15');
      },
      { maxLength: 5 },
    );
    const n = Number(typed.trim());
    const picked = Number.isInteger(n) ? list[n - 1] : undefined;
    if (!picked) return;
    const mail = await s.store.mail.open(user.id, picked.id);
    if (!mail) continue;
    const cols = s.terminal.cols;
    const again = await showMessage(
      s,
      [headerRow('From:', mail.fromHandle, 32, cols), headerRow('To:', mail.toHandle, 32, cols), headerRow('Subject:', mail.subject, 72, cols), dateRow(shortDate(mail.createdAt), null, cols)],
      mail.body,
    );
    if (which === 'inbox') await s.store.mail.markRead(user.id, mail.id);
    const keys = which === 'inbox' ? INBOX_KEYS : SENT_KEYS;
    const promptRow = keyPrompt(keys, s.terminal.cols);
    const prompt = (): void => s.print(promptRow);
    /** Rows under the mail: a `?`'s legend under the prompt it was typed at. */
    const said = new RowsUnder(s);
    let key: string;
    for (;;) {
      // The mail on screen, the rows under it and its prompt, for a sysop's spy that starts here.
      key = (
        await drawAndReadKey(s, prompt, () => {
          said.draw(again, 1);
          prompt();
        })
      ).toLowerCase();
      s.println('');
      if (key !== LEGEND_KEY) break;
      const legend = keyLegend(keys);
      for (const row of legend) s.println(row);
      said.add(promptRow, ...legend);
    }
    // The reply's To: and Subject: go on under the mail and its prompt.
    if (key === 'r' && which === 'inbox')
      await sendMail(s, mail, (below) => {
        said.draw(again, below + 1);
        prompt();
        s.println('');
      });
    else if (key === 'd') {
      await s.store.mail.remove(user.id, mail.id);
      s.println('|07Deleted.');
    }
  }
}
