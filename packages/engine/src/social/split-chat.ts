import { randomBytes } from 'node:crypto';
import { cleanUserText } from '@carrier/core';
import { charWidth } from '@carrier/terminal';
import type { Unsubscribe } from '../bus.js';
import { wrapLine } from '../pager.js';
import { firstFitting } from '../prompt-fit.js';
import { clipToWidth } from '../text-fit.js';
import type { Session } from '../session-api.js';
import { describeNotice } from './notice.js';
import type { Invitation } from './session-social.js';

/**
 * The classic split-screen chat between two callers: your half on top, theirs below, a
 * bar between them. Opened by the caller who asks (waiting until the other answers) and
 * by the one who answers a request. Everything between the two goes over the bus
 * (private.* topics) addressed by session id, so the two may be on different processes.
 */

export interface ChatPeer {
  sessionId: string;
  handle: string;
  node: number;
}

type Phase = 'waiting' | 'open' | 'over';

/** Lines kept in each half; older ones scroll away for good. */
const PANE_LINES = 200;

/** Said in the bar when a request is over the asker's flood limit (the one pages and chat lines share). */
export const TOO_MANY_REQUESTS = 'Too many chat requests at once: that one was not sent.';

/**
 * Ask `peer` for a split-screen chat and wait in it for the answer (ESC gives up). A
 * request counts against the asker's flood control, as a page does: over it, nothing
 * reaches the peer and the bar says so.
 */
export async function requestPrivateChat(s: Session, peer: ChatPeer): Promise<void> {
  const chatId = `c-${randomBytes(8).toString('hex')}`;
  if (!s.social.board.allowLine(s.user?.handle ?? '')) {
    await runSplitChat(s, chatId, peer, 'over', () => undefined, TOO_MANY_REQUESTS);
    return;
  }
  await runSplitChat(s, chatId, peer, 'waiting', () =>
    s.bus.publish('private.request', {
      chatId,
      toSessionId: peer.sessionId,
      fromSessionId: s.id,
      fromHandle: s.user?.handle ?? '',
      fromNode: s.node,
      at: Date.now(),
    }),
  );
}

/** Answer a waiting request: tell the asker, then chat. */
export async function answerInvitation(s: Session, inv: Invitation): Promise<void> {
  const peer = { sessionId: inv.fromSessionId, handle: inv.fromHandle, node: inv.fromNode };
  await runSplitChat(s, inv.chatId, peer, 'open', () =>
    s.bus.publish('private.answer', {
      chatId: inv.chatId,
      toSessionId: inv.fromSessionId,
      fromSessionId: s.id,
      fromHandle: s.user?.handle ?? '',
      fromNode: s.node,
      accepted: true,
    }),
  );
}

async function runSplitChat(s: Session, chatId: string, peer: ChatPeer, start: Phase, begin: () => void, why = ''): Promise<void> {
  const me = s.user?.handle ?? `node ${s.node}`;
  const peerName = cleanUserText(peer.handle, 40) || `node ${peer.node}`;
  const { maxLineLength } = s.social.board.settings;
  const previousActivity = s.activity;
  s.setActivity(`private chat`);

  const view = s.view<void>({ title: `chat with ${peerName}` });
  const { blessed, screen } = view;
  const mine: string[] = [];
  const theirs: string[] = [];
  let typed = '';
  let phase: Phase = start;
  let status = start === 'over' ? `${why} Press ESC.` : '';
  /** the other side already knows it is over (it left, hung up or said no), or never heard of it */
  let peerDone = start === 'over';

  // Your half in white, theirs in cyan; an explicit colour also makes blessed print
  // spaces rather than skip them, so a caller's script reading the stream sees words.
  const top = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: '50%-1', tags: false, wrap: true, style: { fg: 'white' } });
  const bar = blessed.box({ parent: screen, top: '50%-1', left: 0, width: '100%', height: 1, tags: false, style: { inverse: true } });
  const bottom = blessed.box({ parent: screen, top: '50%', left: 0, width: '100%', height: '50%', tags: false, wrap: true, style: { fg: 'cyan' } });

  /**
   * The newest lines that fit a pane, with the input line last in your own: wrapped by words
   * to the pane's width now, newest rows kept. (Counting lines rather than rows let long
   * lines push the newest ones and the input line off the bottom; after a resize the rows
   * were those of the old size.)
   */
  const fill = (box: typeof top, lines: readonly string[], input?: string): void => {
    const rows = Math.max(1, (box.height as number) || 1);
    const width = Math.max(1, ((box.width as number) || 1) - 1);
    const all = input === undefined ? lines : [...lines, input];
    const shown: string[] = [];
    for (let i = all.length - 1; i >= 0 && shown.length < rows; i--) shown.unshift(...wrapLine(all[i]!, width));
    box.setContent(shown.slice(-rows).join('\n'));
  };
  const render = (): void => {
    if (view.closed) return;
    fill(top, mine, `> ${typed}_`);
    fill(bottom, theirs);
    const state =
      phase === 'waiting' ? `waiting for ${peerName} to answer` : phase === 'open' ? `chatting with ${peerName} (node ${peer.node})` : status;
    const short = phase === 'waiting' ? `waiting for ${peerName}` : phase === 'open' ? `with ${peerName}` : status;
    // The first that fits: on a narrow screen 'ESC ends' was cut off ('omar | waiting for nad' at 24 columns).
    const cols = Math.max(2, (screen.width as number) || s.terminal.cols);
    const bars = [` ${me} | ${state} | ESC ends `, ` ${state} | ESC ends `, ` ${short} | ESC ends `, ` ${short} | ESC`, ` ${peerName} | ESC`];
    bar.setContent(clipToWidth(firstFitting(bars, cols) ?? bars[bars.length - 1]!, cols - 1));
    screen.render();
  };
  const push = (pane: string[], line: string): void => {
    pane.push(line);
    if (pane.length > PANE_LINES) pane.splice(0, pane.length - PANE_LINES);
  };
  const over = (why: string): void => {
    if (phase === 'over') return;
    phase = 'over';
    status = `${why} Press ESC.`;
    render();
  };

  const subscriptions: Unsubscribe[] = [
    s.subscribe('private.line', (l) => {
      if (l.chatId !== chatId || l.toSessionId !== s.id || phase !== 'open') return;
      const text = cleanUserText(l.text, maxLineLength);
      if (text) push(theirs, text);
      render();
    }),
    s.subscribe('private.answer', (a) => {
      if (a.chatId !== chatId || a.toSessionId !== s.id || phase !== 'waiting') return;
      if (a.accepted) {
        phase = 'open';
        push(theirs, `(${peerName} answered)`);
        render();
      } else {
        peerDone = true;
        over(`${peerName} is not taking chats (${cleanUserText(a.reason ?? 'declined', 40)}).`);
      }
    }),
    s.subscribe('private.end', (e) => {
      if (e.chatId !== chatId || e.toSessionId !== s.id) return;
      peerDone = true;
      over(`${peerName} left the chat.`);
    }),
    s.subscribe('presence.leave', (l) => {
      if (l.sessionId !== peer.sessionId) return;
      peerDone = true;
      over(`${peerName} hung up.`);
    }),
  ];
  const unNotice = s.social.onNotice((n) => {
    const { head, body } = describeNotice(n);
    push(mine, `*** ${head}: ${body}`);
    render();
  });
  const noAnswer = setTimeout(() => {
    if (phase === 'waiting') over(`No answer from ${peerName}.`);
  }, s.social.invitationTtlMs);

  const send = (): void => {
    const text = cleanUserText(typed, maxLineLength);
    typed = '';
    if (!text || phase !== 'open') return render();
    if (!s.social.board.allowLine(me)) {
      push(mine, '(too fast: that line was dropped)');
      return render();
    }
    push(mine, text);
    s.bus.publish('private.line', { chatId, toSessionId: peer.sessionId, fromSessionId: s.id, text, at: Date.now() });
    render();
  };

  // The panes are filled for a size: a resize (coalesced by the view) fills them again.
  screen.on('resize', () => render());
  screen.on('keypress', (ch: string | undefined, key: { name?: string; ctrl?: boolean; meta?: boolean } | undefined) => {
    const name = key?.name;
    if (name === 'escape') return view.close();
    if (name === 'return' || name === 'enter') return send();
    if (name === 'backspace') {
      typed = [...typed].slice(0, -1).join('');
      return render();
    }
    if (ch === undefined || key?.ctrl || key?.meta || [...ch].length !== 1 || charWidth(ch) === 0) return;
    if ([...typed].length >= maxLineLength) return;
    typed += ch;
    render();
  });

  let reason = 'left';
  try {
    begin();
    render();
    await view.result;
  } catch (err) {
    reason = 'hung up';
    throw err;
  } finally {
    clearTimeout(noAnswer);
    unNotice();
    for (const off of subscriptions) off();
    // The other side hears it even when this caller hung up: the bus outlives the session.
    if (!peerDone) s.bus.publish('private.end', { chatId, toSessionId: peer.sessionId, fromSessionId: s.id, reason });
    if (!s.closed) s.setActivity(previousActivity);
  }
}
