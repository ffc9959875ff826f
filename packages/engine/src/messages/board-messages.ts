import { cleanUserText, isCarrierError } from '@carrier/core';
import { DELETED_RECIPIENT_MARK, LEVELS, replySubject, type Message, type MessageSummary } from '@carrier/store';
import { fitWidth, pipeLiteral } from '@carrier/terminal';
import { drawAndReadKey, printAndReadKey, printAndReadLine, readLineUnder, type DrawAbove } from '../draw-again.js';
import type { Session } from '../session-api.js';
import { firstFitting, keyLegend, keyPrompt, LEGEND_KEY, type PromptKey } from '../prompt-fit.js';
import { clipToWidth } from '../text-fit.js';
import { findArea, mayPost, mayRead, readableAreas, type MessageArea, type MessageAreas } from './areas.js';
import { editText } from './edit.js';
import { saveOrKeep } from './post-rate.js';
import { RowsUnder } from './rows-under.js';
import { messageAreasOf } from './source.js';
import {
  answeredRow,
  areaHeader,
  areaRow,
  dateRow,
  field,
  headerRow,
  shortDate,
  showMessage,
  SUBJECT_PROMPT,
  TO_PROMPT,
} from './text.js';

/**
 * The message base as callers use it (menu key M): the current area, jump, post, read,
 * list, thread view, new-scan, search, and the sysop's delete/move/post-as-board.
 * Every path that reaches an area or a message checks the caller's access again here,
 * against the areas as configured now: a tag typed by hand, a message reached through a
 * thread or a search result, all go through `readable()`.
 */
export const POST_RATE_WINDOW_MS = 60_000;
const SEARCH_RESULTS = 50;

const currentAreas = new WeakMap<Session, string>();

const AREA_KEYS: readonly PromptKey[] = [['J', 'Jump'], ['P', 'Post'], ['R', 'Read'], ['L', 'List'], ['N', 'New-scan'], ['S', 'Search'], ['A', 'All read'], ['Q', 'Quit']];
const READ_KEYS: readonly PromptKey[] = [['N', 'Next'], ['P', 'Prev'], ['R', 'Reply'], ['T', 'Thread'], ['+', 'thread next'], ['-', 'parent']];
const SYSOP_READ_KEYS: readonly PromptKey[] = [['D', 'Delete'], ['M', 'Move']];
const readKeys = (sysop: boolean): PromptKey[] => [...READ_KEYS, ...(sysop ? SYSOP_READ_KEYS : []), ['Q', 'Quit']];

const isSysop = (s: Session): boolean => (s.user?.level ?? 0) >= LEVELS.sysop;

/** The area of a message, if this caller may read it now. */
function readable(areas: MessageAreas, s: Session, tag: string): MessageArea | undefined {
  const area = areas.areas.find((a) => a.tag === tag);
  return area && mayRead(area, s.user) ? area : undefined;
}

/** The caller's current area: the last one they were in, else the first they may read. */
export async function currentArea(s: Session): Promise<MessageArea | undefined> {
  const areas = await messageAreasOf(s.board);
  const tag = currentAreas.get(s);
  return (tag !== undefined ? readable(areas, s, tag) : undefined) ?? readableAreas(areas, s.user)[0];
}

export async function messageAreasMenu(s: Session): Promise<void> {
  s.setActivity('reading messages');
  /** `?`'s legend, printed over the menu it was asked at (so a sysop's spy gets it with the menu). */
  let legend: string[] = [];
  for (;;) {
    const areas = await messageAreasOf(s.board);
    const area = await currentArea(s);
    if (!area || !s.user) {
      s.println('|07There are no message areas for you yet.');
      await s.pause();
      return;
    }
    currentAreas.set(s, area.tag);
    const [scan] = await s.store.messages.scan(s.user.id, [area.tag]);
    const total = await s.store.messages.count(area.tag);
    const over = legend;
    if (over.length === 0) s.println('');
    const menu = (): void => {
      for (const row of over) s.println(row);
      for (const row of areaHeader(area, total, scan?.count ?? 0, s.terminal.cols)) s.println(row);
      s.print(keyPrompt(AREA_KEYS, s.terminal.cols));
    };
    // Printed below what came before: a sysop's spy that starts here gets it on a clear screen.
    const key = (await printAndReadKey(s, menu)).toLowerCase();
    s.println('');
    // The prompts a key asks go on under the menu (a spy that starts at them gets it).
    const underMenu: DrawAbove = () => {
      s.clear();
      menu();
      s.println('');
    };
    legend = key === LEGEND_KEY ? keyLegend(AREA_KEYS) : [];
    switch (key) {
      case 'j':
        await jump(s, areas);
        break;
      case 'p':
        await compose(s, area, undefined, underMenu);
        break;
      case 'r': {
        const [first] = await s.store.messages.list(area.tag, { limit: 1 });
        if (first) await readFrom(s, first.id, { mode: 'area' });
        else s.println('|07No messages here yet. |15P|07 posts the first.');
        break;
      }
      case 'l':
        await listArea(s, area);
        break;
      case 'n':
        await newScan(s);
        break;
      case 's':
        await search(s, area, underMenu);
        break;
      case 'a':
        await s.store.messages.markAllRead(s.user.id, readableAreas(areas, s.user).map((a) => a.tag));
        s.println('|07Everything is marked read.');
        break;
      case 'q':
      case 'escape':
        return;
      default:
        break;
    }
  }
}

async function jump(s: Session, areas: MessageAreas): Promise<void> {
  const list = readableAreas(areas, s.user);
  const scans = await s.store.messages.scan(s.user!.id, list.map((a) => a.tag));
  const cols = s.terminal.cols;
  // A sysop's spy that starts while the caller types gets the list and the half-typed line.
  const typed = (
    await printAndReadLine(
      s,
      () => {
        let conference = '';
        list.forEach((a, i) => {
          if (a.conference !== conference) {
            conference = a.conference;
            s.println(`|11${pipeLiteral(fitWidth(cleanUserText(conference, 40), Math.max(1, cols - 1)))}`);
          }
          s.println(areaRow(i + 1, a, scans[i]?.count ?? 0, cols));
        });
        s.print('|11Area (number or name): |15');
      },
      { maxLength: 40 },
    )
  ).trim();
  if (typed === '') return;
  const n = Number(typed);
  // A name typed by hand is looked up among the areas this caller may read only.
  const area = Number.isInteger(n) && n >= 1 ? list[n - 1] : findArea(areas, typed, s.user);
  if (!area) {
    s.println('|12No such area.|07');
    return;
  }
  currentAreas.set(s, area.tag);
}

/**
 * Post in `area`, or reply to `parent` (in its area): To: and Subject: under the screen
 * `above` draws (for a sysop's spy that starts at them).
 */
export async function compose(s: Session, area: MessageArea, parent?: Message, above: DrawAbove = () => s.clear()): Promise<void> {
  const user = s.user;
  if (!user) return;
  const areas = await messageAreasOf(s.board);
  const now = readable(areas, s, area.tag);
  if (!now || !mayPost(now, user)) {
    s.println(`|12You may not post in ${field(area.name, 40)}.|07`);
    return;
  }
  const toTyped = await readLineUnder(s, above, TO_PROMPT, { maxLength: 32, ...(parent ? { default: cleanUserText(parent.fromHandle, 32) } : {}) });
  const to = toTyped.trim() || 'All';
  const subject = (
    await readLineUnder(s, above, SUBJECT_PROMPT, { maxLength: 72, ...(parent ? { default: replySubject(cleanUserText(parent.subject, 72)) } : {}) }, [
      answeredRow(TO_PROMPT, toTyped),
    ])
  ).trim();
  if (subject === '') {
    s.println('|07No subject: nothing posted.');
    return;
  }
  let asBoard = false;
  if (isSysop(s)) {
    s.print('|11Post as the board? |07(y/N) ');
    asBoard = (await s.readKey()).toLowerCase() === 'y';
    s.println('');
  }
  const body = await editText(s, {
    title: cleanUserText(`${now.name}: ${subject}`, 200),
    ...(parent ? { replyTo: parent } : {}),
  });
  if (body === null) {
    s.println('|07Message aborted.');
    return;
  }
  try {
    const m = await saveOrKeep(
      s,
      () =>
        s.store.messages.post({
          area: now.tag,
          fromUserId: asBoard ? null : user.id,
          fromHandle: asBoard ? s.board.name : user.handle,
          toHandle: to,
          subject,
          body,
          parentId: parent?.id ?? null,
          ...(asBoard ? {} : { rate: { max: areas.postsPerMinute, windowMs: POST_RATE_WINDOW_MS } }),
        }),
      'message',
    );
    if (!m) {
      s.println('|07Message dropped.');
      return;
    }
    // Your own message is not news to you.
    await s.store.messages.markRead(user.id, now.tag, m.id);
    s.log.info('messages.posted', { id: m.id, area: now.tag, reply: parent?.id });
    s.println(`|10Message #${m.id} posted in ${field(now.name, 40)}.|07`);
  } catch (err) {
    if (isCarrierError(err, 'VALIDATION') || isCarrierError(err, 'NOT_FOUND')) {
      s.println(`|12${field(err.message, 200)}|07`);
      return;
    }
    throw err;
  }
}

type ReadMode = 'area' | 'new-scan';
type ReadEnd = 'quit' | 'end';

/** Show one message: a header and the body in the pager, the header in view on the first page. Returns its drawing again (showMessage). */
async function show(s: Session, m: Message, area: MessageArea, fresh: boolean): Promise<(below: number) => void> {
  const cols = s.terminal.cols;
  const where = `#${m.id} in`;
  return await showMessage(
    s,
    [
      `|15#${m.id} |07in |11${pipeLiteral(fitWidth(cleanUserText(area.name, 40), Math.max(1, cols - 2 - where.length - (fresh ? 6 : 0))))}${fresh ? ' |14(new)' : ''}`,
      headerRow('From:', m.fromHandle, 32, cols),
      headerRow('To:', m.toHandle, 32, cols),
      headerRow('Subject:', m.subject, 72, cols),
      dateRow(shortDate(m.createdAt), m.parentId, cols),
    ],
    m.body,
  );
}

/**
 * What a key at the reader's prompt leads to: show a message (`next`, or the one on screen
 * again, as it is now: after a reply, a move, or a pick that is gone), with a `note` of
 * what the key did under it (showing clears the screen: a line printed before it was
 * wiped unread); ask again under what the key said (P at the first message, an unknown
 * key: showing the message again would wipe it), `said` the rows it printed, or the end
 * of reading.
 */
type ReadStep = { kind: 'show'; next?: Message | null; note?: string } | { kind: 'ask'; said?: readonly string[] } | { kind: 'end'; end: ReadEnd };
const SHOW_AGAIN: ReadStep = { kind: 'show' };
const ASK: ReadStep = { kind: 'ask' };
const showNext = (next: Message | null): ReadStep => ({ kind: 'show', next });
const endWith = (end: ReadEnd): ReadStep => ({ kind: 'end', end });

/** Ask again under `rows`, printed now. */
function askUnder(s: Session, ...rows: string[]): { kind: 'ask'; said: readonly string[] } {
  for (const row of rows) s.println(row);
  return { kind: 'ask', said: rows };
}

/**
 * Read from message `id` on: next/previous in its area (or, in a new-scan, on to the
 * newer ones), reply, thread view, next in thread, parent; sysops delete and move.
 */
export async function readFrom(s: Session, id: number, opts: { mode: ReadMode }): Promise<ReadEnd> {
  const user = s.user;
  if (!user) return 'quit';
  let m = await s.store.messages.get(id);
  let step: ReadStep = SHOW_AGAIN;
  /** The message on screen drawn again, and the rows under it (its note, the prompts keys were typed at and what they said): a sysop's spy that starts at the prompt gets them. */
  let shown: DrawAbove | undefined;
  const said = new RowsUnder(s);
  for (;;) {
    const areas = await messageAreasOf(s.board);
    const area = m ? readable(areas, s, m.area) : undefined;
    if (!m || !area) {
      s.println('|12That message is not there.|07');
      return 'end';
    }
    if (step.kind === 'show') {
      const pointer = await s.store.messages.lastRead(user.id, area.tag);
      shown = await show(s, m, area, m.id > pointer);
      said.clear();
      await s.store.messages.markRead(user.id, area.tag, m.id);
      if (step.note !== undefined) {
        s.println(step.note);
        said.add(step.note);
      }
    }
    const keys = readKeys(isSysop(s));
    const promptRow = keyPrompt(keys, s.terminal.cols);
    const prompt = (): void => s.print(promptRow);
    const drawn = shown;
    /** The message, the rows under it and the prompt, `below` rows left under them. */
    const atPrompt: DrawAbove = (below) => {
      if (drawn) said.draw(drawn, below + 1);
      else s.clear();
      prompt();
    };
    const key = (await drawAndReadKey(s, prompt, () => atPrompt(0))).toLowerCase();
    s.println('');
    // What the key asks next goes on under the prompt it was typed at.
    const under: DrawAbove = (below) => {
      atPrompt(below);
      s.println('');
    };
    step = key === LEGEND_KEY ? askUnder(s, ...keyLegend(keys)) : await readerKey(s, key, m, area, areas, opts.mode, under);
    if (step.kind === 'end') return step.end;
    if (step.kind === 'ask') said.add(promptRow, ...(step.said ?? []));
    m = (step.kind === 'show' ? step.next : undefined) ?? (await s.store.messages.get(m.id));
  }
}

/** One key at the reader's prompt, on message `m` in `area`. */
async function readerKey(s: Session, key: string, m: Message, area: MessageArea, areas: MessageAreas, mode: ReadMode, under: DrawAbove): Promise<ReadStep> {
  const sysop = isSysop(s);
  switch (key) {
    case 'n':
    case 'enter':
    case ' ': {
      const [after] = await s.store.messages.list(area.tag, { afterId: m.id, limit: 1 });
      if (after) return showNext(await s.store.messages.get(after.id));
      if (mode !== 'new-scan') s.println('|07No more messages in this area.');
      return endWith('end');
    }
    case 'p': {
      const [before] = await s.store.messages.list(area.tag, { beforeId: m.id, limit: 1 });
      if (before) return showNext(await s.store.messages.get(before.id));
      return askUnder(s, '|07This is the first message.');
    }
    case 'r':
      await compose(s, area, m, under);
      await s.pause();
      return SHOW_AGAIN;
    case 't': {
      const picked = await threadView(s, m);
      return picked === undefined ? SHOW_AGAIN : showNext(await s.store.messages.get(picked));
    }
    case '+':
    case ']': {
      const thread = await s.store.messages.thread(m.threadId);
      const after = thread.find((t) => t.id > m.id && readable(areas, s, t.area));
      if (after) return showNext(await s.store.messages.get(after.id));
      return askUnder(s, '|07No later message in this thread.');
    }
    case '-':
    case '[': {
      if (m.parentId === null) {
        return askUnder(s, '|07This message starts its thread.');
      }
      const parent = await s.store.messages.get(m.parentId);
      if (parent) return showNext(parent);
      return askUnder(s, '|07The message it replies to is gone.');
    }
    case 'd':
      return sysop ? deleteMessage(s, m, area) : ASK;
    case 'm':
      return sysop ? moveMessage(s, m, area, areas, under) : ASK;
    case 'q':
    case 'escape':
      return endWith('quit');
    default:
      return ASK;
  }
}

/** A sysop's D: asks, deletes, and goes on to the next message of the area (the end if none). */
async function deleteMessage(s: Session, m: Message, area: MessageArea): Promise<ReadStep> {
  const asked = `|12Delete #${m.id}? |07(y/N) `;
  s.print(asked);
  const yes = (await s.readKey()).toLowerCase() === 'y';
  s.println('');
  if (!yes) return { kind: 'ask', said: [asked] };
  await s.store.messages.remove(m.id);
  s.log.info('messages.deleted', { id: m.id, area: area.tag });
  const [after] = await s.store.messages.list(area.tag, { afterId: m.id, limit: 1 });
  return after ? showNext(await s.store.messages.get(after.id)) : endWith('end');
}

const MOVE_PROMPT = '|11Move to area: |15';

/** A sysop's M: moves the message to an area named (asked under the message), and shows it there. */
async function moveMessage(s: Session, m: Message, area: MessageArea, areas: MessageAreas, under: DrawAbove): Promise<ReadStep> {
  const typed = await readLineUnder(s, under, MOVE_PROMPT, { maxLength: 40 });
  const to = findArea(areas, typed, s.user);
  if (!to) return { kind: 'ask', said: [answeredRow(MOVE_PROMPT, typed), ...askUnder(s, '|12No such area.|07').said] };
  await s.store.messages.move(m.id, to.tag);
  s.log.info('messages.moved', { id: m.id, from: area.tag, to: to.tag });
  // Said under the message, shown again in its new area, above the prompt: one row.
  const note = fitWidth(`Moved from ${cleanUserText(area.name, 40)} to ${cleanUserText(to.name, 40)}.`, Math.max(1, s.terminal.cols - 1));
  return { kind: 'show', note: `|10${pipeLiteral(note)}|07` };
}

/** The thread of `m` as an indented tree; returns the id picked, if any. */
async function threadView(s: Session, m: MessageSummary): Promise<number | undefined> {
  const areas = await messageAreasOf(s.board);
  const all = (await s.store.messages.thread(m.threadId)).filter((t) => readable(areas, s, t.area));
  const ids = new Set(all.map((t) => t.id));
  const children = new Map<number | null, MessageSummary[]>();
  for (const t of all) {
    // A reply whose parent is gone (or unreadable) hangs at the top.
    const parent = t.parentId !== null && ids.has(t.parentId) ? t.parentId : null;
    const list = children.get(parent) ?? [];
    list.push(t);
    children.set(parent, list);
  }
  const rows: Array<{ t: MessageSummary; depth: number }> = [];
  const walk = (parent: number | null, depth: number): void => {
    for (const t of children.get(parent) ?? []) {
      rows.push({ t, depth });
      if (rows.length < 1000) walk(t.id, Math.min(depth + 1, 20));
    }
  };
  walk(null, 0);
  const width = Math.max(20, s.terminal.cols - 1);
  const typed = await printAndReadLine(
    s,
    () => {
      // One row, as the reader's header rows (a 60-character subject took three at 24 columns).
      s.println(headerRow('Thread:', all[0]?.subject ?? m.subject, 60, s.terminal.cols));
      for (const { t, depth } of rows) {
        const mark = t.id === m.id ? '>' : ' ';
        const line = `${mark}${'  '.repeat(depth)}#${t.id} ${cleanShort(t.fromHandle, 16)}: ${cleanShort(t.subject, 60)}`;
        s.println(`|07${pipeLiteral(clipToWidth(line, width))}`);
      }
      s.print('|11Read which number? |15');
    },
    { maxLength: 10 },
  );
  const n = Number(typed.trim().replace(/^#/, ''));
  return Number.isInteger(n) && ids.has(n) ? n : undefined;
}

const cleanShort = (text: string, max: number): string => field(text, max).replace(/\|\|/g, '|');

/** A list column's To:, a deleted account's marked `(del)` after its cut handle so the mark always shows. */
function listedRecipient(to: string, max: number): string {
  if (!to.endsWith(DELETED_RECIPIENT_MARK)) return cleanShort(to, max);
  const mark = ' (del)';
  return `${cleanShort(to.slice(0, -DELETED_RECIPIENT_MARK.length), max - mark.length)}${mark}`;
}

/** A page of the area's messages at a time: number, from, to, date, subject, new or read. */
async function listArea(s: Session, area: MessageArea): Promise<void> {
  const user = s.user!;
  const pageSize = Math.max(3, Math.min(50, s.terminal.rows - 4));
  const pointer = await s.store.messages.lastRead(user.id, area.tag);
  let page = await s.store.messages.list(area.tag, { limit: pageSize });
  const cols = s.terminal.cols;
  const width = Math.max(20, cols - 1);
  const name = field(area.name, 40);
  // Each on one row where the screen is narrow (at 24 columns both took three, broken mid-word).
  const header =
    firstFitting([`|15${name} |08- number, from, to, date, subject; * is new|07`, `|15${name} |08- * is new|07`], cols) ??
    `|15${pipeLiteral(fitWidth(cleanUserText(area.name, 40), Math.max(1, cols - 1)))}|07`;
  const prompt = firstFitting(['|08[|15Enter|08]|07 more |08[|15B|08]|07ack, a number reads it, |08[|15Q|08]|07uit: ', '|08[|15Enter B Q|08]|07 or a number: '], cols) ?? '|08[|15Enter B Q #|08]|07: ';
  for (;;) {
    s.clear();
    const shown = page;
    const typed = (
      await printAndReadLine(
        s,
        () => {
          s.println(header);
          if (shown.length === 0) s.println('|07No messages.');
          for (const m of shown) {
            const line = `${m.id > pointer ? '*' : ' '}${String(m.id).padStart(6)} ${cleanShort(m.fromHandle, 14).padEnd(14)} ${listedRecipient(m.toHandle, 12).padEnd(12)} ${shortDate(m.createdAt).slice(5)} ${cleanShort(m.subject, 72)}`;
            s.println(`|07${pipeLiteral(clipToWidth(line, width))}`);
          }
          s.print(`${prompt}|15`);
        },
        { maxLength: 10 },
      )
    )
      .trim()
      .toLowerCase();
    if (typed === 'q') return;
    if (typed === '') {
      const last = page[page.length - 1];
      if (!last) return;
      const more = await s.store.messages.list(area.tag, { afterId: last.id, limit: pageSize });
      if (more.length === 0) return;
      page = more;
    } else if (typed === 'b') {
      const first = page[0];
      const back = first ? (await s.store.messages.list(area.tag, { beforeId: first.id, limit: pageSize })).reverse() : [];
      if (back.length > 0) page = back;
    } else {
      const n = Number(typed.replace(/^#/, ''));
      if (Number.isInteger(n) && page.some((m) => m.id === n)) {
        await readFrom(s, n, { mode: 'area' });
        return;
      }
    }
  }
}

/** What's new: every readable area in order, the unread messages oldest first. */
export async function newScan(s: Session): Promise<void> {
  const user = s.user;
  if (!user) return;
  const areas = await messageAreasOf(s.board);
  const list = readableAreas(areas, user);
  const scans = await s.store.messages.scan(user.id, list.map((a) => a.tag));
  const fresh = scans.filter((x) => x.count > 0 && x.firstId !== null);
  if (fresh.length === 0) {
    s.println('|07No new messages.');
    return;
  }
  const names = fresh.map((x) => `${x.count} in ${field(list.find((a) => a.tag === x.area)?.name ?? x.area, 40)}`);
  s.println(`|15New messages: |07${names.join(', ')}`);
  for (const x of fresh) {
    const end = await readFrom(s, x.firstId!, { mode: 'new-scan' });
    if (end === 'quit') return;
  }
  s.println('|07End of new-scan.');
}

/** Search, under the screen `above` draws (for a sysop's spy that starts at the prompt). */
async function search(s: Session, area: MessageArea, above: DrawAbove): Promise<void> {
  const query = (await readLineUnder(s, above, '|11Search for: |15', { maxLength: 80 })).trim();
  if (query === '') return;
  s.print(firstFitting(['|11In |15T|11his area or |15A|11ll areas? |07', '|15T|11his area or |15A|11ll? |07'], s.terminal.cols) ?? '|08[|15T A|08]|07? ');
  const all = (await s.readKey()).toLowerCase() === 'a';
  s.println('');
  const areas = await messageAreasOf(s.board);
  const tags = all ? readableAreas(areas, s.user).map((a) => a.tag) : readable(areas, s, area.tag) ? [area.tag] : [];
  const found = await s.store.messages.search(query, tags, SEARCH_RESULTS);
  if (found.length === 0) {
    s.println('|07Nothing found.');
    return;
  }
  const width = Math.max(20, s.terminal.cols - 1);
  const typed = await printAndReadLine(
    s,
    () => {
      s.println(`|15${found.length} found|07`);
      for (const m of found) {
        const line = `${String(m.id).padStart(6)} ${m.area.padEnd(14)} ${cleanShort(m.fromHandle, 14).padEnd(14)} ${cleanShort(m.subject, 72)}`;
        s.println(`|07${pipeLiteral(clipToWidth(line, width))}`);
      }
      s.print('|11Read which number? |15');
    },
    { maxLength: 10 },
  );
  const n = Number(typed.trim().replace(/^#/, ''));
  if (Number.isInteger(n) && found.some((m) => m.id === n)) await readFrom(s, n, { mode: 'area' });
}
