import { cleanUserText, isPlainTerminal } from '@carrier/core';
import { charWidth, clipAnsiRow, displayWidth } from '@carrier/terminal';
import { LEVELS } from '@carrier/store';
import type { PresenceEntry } from '../presence.js';
import type { Session } from '../session-api.js';
import { clipToWidth, tailToWidth } from '../text-fit.js';
import { describeNotice, type Notice } from './notice.js';
import { idleText, presenceHeader, presenceRow } from './presence-table.js';
import type { Invitation } from './session-social.js';
import { answerInvitation, requestPrivateChat, type ChatPeer } from './split-chat.js';

/**
 * Who's online as a live full-screen list (blessed): it follows presence as callers
 * arrive, leave and move, and fits the caller's screen. From it a caller pages someone,
 * asks for a split-screen chat, answers a chat request, or turns do-not-disturb on; a
 * sysop also disconnects a node, sends it a message or reads its terminal details.
 * Every one of those is a bus topic: the list never touches another caller's session.
 */

type ListAction = { kind: 'quit' } | { kind: 'chat'; peer: ChatPeer } | { kind: 'answer'; invitation: Invitation };

/** Many presence events in a burst (a netsplit healing) draw the list once. */
const RENDER_COALESCE_MS = 20;
/** The idle column moves even when nobody arrives or leaves. */
const IDLE_REFRESH_MS = 5_000;
const PAGE_MAX_LENGTH = 200;
const INVERSE = '\x1b[7m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';
/** The art header is shown only when this many rows are left below it for the list itself. */
const MIN_LIST_ROWS = 12;
/**
 * The help row and the first prompt, longest first: a narrow window gets a shorter one
 * rather than one cut before its last keys ('D do-not-dis' on 40 columns, Space never seen).
 */
const HELP = [' P page  C chat  A answer  D do-not-disturb  Space back', ' P page C chat A answer D dnd Space back', ' P C A D  Space back'];
const SYSOP_HELP = [
  ' P page C chat A answer D dnd  K disconnect M message T terminal  Space back',
  ' P page C chat A answer D dnd K kick M msg T term  Space back',
  ' P C A D K M T  Space back',
];
const SELECT_PROMPT = ['Select a caller with the arrows and press a key:', 'Arrows select a caller, then a key:', 'Arrows, then a key:'];

/** The terminal details box's label, longest first: how to scroll it (when the window cuts it short) and close it. */
const DETAILS_LABELS = [' Up/Down scroll, other keys close ', ' Up/Down, any key closes ', ' any key closes '];
/** How far each key scrolls the terminal details box: rows, or a box's height. */
const DETAILS_SCROLL: Readonly<Record<string, number | 'page' | '-page'>> = { up: -1, down: 1, pageup: '-page', pagedown: 'page' };
/** A fact's value cut onto a further row starts under the values (' Key        value'). */
const DETAILS_INDENT = 12;
/** Narrower than this inside, a fact's name goes above its value: the values get the width. */
const DETAILS_STACK_BELOW = 24;

/** `line` cut into rows of at most `width` columns; rows after the first start `indent` columns in (less on a narrow box). */
function cutToRows(line: string, width: number, indent: number): string[] {
  const w = Math.max(1, width);
  const pad = ' '.repeat(Math.min(indent, Math.floor(w / 3)));
  const rows: string[] = [];
  let rest = line;
  for (;;) {
    const head = clipToWidth(rest, w - (rows.length > 0 ? pad.length : 0));
    // A character wider than the row (CJK on a 1-column box) is dropped rather than looping.
    const taken = head === '' ? [...rest][0]!.length : head.length;
    rows.push(rows.length > 0 ? pad + head : head);
    rest = rest.slice(taken).trimStart();
    if (rest === '') return rows;
  }
}

/**
 * A field typed on the status row: the prompt and the text with its cursor, or where that is
 * wider than the row, the prompt, `<` and the end of the text, where the caller types (a page
 * longer than the row went on out of sight: at 24 columns, after 12 characters).
 */
function typedRow(prompt: string, text: string, width: number): string {
  const whole = `${prompt}${text}_`;
  if (clipToWidth(whole, width) === whole) return whole;
  return `${prompt}<${tailToWidth(`${text}_`, Math.max(0, width - displayWidth(prompt) - 1))}`;
}

/** The longest of `texts` (longest first) that fits `width` columns, else the shortest. */
function widest(texts: readonly string[], width: number): string {
  return texts.find((t) => clipToWidth(t, width) === t) ?? texts[texts.length - 1] ?? '';
}

export async function whosOnline(s: Session): Promise<void> {
  if (isPlainTerminal(s.terminal.type)) return plainList(s);
  // The board's art is the list's header, not a title card to wait through (issue 11
  // item 3): read from the art cache in about a millisecond, while keys typed meanwhile queue.
  const header = (await s.artRows('online')) ?? [];
  for (;;) {
    s.setActivity("who's online");
    const action = await showList(s, header);
    if (!action || action.kind === 'quit') return;
    if (action.kind === 'chat') await requestPrivateChat(s, action.peer);
    else await answerInvitation(s, action.invitation);
  }
}

/** A terminal with no cursor addressing (TERM=dumb) gets who's online as lines of text. */
async function plainList(s: Session): Promise<void> {
  s.setActivity("who's online");
  const entries = (await s.who()).sort((a, b) => a.node - b.node);
  const width = Math.min(80, s.terminal.cols);
  const now = Date.now();
  s.write(`Who's online - ${entries.length} ${entries.length === 1 ? 'caller' : 'callers'}\r\n`);
  s.write(`${presenceHeader(width)}\r\n`);
  for (const e of entries) s.write(`${presenceRow(e, now, width)}\r\n`);
  await s.pause();
}

async function showList(s: Session, header: readonly string[]): Promise<ListAction | undefined> {
  const me = s.user?.handle ?? '';
  const sysop = (s.user?.level ?? 0) >= LEVELS.sysop;
  const view = s.view<ListAction>({ title: "who's online" });
  const { blessed, screen } = view;
  const entries = new Map<string, PresenceEntry>();
  const gone = new Set<string>();
  let order: PresenceEntry[] = [];
  let selected: string | undefined;
  let index = 0;
  let top = 0;
  /** what the status row says; null: how to select (the longest form that fits) */
  let status: string | null = null;
  let input: { prompt: string; text: string; submit(text: string): void } | undefined;
  let confirm: { prompt: string; yes(): void } | undefined;
  let renderTimer: NodeJS.Timeout | undefined;

  // An explicit colour on every box: blessed skips cells that look blank to it, and a
  // first frame with its spaces skipped reads as run-together words to a caller's
  // script (expect, a screen reader) watching the stream.
  const style = { fg: 'white' };
  const art = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: Math.max(1, header.length), tags: false, wrap: false, hidden: true, style });
  let artDrawn = { rows: -1, width: -1 };
  const head = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: 2, tags: false, style });
  const body = blessed.box({ parent: screen, top: 2, left: 0, width: '100%', height: '100%-4', tags: false, style });
  const statusBar = blessed.box({ parent: screen, bottom: 1, left: 0, width: '100%', height: 1, tags: false, style });
  const help = blessed.box({ parent: screen, bottom: 0, left: 0, width: '100%', height: 1, tags: false, style: { inverse: true } });
  // Sized to the window when shown (and on a resize): 60x15 on a 40x12 window put its border
  // and how to close it off the screen. The label on the top border says how to close it.
  // Its 11-12 facts need 13-14 rows: on a shorter window the box shows what fits and
  // Up/Down scroll it (the facts are cut into rows of the box's width, so a narrow one
  // loses nothing either).
  const details = blessed.box({ parent: screen, top: 'center', left: 'center', width: 60, height: 15, border: 'line', label: DETAILS_LABELS[0], tags: false, wrap: false, hidden: true, style });
  let detailFacts: Array<[string, string]> = [];
  /** whose facts the box shows: they follow that entry's updates while it is open (a resize) */
  let detailSession: string | undefined;
  let detailTop = 0;
  /** rows the box can show, and rows the facts take at its width (both set by render) */
  let detailFit = { shown: 0, total: 0 };

  const cols = (): number => Math.max(10, (screen.width as number) || s.terminal.cols);
  const render = (): void => {
    clearTimeout(renderTimer);
    renderTimer = undefined;
    if (view.closed) return;
    const now = Date.now();
    order = [...entries.values()].sort((a, b) => a.node - b.node);
    const found = order.findIndex((e) => e.sessionId === selected);
    index = found >= 0 ? found : Math.max(0, Math.min(index, order.length - 1));
    selected = order[index]?.sessionId;
    const width = cols();
    layout(width);
    if (!details.hidden) {
      const boxWidth = Math.min(60, width);
      const rows = terminalDetailRows(detailFacts, boxWidth - 2);
      const height = Math.min(rows.length + 2, Math.max(3, (screen.height as number) || s.terminal.rows));
      detailFit = { shown: height - 2, total: rows.length };
      detailTop = Math.max(0, Math.min(detailTop, rows.length - detailFit.shown));
      details.width = boxWidth;
      details.height = height;
      details.setContent(rows.slice(detailTop, detailTop + detailFit.shown).join('\n'));
      const label = detailFit.shown < rows.length ? widest(DETAILS_LABELS, boxWidth - 4) : DETAILS_LABELS[DETAILS_LABELS.length - 1]!;
      details.setLabel(clipToWidth(label, Math.max(0, boxWidth - 4)));
    }
    const height = Math.max(1, (body.height as number) || 1);
    if (index < top) top = index;
    if (index >= top + height) top = index - height + 1;
    top = Math.max(0, Math.min(top, Math.max(0, order.length - height)));
    const n = order.length;
    const dnd = s.social.doNotDisturb;
    // One row, the column names under it: a narrow screen's went on onto theirs ('Who's online - 5' / 'callers').
    const title = widest(
      [`Who's online - ${n} ${n === 1 ? 'caller' : 'callers'}${dnd ? '  [do not disturb]' : ''}`, `Who's online - ${n}${dnd ? ' [dnd]' : ''}`, `Online: ${n}${dnd ? ' dnd' : ''}`],
      width - 1,
    );
    head.setContent(`${BOLD}${clipToWidth(title, width - 1)}${RESET}\n${presenceHeader(width)}`);
    body.setContent(
      order
        .slice(top, top + height)
        .map((e, i) => {
          const row = presenceRow(e, now, width);
          if (top + i === index) return `${INVERSE}${row}${RESET}`;
          return e.sessionId === s.id ? `${BOLD}${row}${RESET}` : row;
        })
        .join('\n'),
    );
    statusBar.setContent(clipToWidth(input ? typedRow(input.prompt, input.text, width - 1) : confirm ? confirm.prompt : (status ?? widest(SELECT_PROMPT, width - 1)), width - 1));
    help.setContent(clipToWidth(widest(sysop ? SYSOP_HELP : HELP, width - 1), width - 1));
    screen.render();
  };
  /**
   * The header when the screen has room for it and the list: at least MIN_LIST_ROWS
   * left, and every caller on the list fitting under it (callers come before art: a busy
   * board's list takes the whole screen). The list below it either way.
   */
  const layout = (width: number): void => {
    const screenRows = (screen.height as number) || s.terminal.rows;
    const left = screenRows - header.length;
    const rows = header.length > 0 && left >= MIN_LIST_ROWS && left - 4 >= order.length ? header.length : 0;
    if (rows === 0) art.hide();
    else {
      if (artDrawn.rows !== rows || artDrawn.width !== width) {
        art.setContent(header.map((r) => clipAnsiRow(r, width, { forwardAsSpaces: true })).join('\n'));
        artDrawn = { rows, width };
      }
      art.show();
    }
    head.top = rows;
    body.top = rows + 2;
    body.height = Math.max(1, screenRows - rows - 4);
  };
  const scheduleRender = (): void => {
    renderTimer ??= setTimeout(render, RENDER_COALESCE_MS);
  };
  const say = (text: string): void => {
    status = text;
    render();
  };
  const target = (needHandle: boolean): PresenceEntry | undefined => {
    const e = order[index];
    if (!e) return say('Nobody selected.'), undefined;
    if (e.sessionId === s.id) return say("That's you."), undefined;
    if (needHandle && e.handle === null) return say('That caller is still logging in.'), undefined;
    if (needHandle && e.dnd) return say(`${e.handle} does not want to be disturbed.`), undefined;
    return e;
  };

  const subscriptions = [
    s.subscribe('presence.join', (e) => {
      entries.set(e.sessionId, e);
      scheduleRender();
    }),
    s.subscribe('presence.update', (e) => {
      entries.set(e.sessionId, e);
      if (!details.hidden && e.sessionId === detailSession) detailFacts = terminalFacts(e, Date.now());
      scheduleRender();
    }),
    s.subscribe('presence.leave', (l) => {
      entries.delete(l.sessionId);
      gone.add(l.sessionId);
      scheduleRender();
    }),
  ];
  const noticeStatus = (n: Notice): string => {
    const { head: h, body: b } = describeNotice(n);
    return `*** ${h}: ${n.kind === 'invite' ? 'press A to answer.' : b}`;
  };
  // The status line holds what fits; a longer notice is shown whole when the list closes.
  const unNotice = s.social.onNotice((n) => say(noticeStatus(n)), {
    oneLine: true,
    fits: (n) => {
      const text = noticeStatus(n);
      return clipToWidth(text, cols() - 1) === text;
    },
  });
  const idleTimer = setInterval(scheduleRender, IDLE_REFRESH_MS);
  screen.on('resize', render);

  screen.on('keypress', (ch: string | undefined, key: { name?: string; ctrl?: boolean; meta?: boolean; full?: string } | undefined) => {
    const name = key?.name ?? '';
    if (input) {
      const field = input;
      if (name === 'escape') input = undefined;
      else if (name === 'return' || name === 'enter') {
        input = undefined;
        field.submit(field.text);
      } else if (name === 'backspace') field.text = [...field.text].slice(0, -1).join('');
      else if (ch !== undefined && !key?.ctrl && !key?.meta && [...ch].length === 1 && charWidth(ch) > 0 && [...field.text].length < PAGE_MAX_LENGTH) {
        field.text += ch;
      }
      return render();
    }
    if (confirm) {
      const asked = confirm;
      confirm = undefined;
      if (ch === 'y' || ch === 'Y') asked.yes();
      else status = '';
      return render();
    }
    if (!details.hidden) {
      // Up/Down and the page keys scroll a box the window cuts short; any other key closes it.
      const scroll = detailFit.total > detailFit.shown ? DETAILS_SCROLL[name] : undefined;
      if (scroll !== undefined) detailTop += scroll === 'page' ? detailFit.shown : scroll === '-page' ? -detailFit.shown : scroll;
      else details.hide();
      return render();
    }
    const height = Math.max(1, (body.height as number) || 1);
    const move = (to: number): void => {
      index = Math.max(0, Math.min(order.length - 1, to));
      selected = order[index]?.sessionId;
      render();
    };
    if (name === 'up') return move(index - 1);
    if (name === 'down') return move(index + 1);
    if (name === 'pageup') return move(index - height);
    if (name === 'pagedown') return move(index + height);
    if (name === 'home') return move(0);
    if (name === 'end') return move(order.length - 1);
    if (name === 'escape' || name === 'space' || ch === ' ' || ch === 'q' || ch === 'Q') return view.close({ kind: 'quit' });
    if (name === 'y' && key?.ctrl) return answer();
    switch (ch?.toLowerCase()) {
      case 'a':
        return answer();
      case 'd':
        s.social.setDoNotDisturb(!s.social.doNotDisturb);
        return say(s.social.doNotDisturb ? 'Do not disturb is on.' : 'Do not disturb is off.');
      case 'p': {
        const e = target(true);
        if (!e) return;
        input = {
          prompt: `Page ${e.handle}: `,
          text: '',
          submit: (text) => {
            const clean = cleanUserText(text, PAGE_MAX_LENGTH);
            if (clean === '') return say('Page cancelled.');
            if (!s.social.board.allowLine(me)) return say('Too many pages at once: that one was dropped.');
            s.bus.publish('page', { toSessionId: e.sessionId, fromSessionId: s.id, fromHandle: me, fromNode: s.node, text: clean, at: Date.now() });
            say(`Paged ${e.handle}.`);
          },
        };
        return render();
      }
      case 'c': {
        const e = target(true);
        if (e) view.close({ kind: 'chat', peer: { sessionId: e.sessionId, handle: e.handle ?? '', node: e.node } });
        return;
      }
      case 'k': {
        if (!sysop) return;
        const e = target(false);
        if (!e) return;
        confirm = {
          prompt: `Disconnect node ${e.node} (${e.handle ?? 'logging in'})? y/n`,
          yes: () => {
            s.bus.publish('session.disconnect', { sessionId: e.sessionId, reason: '', by: me });
            s.log.info('sysop.disconnect', { node: e.node, sessionId: e.sessionId });
            status = `Disconnected node ${e.node}.`;
          },
        };
        return render();
      }
      case 'm': {
        if (!sysop) return;
        const e = order[index];
        if (!e) return;
        input = {
          prompt: `Message to node ${e.node}: `,
          text: '',
          submit: (text) => {
            const clean = cleanUserText(text, PAGE_MAX_LENGTH);
            if (clean === '') return say('Message cancelled.');
            s.bus.publish('session.message', { sessionId: e.sessionId, from: me, text: clean });
            say(`Sent to node ${e.node}.`);
          },
        };
        return render();
      }
      case 't': {
        if (!sysop) return;
        const e = order[index];
        if (!e) return;
        detailFacts = terminalFacts(e, Date.now());
        detailSession = e.sessionId;
        detailTop = 0;
        details.show();
        return render();
      }
      default:
        return;
    }
  });

  function answer(): void {
    const invitation = s.social.takeInvitation();
    if (invitation) view.close({ kind: 'answer', invitation });
    else say('No chat request is waiting.');
  }

  try {
    for (const e of await s.until(s.who())) if (!entries.has(e.sessionId) && !gone.has(e.sessionId)) entries.set(e.sessionId, e);
    selected = s.id;
    // The first draw: keys typed while the list was opening (`w` then `p`) act on it now.
    render();
    return await view.result;
  } finally {
    clearTimeout(renderTimer);
    clearInterval(idleTimer);
    unNotice();
    for (const off of subscriptions) off();
    if (!view.closed) view.close();
  }
}

/** What a sysop sees about a node: the terminal it negotiated and where it comes from. */
export function terminalDetails(e: PresenceEntry, now: number): string {
  return terminalFacts(e, now).map(([k, v]) => ` ${k.padEnd(10)} ${v}`).join('\n');
}

/** The terminal details as rows of a box `width` columns wide: a fact a row, or the name above the value where that is too narrow. */
function terminalDetailRows(facts: ReadonlyArray<readonly [string, string]>, width: number): string[] {
  if (width >= DETAILS_STACK_BELOW) return facts.flatMap(([k, v]) => cutToRows(` ${k.padEnd(10)} ${v}`, width, DETAILS_INDENT));
  return facts.flatMap(([k, v]) => [...cutToRows(k, width, 0), ...cutToRows(` ${v}`, width, 1)]);
}

function terminalFacts(e: PresenceEntry, now: number): Array<[string, string]> {
  const lines: Array<[string, string]> = [
    ['Node', String(e.node)],
    ['Handle', e.handle === null ? '(logging in)' : cleanUserText(e.handle, 32)],
    ['Protocol', e.protocol],
    ['Terminal', cleanUserText(e.terminal.type, 40)],
    ['Size', `${e.terminal.cols}x${e.terminal.rows}`],
    ['Encoding', e.terminal.encoding],
    ['Address', cleanUserText(e.remoteAddress, 64)],
    ['Connected', new Date(e.connectedAt).toISOString().replace('T', ' ').slice(0, 19)],
    ['Idle', idleText(now - e.lastInputAt)],
    ['Activity', e.room ? `chat #${e.room}` : cleanUserText(e.activity, 60)],
    ['Process', cleanUserText(e.processId, 60)],
  ];
  if (e.dnd) lines.push(['Status', 'do not disturb']);
  return lines;
}

