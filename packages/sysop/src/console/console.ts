import type { Widgets } from 'blessed';
import { displayWidth, fitWidth } from '@carrier/terminal';
import { ControlRequestError, type ControlClient } from '../client.js';
import { VERBS, checkArgs, ownAccountRefusal, type AccountChange, type BanInfo, type LogLine, type NodeInfo, type UserDetail, type UserInfo } from '../verbs.js';
import { noteRow, SpyScreen, spyLabel, spyLayout, type SpyLabelParts } from './spy-screen.js';

type Blessed = typeof import('blessed');

export interface ConsoleOptions {
  blessed: Blessed;
  screen: Widgets.Screen;
  client: ControlClient;
  title?: string;
  /** the fewest milliseconds between two redraws (resizes and bursts coalesce into one) */
  minFrameMs?: number;
  /** how often the node list is asked for */
  pollMs?: number;
  /**
   * The console's own caller's notices (the idle warning, a broadcast, a page) when it is
   * drawn on a caller's screen: subscribe `show`, return the unsubscribe. Each shows on
   * the footer until the next key.
   */
  notices?: (show: (text: string) => void) => () => void;
  /**
   * The account the console runs as, when it is drawn on a caller's screen (main menu
   * `!`). The user editor names it (`by`) in its changes, and the board refuses to
   * delete, lock or lower that account (server user-admin.ts, the one guard for every seat).
   */
  self?: string;
}

/** Control characters and escapes never reach the sysop's terminal from a caller's text. */
const UNSAFE = /[\x00-\x1f\x7f-\x9f]/g;
const safe = (s: string | null | undefined, max = 60): string => (s ?? '').replace(UNSAFE, '?').slice(0, max);

/** How long a status's words stay on the footer before the key help comes back. */
const STATUS_MS = 4000;

/** The footer's key help, longest first: the console shows the first that fits its width. */
const FOOTER_HELPS = [
  ' S spy  C chat  K kick  M message  B ban  L log filter  U users  R reload  Q quit',
  ' S spy  C chat  K kick  M message  B ban  L log  U users  R reload  Q quit',
  ' S spy C chat K kick M msg B ban L log U users R reload Q quit',
  ' S C K M B L U R Q',
] as const;

/** The user editor's key help, longest first. */
const USERS_HELPS = [
  ' / search  Enter show  V level  F flags  N notes  L location  X lock  P password  D delete  Esc back',
  ' / find  V level  F flags  N notes  L from  X lock  P pass  D delete  Esc back',
  ' / find V level F flags N notes L from X lock P pass D del Esc back',
  ' / V F N L X P D Esc',
] as const;

/** The footer's key help for a screen `cols` wide (never in the last column); `users` for the user editor. */
export function footerHelp(cols: number, users = false): string {
  const helps = users ? USERS_HELPS : FOOTER_HELPS;
  return helps.find((h) => h.length <= cols - 1) ?? fitWidth(helps[helps.length - 1]!, Math.max(0, cols - 1));
}

/**
 * One log line as one row of the log panel, `cols` wide: a JSON line becomes its time,
 * level and event, then its other fields as key=value; anything else is shown as it is.
 * A row never wraps, so the panel always ends with the newest lines.
 */
export function logRow(line: string, cols: number): string {
  let text = line;
  try {
    const o = JSON.parse(line) as unknown;
    if (o && typeof o === 'object' && !Array.isArray(o)) {
      const { t, level, event, component: _c, ...rest } = o as Record<string, unknown>;
      const time = typeof t === 'string' ? t.slice(11, 19) : '';
      const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
      text = [time, String(level ?? ''), String(event ?? ''), ...fields].filter((x) => x !== '').join(' ');
    }
  } catch {
    /* not JSON: shown as it is */
  }
  return fitWidth(safe(text, 1000), Math.max(0, cols));
}

function ago(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}`;
}

/** A ban in the bans panel: the time it ends, with the day when that is not today. */
export function banRow(b: BanInfo, cols: number, now: number): string {
  let ends = 'permanent';
  if (b.expiresAt !== null) {
    const at = new Date(b.expiresAt);
    const day = new Date(now).toDateString() === at.toDateString() ? '' : `${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')} `;
    ends = `until ${day}${at.toTimeString().slice(0, 5)}`;
  }
  return fitWidth(`${safe(b.target, 45)} ${ends} ${safe(b.reason, 60)}`, cols);
}

/**
 * The nodes panel's rows and its column header, which is the panel's label: blessed draws a
 * label one column further in than the rows (after the border's corner and one line), so a
 * row starts with a space to put its columns under the header's.
 */
export function nodeRow(n: NodeInfo): string {
  return ` ${String(n.node).padEnd(5)}${safe(n.handle ?? '(logging in)', 16).padEnd(17)}${safe(n.protocol, 9).padEnd(10)}${ago(n.idle).padEnd(6)}${safe(n.from, 20).padEnd(21)}${safe(n.activity, 40)}`;
}
export const NODE_HEADER = `${'node'.padEnd(5)}${'handle'.padEnd(17)}${'proto'.padEnd(10)}${'idle'.padEnd(6)}${'from'.padEnd(21)}activity`;

/** Numbers the asks for one list: an answer to an ask older than one already shown is stale. */
class NewestAnswer {
  private asked = 0;
  private shown = 0;
  ask(): number {
    return ++this.asked;
  }
  /** true (and the newest shown from now on) unless an answer to a later ask is shown already */
  shows(ask: number): boolean {
    if (ask < this.shown) return false;
    this.shown = ask;
    return true;
  }
  /** no ask has been made since this one */
  latest(ask: number): boolean {
    return ask === this.asked;
  }
}

/** Redraws at most once per `minMs`: a burst of updates or resizes costs one render. */
class Redraw {
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  renders = 0;
  constructor(
    private readonly screen: Widgets.Screen,
    private readonly minMs: number,
  ) {}
  request(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.last + this.minMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.last = Date.now();
      this.renders++;
      this.screen.render();
    }, wait);
  }
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * The sysop's console: the nodes live, today's counts, bans and the log tail, with spy,
 * break-in chat, kick, message and ban on the selected node, and the user editor. It
 * speaks only the control channel (`client`), so the same code runs in the sysop's own
 * terminal (`carrier sysop`) and on a caller's screen (main menu `!`).
 * Resolves when the sysop quits (q) or the channel closes.
 */
export function runConsole(opts: ConsoleOptions): Promise<void> {
  const { blessed, screen, client } = opts;
  const redraw = new Redraw(screen, opts.minFrameMs ?? 100);
  const timers: NodeJS.Timeout[] = [];
  let nodes: NodeInfo[] = [];
  let logFilter: number | undefined;
  let logStream = 0;
  let mode: 'main' | 'spy' | 'chat' | 'users' | 'ask' = 'main';
  let finished = false;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));

  const header = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: 1, tags: false, style: { fg: 'white', bg: 'blue' } });
  const nodeList = blessed.list({
    parent: screen,
    label: NODE_HEADER,
    top: 1,
    left: 0,
    width: '70%',
    height: '50%-1',
    border: { type: 'line' },
    keys: true,
    tags: false,
    style: { selected: { inverse: true }, border: { fg: 'cyan' } },
    items: [],
  });
  // Panels cut their rows to their width (their own fitting, wrap off): a wrapped row
  // would push the newest log lines out of the panel.
  const bansBox = blessed.box({ parent: screen, label: ' bans ', top: 1, left: '70%', width: '30%', height: '50%-1', border: { type: 'line' }, tags: false, wrap: false, style: { border: { fg: 'cyan' } } });
  const logBox = blessed.box({ parent: screen, label: ' log: warnings ', top: '50%', left: 0, width: '100%', height: '50%-1', border: { type: 'line' }, tags: false, wrap: false, style: { border: { fg: 'cyan' } } });
  /** columns inside a bordered panel */
  const inner = (box: Widgets.BoxElement): number => Math.max(1, (typeof box.width === 'number' ? box.width : 40) - 2);
  const footer = blessed.box({
    parent: screen,
    bottom: 0,
    left: 0,
    width: '100%',
    height: 1,
    tags: false,
    style: { fg: 'black', bg: 'cyan' },
    content: footerHelp(screen.cols),
  });
  const logLines: string[] = [];
  let footerShowsHelp = true;
  /** puts the key help back after a status's words: one at a time, newer words replace it */
  let helpBack: NodeJS.Timeout | undefined;
  const showHelp = (): void => {
    clearTimeout(helpBack);
    footerShowsHelp = true;
    footer.setContent(footerHelp(screen.cols, mode === 'users'));
    redraw.request();
  };
  const status = (text: string): void => {
    footerShowsHelp = false;
    footer.setContent(fitWidth(` ${safe(text, 200)}`, Math.max(0, screen.cols - 1)));
    redraw.request();
    // Each status's words stay their full time: an earlier one's timer took the words after
    // it off early (a second after them when they came three seconds later).
    clearTimeout(helpBack);
    helpBack = setTimeout(showHelp, STATUS_MS);
  };
  let unNotice = (): void => undefined;
  if (opts.notices) {
    unNotice = opts.notices((text) => {
      footerShowsHelp = false;
      footer.setContent(fitWidth(` ${safe(text, 200)}`, Math.max(0, screen.cols - 1)));
      redraw.request();
      screen.once('keypress', showHelp);
    });
  }
  const fail = (err: unknown): void => status(err instanceof ControlRequestError ? err.message : String((err as Error)?.message ?? err));

  let today = '';
  const drawHeader = (): void => {
    const clock = new Date().toTimeString().slice(0, 8);
    header.setContent(` ${safe(opts.title ?? 'carrier', 30)} sysop console  ${clock}  ${nodes.length} on  ${today}`);
  };
  const selected = (): NodeInfo | undefined => nodes[(nodeList as unknown as { selected: number }).selected];

  // The polls' answers that come after the ones a kick or a ban asked for listed the kicked
  // caller again, or the ban list without the ban.
  const whoAsks = new NewestAnswer();
  const slowAsks = new NewestAnswer();
  const refreshNodes = async (): Promise<void> => {
    const ask = whoAsks.ask();
    const fresh = (await client.request('who')) as NodeInfo[];
    if (!whoAsks.shows(ask)) return;
    // The row selected when the answer comes, not when it was asked for: a Down pressed
    // meanwhile was put back by the answer, and the S after it spied on the node above.
    const keep = selected()?.node;
    nodes = fresh;
    nodeList.setLabel(NODE_HEADER.slice(0, 200));
    nodeList.setItems(nodes.map(nodeRow) as unknown as Widgets.BlessedElement[]);
    const i = nodes.findIndex((n) => n.node === keep);
    if (i >= 0) nodeList.select(i);
    drawHeader();
    redraw.request();
  };
  const refreshSlow = async (): Promise<void> => {
    const ask = slowAsks.ask();
    const stats = (await client.request('stats')) as { today: { name: string; count: number }[] };
    const freshBans = (await client.request('bans')) as BanInfo[];
    if (!slowAsks.shows(ask)) return;
    today = `today: ${stats.today.map((s) => `${s.name} ${s.count}`).join(' · ')}`;
    bans = freshBans;
    showBans();
    drawHeader();
    redraw.request();
  };
  let bans: BanInfo[] = [];
  const showBans = (): void => {
    const cols = inner(bansBox);
    bansBox.setContent(
      bans.length === 0
        ? 'none'
        : bans
            .slice(0, 50)
            .map((b) => banRow(b, cols, Date.now()))
            .join('\n'),
    );
  };
  const showLog = (): void => {
    const h = typeof logBox.height === 'number' ? logBox.height - 2 : 10;
    const cols = inner(logBox);
    logBox.setContent(logLines.slice(-Math.max(1, h)).map((l) => logRow(l, cols)).join('\n'));
    redraw.request();
  };
  // Only the newest follow's lines are shown: L pressed twice got the first follow's answer
  // after the second's, and a node's lines showed under the whole board's label.
  const follows = new NewestAnswer();
  const followLog = async (): Promise<void> => {
    const follow = follows.ask();
    if (logStream) await client.request('unlog').catch(() => undefined);
    logLines.length = 0;
    // A node's info lines are kept only while someone follows them (the tap costs nothing
    // otherwise): its warnings show from before, the rest from now on.
    logBox.setLabel(logFilter === undefined ? ' log: warnings and errors ' : ` log: node ${logFilter} (warnings kept; the rest from now on) `);
    const r = (await client.stream('log', { follow: true, ...(logFilter !== undefined ? { node: logFilter } : {}) }, (ev) => {
      if (ev['event'] !== 'line' || !follows.latest(follow)) return;
      // Kept whole (the tap cuts a line at 2,000 characters) so logRow can read its fields; cleaned as it is drawn.
      logLines.push(String((ev as unknown as LogLine).line).slice(0, 2000));
      if (logLines.length > 200) logLines.splice(0, logLines.length - 200);
      showLog();
    })) as { lines: LogLine[]; stream: number };
    if (!follows.latest(follow)) return;
    logStream = r.stream;
    logLines.unshift(...r.lines.map((l) => String(l.line).slice(0, 2000)));
    showLog();
  };

  // ---- asking the sysop ----
  const ask = (question: string, initial = '', title = 'answer'): Promise<string | undefined> =>
    new Promise((resolve) => {
      const prev = mode;
      mode = 'ask';
      const p = blessed.prompt({ parent: screen, top: 'center', left: 'center', width: '60%', height: 8, border: { type: 'line' }, label: ` ${title} (Enter, Esc cancels) `, tags: false, keys: true });
      p.input(question, initial, (_err, value) => {
        p.destroy();
        mode = prev;
        redraw.request();
        resolve(value === null || value === undefined ? undefined : String(value));
      });
      redraw.request();
    });
  const confirm = async (question: string): Promise<boolean> => (await ask(`${question} (type yes)`, '', 'confirm'))?.trim().toLowerCase() === 'yes';

  // ---- spy and break-in chat ----
  const spyOn = async (n: NodeInfo, chat: boolean): Promise<void> => {
    mode = chat ? 'chat' : 'spy';
    const term = new SpyScreen(n.terminal.cols, n.terminal.rows, n.terminal.encoding);
    // The board draws the caller's screen again when the spy starts; what it could not
    // (a door's screen) it names, and the label says so.
    let note: string | undefined;
    const labelParts = (): SpyLabelParts => ({
      who: `${chat ? 'chat with' : 'spying on'} node ${n.node} ${safe(n.handle, 16)}`,
      terminal: `${term.cols}x${term.rows} ${n.terminal.encoding}`,
      ...(note !== undefined ? { note } : {}),
      keys: chat ? 'two-way: Enter sends, Esc ends the chat' : 'read-only, Esc closes',
    });
    // Rows are the caller's, cut at the box's edge (never wrapped onto the next row).
    const box = blessed.box({
      parent: screen,
      top: 0,
      left: 0,
      width: '100%',
      height: chat ? '100%-3' : '100%',
      border: { type: 'line' },
      tags: false,
      wrap: false,
      style: { border: { fg: chat ? 'yellow' : 'green' } },
    });
    // Framed when the window has room for the caller's screen and a frame, else bare
    // (spy-screen.ts spyLayout). The label is a widget of its own, on the frame's top line
    // or on the row under a bare view (blessed's removeLabel throws on its next resize).
    const frame = box.border;
    const label = blessed.box({ parent: screen, top: 0, left: 2, width: 10, height: 1, tags: false, wrap: false });
    /** the caller's screen as last painted: where the note can go without hiding any of it */
    let shown: string[] = [];
    /** N hides the note over a bare view (and shows it again) */
    let noteHidden = false;
    const place = (): void => {
      const at = spyLayout({ cols: screen.cols, rows: screen.rows }, { cols: term.cols, rows: term.rows }, chat ? 3 : 0);
      (box as { border?: Widgets.Border }).border = at.frame ? frame : undefined;
      box.height = at.rows;
      // Bare with no row under it (the caller's size exactly): the note alone, for it says why
      // the view may be blank (a door), right-aligned on the lowest row with blank cells there
      // (it hid the caller's bottom-right corner); where no row has them, over the corner,
      // until the sysop hides it with N.
      const corner = !at.frame && !at.infoRow && note !== undefined;
      const text = corner ? fitWidth(` ${note} `, screen.cols) : spyLabel(labelParts(), at.frame ? screen.cols - 4 : screen.cols - 1);
      label.setContent(text);
      label.width = Math.max(1, displayWidth(text));
      label.top = at.frame ? 0 : corner ? Math.min(at.rows - 1, noteRow(shown.slice(0, at.rows), term.cols, displayWidth(text)) ?? at.rows - 1) : at.rows;
      label.left = at.frame ? 2 : corner ? Math.max(0, screen.cols - displayWidth(text)) : 0;
      if (at.frame || at.infoRow || (corner && !noteHidden)) label.show();
      else label.hide();
    };
    const onScreenResize = (): void => {
      place();
      redraw.request();
    };
    screen.on('resize', onScreenResize);
    place();
    let input: Widgets.TextboxElement | undefined;
    let painting = false;
    let again = false;
    const paint = async (): Promise<void> => {
      if (painting) {
        again = true;
        return;
      }
      painting = true;
      do {
        again = false;
        const lines = await term.lines();
        shown = lines;
        if (!box.detached) {
          place();
          box.setContent(lines.join('\n'));
        }
        redraw.request();
      } while (again);
      painting = false;
    };
    let stream = 0;
    let closed = false;
    /** the caller's side of the chat is still open (the caller may end it first) */
    let chatOpen = chat;
    const close = async (why?: string): Promise<void> => {
      if (closed) return;
      closed = true;
      screen.off('resize', onScreenResize);
      input?.destroy();
      label.destroy();
      box.destroy();
      term.dispose();
      // The keys go back to the main screen with its mode, not after the board's answers: a key
      // pressed meanwhile may have opened the user editor or a prompt, which keeps them.
      mode = 'main';
      nodeList.focus();
      redraw.request();
      if (stream) await client.request('unspy', { node: n.node }).catch(() => undefined);
      if (chat && chatOpen) await client.request('chat', { node: n.node, action: 'close' }).catch(() => undefined);
      if (why) status(why);
    };
    box.key(['escape'], () => void close());
    box.key(['n', 'S-n'], () => {
      noteHidden = !noteHidden;
      place();
      redraw.request();
    });
    try {
      const r = (await client.stream('spy', { node: n.node }, (ev) => {
        if (ev['event'] === 'data') {
          if (typeof ev['note'] === 'string') note = safe(ev['note'], 40);
          term.feed(ev as unknown as { data: string; encoding: 'cp437' | 'utf8'; cols: number; rows: number });
          void paint();
        } else if (ev['event'] === 'end') {
          stream = 0;
          void close(`node ${n.node}: ${safe(String(ev['reason']), 80)}`);
        }
      })) as { stream: number };
      stream = r.stream;
    } catch (err) {
      await close();
      fail(err);
      return;
    }
    if (!chat) {
      box.focus();
      redraw.request();
      return;
    }
    try {
      // The caller's screen becomes a line chat; what they type shows in the spy view above.
      await client.stream('chat', { node: n.node, action: 'open' }, (ev) => {
        if (ev['event'] !== 'end') return;
        chatOpen = false;
        void close(`node ${n.node}: ${safe(String(ev['reason']), 80)}`);
      });
    } catch (err) {
      await close();
      fail(err);
      return;
    }
    // The view may have closed while the open was on its way (the caller hung up): a say box
    // made now stayed over the main screen and its footer.
    if (closed) return;
    input = blessed.textbox({ parent: screen, bottom: 0, left: 0, width: '100%', height: 3, border: { type: 'line' }, label: ' say (Enter sends, Esc ends) ', inputOnFocus: false, tags: false });
    const readLine = (): void => {
      if (closed || !input) return;
      input.clearValue();
      input.readInput((_err, value) => {
        if (closed) return;
        if (value === null || value === undefined) {
          void close();
          return;
        }
        const text = String(value).replace(UNSAFE, '').slice(0, 500);
        const next = (): void => readLine();
        if (text) void client.request('chat', { node: n.node, action: 'say', text }).then(next, (err: unknown) => (fail(err), next()));
        else next();
      });
      redraw.request();
    };
    readLine();
  };

  // ---- the user editor ----
  const userEditor = async (): Promise<void> => {
    mode = 'users';
    showHelp();
    // Above the footer, not over it: refusals and results show there.
    // Its keys are on the footer, which fits them to the width (a label this long was cut at 80 columns).
    const frame = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: '100%-1', border: { type: 'line' }, label: ' users ', tags: false });
    const list = blessed.list({ parent: frame, top: 0, left: 0, width: '35%', height: '100%-2', keys: true, tags: false, border: { type: 'line' }, style: { selected: { inverse: true } }, items: [] });
    const detail = blessed.box({ parent: frame, top: 0, left: '35%', width: '65%-2', height: '100%-2', border: { type: 'line' }, tags: false, scrollable: true, wrap: false });
    let users: UserInfo[] = [];
    let search = '';
    const current = (): UserInfo | undefined => users[(list as unknown as { selected: number }).selected];
    const load = async (): Promise<void> => {
      users = (await client.request('user.list', { search, limit: 200 })) as UserInfo[];
      list.setItems(users.map((u) => `${safe(u.handle, 20).padEnd(21)}${String(u.level).padStart(3)}${u.locked ? ' L' : ''}`) as unknown as Widgets.BlessedElement[]);
      list.setLabel(search ? ` matching "${safe(search, 20)}" ` : ' all users ');
      redraw.request();
    };
    /** the last details asked for: only its answer is shown (an older one may come after it) */
    let showing = 0;
    const show = async (): Promise<void> => {
      const u = current();
      if (!u) return;
      const asked = ++showing;
      const d = (await client.request('user.show', { handle: u.handle })) as UserDetail;
      if (asked !== showing) return;
      const when = (ms: number | null): string => (ms === null ? 'never' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16));
      detail.setContent(
        [
          `handle      ${safe(d.handle, 32)}`,
          `level       ${d.level}`,
          `locked      ${d.locked ? 'yes' : 'no'}`,
          `flags       ${d.flags || '-'}`,
          `location    ${safe(d.location, 64) || '-'}`,
          `created     ${when(d.createdAt)}`,
          `last login  ${when(d.lastLoginAt)}`,
          `calls       ${d.callCount}`,
          `notes       ${safe(d.notes, 300) || '-'}`,
          '',
          'last calls:',
          ...d.calls.map((c) => `  ${when(c.startedAt)} node ${c.node} ${c.protocol} ${safe(c.from, 40)} ${safe(c.endReason, 30)}`),
          '',
          'posts:',
          ...d.posts.flatMap((p) => [`  ${p.kind}: ${p.count}`, ...p.recent.map((r) => `    ${when(r.at)} ${safe(r.text, 50)}`)]),
        ]
          .map((line) => fitWidth(line, inner(detail)))
          .join('\n'),
      );
      redraw.request();
    };
    const by = opts.self === undefined ? {} : { by: opts.self };
    /**
     * What the board would refuse on the sysop's own account (verbs.ts), said before the
     * "type yes" rather than after it. `self` and the list's handles are both the store's
     * spelling of the handle; should they ever differ, the board still refuses on its own.
     */
    const refusedOnSelf = (u: UserInfo, change: AccountChange): string | undefined =>
      opts.self !== undefined && opts.self === u.handle ? ownAccountRefusal(u.level, change) : undefined;
    /**
     * `fn` changes the account; what it did (`done`) is said once the list and the details
     * show the change, so a key pressed after those words acts on the account as it is now
     * (a V typed at once asked the old level's question).
     */
    const act = async (fn: (u: UserInfo, done: (text: string) => void) => Promise<unknown>): Promise<void> => {
      const u = current();
      if (!u) return;
      let said: string | undefined;
      try {
        await fn(u, (text) => (said = text));
        await load();
        await show();
      } catch (err) {
        if (said !== undefined) status(said);
        fail(err);
        return;
      }
      if (said !== undefined) status(said);
    };
    const close = (): void => {
      frame.destroy();
      mode = 'main';
      showHelp();
      nodeList.focus();
      redraw.request();
    };
    list.on('select item', () => void show().catch(fail));
    list.key(['escape'], close);
    list.key(['/'], () => void ask('search handles:', search).then(async (v) => {
      if (v === undefined) return;
      search = v.slice(0, 32);
      await load();
      // The details follow the selection, which a new list resets to its first row.
      await show();
      // Only if nothing else has the keys by now: a key pressed while the details were on
      // their way may have opened its own prompt (focus taken from it cancels it unanswered),
      // or Esc closed the editor.
      if (mode === 'users') list.focus();
    }).catch(fail));
    list.key(['v', 'S-v'], () => void act(async (u, done) => {
      const { min, max } = VERBS['user.set-level'].level;
      // On their own account the board refuses a lower level (ownAccountRefusal): the
      // question says so, and at the top level, with nothing left to raise to, only the
      // refusal is shown (the console used to ask, then pass on the board's refusal).
      const lowering = u.level > min ? refusedOnSelf(u, { kind: 'level', level: u.level - 1 }) : undefined;
      if (lowering !== undefined && u.level >= max) return status(lowering);
      const range = lowering === undefined ? `${min}-${max}` : `${u.level}-${max}, not lower: yours`;
      const v = (await ask(`level for ${u.handle} (${range}):`, String(u.level)))?.trim();
      if (!v) return;
      // The verb's own check says what a level must be (the console used to drop an
      // answer that was not digits without a word).
      const checked = checkArgs('user.set-level', { handle: u.handle, level: /^\d{1,9}$/.test(v) ? Number(v) : v, ...by });
      if (!checked.ok) return status(checked.why);
      const refused = refusedOnSelf(u, { kind: 'level', level: checked.args.level });
      if (refused !== undefined) return status(refused);
      await client.request('user.set-level', checked.args);
      done(`${u.handle} is now level ${checked.args.level}`);
    }));
    list.key(['f', 'S-f'], () => void act(async (u) => {
      const v = await ask(`flags for ${u.handle} (letters A-Z):`, u.flags);
      if (v !== undefined) await client.request('user.set-flags', { handle: u.handle, flags: v.trim().toUpperCase(), ...by });
    }));
    list.key(['n', 'S-n'], () => void act(async (u) => {
      const v = await ask(`notes on ${u.handle}:`, u.notes);
      if (v !== undefined) await client.request('user.set-notes', { handle: u.handle, notes: v.slice(0, 2000) });
    }));
    list.key(['l', 'S-l'], () => void act(async (u, done) => {
      // Empty clears it (what a caller typed there shows in last callers); the board's sign-up rules apply.
      const v = await ask(`location of ${u.handle} (empty clears it):`, u.location ?? '');
      if (v === undefined) return;
      const d = (await client.request('user.set-location', { handle: u.handle, location: v.slice(0, 200), ...by })) as UserInfo;
      done(d.location === null ? `${u.handle} has no location` : `${u.handle} calls from ${safe(d.location, 40)}`);
    }));
    list.key(['x', 'S-x'], () => void act(async (u, done) => {
      const refused = u.locked ? undefined : refusedOnSelf(u, { kind: 'lock' });
      if (refused !== undefined) return status(refused);
      if (!u.locked && !(await confirm(`lock ${u.handle}? their live calls are hung up and logins refused`))) return;
      await client.request(u.locked ? 'user.unlock' : 'user.lock', u.locked ? { handle: u.handle } : { handle: u.handle, ...by });
      done(`${u.handle} ${u.locked ? 'unlocked' : 'locked'}`);
    }));
    list.key(['p', 'S-p'], () => void act(async (u) => {
      if (!(await confirm(`reset the password of ${u.handle}?`))) return;
      const r = (await client.request('user.reset-password', { handle: u.handle })) as { password: string };
      await ask(`new password for ${u.handle} (tell them; Enter closes):`, r.password);
    }));
    list.key(['d', 'S-d'], () => void act(async (u, done) => {
      const refused = refusedOnSelf(u, { kind: 'delete' });
      if (refused !== undefined) return status(refused);
      if (!(await confirm(`delete ${u.handle}? their posts stay, as "deleted user"`))) return;
      await client.request('user.delete', { handle: u.handle, ...by });
      done(`deleted ${u.handle}`);
    }));
    list.focus();
    await load();
    await show();
  };

  // ---- keys on the main screen ----
  const onMain = (fn: () => Promise<void> | void) => () => {
    if (mode !== 'main' || finished) return;
    Promise.resolve()
      .then(fn)
      .catch(fail);
  };
  const quit = (): void => {
    if (finished) return;
    finished = true;
    unNotice();
    for (const t of timers) clearInterval(t);
    clearTimeout(helpBack);
    redraw.stop();
    for (const w of [header, nodeList, bansBox, logBox, footer]) w.destroy();
    finish();
  };
  screen.key(['q', 'S-q', 'C-c'], onMain(quit));
  screen.key(['s', 'S-s'], onMain(() => (selected() ? spyOn(selected()!, false) : status('no node selected'))));
  screen.key(['c', 'S-c'], onMain(() => (selected() ? spyOn(selected()!, true) : status('no node selected'))));
  screen.key(['k', 'S-k'], onMain(async () => {
    const n = selected();
    if (!n) return status('no node selected');
    if (!(await confirm(`kick node ${n.node} (${safe(n.handle, 16)})?`))) return;
    // Naming the caller asked about: a node number that went to someone else meanwhile is refused.
    await client.request('kick', { node: n.node, ...(n.handle !== null ? { handle: n.handle } : {}) });
    // Said once the list no longer shows the node: a K typed on the words asks about the next one.
    await refreshNodes();
    status(`kicked node ${n.node}`);
  }));
  screen.key(['m', 'S-m'], onMain(async () => {
    const n = selected();
    if (!n) return status('no node selected');
    const text = await ask(`message to node ${n.node} (${safe(n.handle, 16)}):`);
    if (!text) return;
    await client.request('message', { node: n.node, text: text.slice(0, 500), ...(n.handle !== null ? { handle: n.handle } : {}) });
    status(`sent to node ${n.node}`);
  }));
  screen.key(['b', 'S-b'], onMain(async () => {
    const n = selected();
    if (!n) return status('no node selected');
    const span = await ask(`ban ${n.from} (node ${n.node}) for how long? (e.g. 24h; empty: until lifted)`, '24h', 'ban');
    if (span === undefined) return;
    // The verb answers once the ban is in force on the board (BanList.ban); said once the ban
    // list shows it too, so what the sysop sees agrees with the words.
    await client.request('ban', { target: n.from, ...(span.trim() ? { for: span.trim() } : {}), reason: 'banned from the sysop console' });
    await refreshSlow();
    status(`banned ${n.from}`);
  }));
  screen.key(['l', 'S-l'], onMain(async () => {
    logFilter = logFilter === undefined ? selected()?.node : undefined;
    await followLog();
  }));
  screen.key(['u', 'S-u'], onMain(() => userEditor()));
  screen.key(['r', 'S-r'], onMain(async () => {
    const r = (await client.request('reload')) as { problems: string[] };
    status(r.problems.length === 0 ? 'reload: everything checks out' : `reload: ${r.problems.length} problem(s): ${r.problems[0]}`);
  }));
  screen.on('resize', () => {
    showLog();
    showBans();
    if (footerShowsHelp) showHelp();
    redraw.request();
  });

  client.onClose((reason) => {
    if (finished) return;
    status(`control channel closed: ${reason}`);
    quit();
  });

  nodeList.focus();
  drawHeader();
  redraw.request();
  const poll = (): void => void refreshNodes().catch(fail);
  poll();
  void refreshSlow().catch(fail);
  void followLog().catch(fail);
  timers.push(setInterval(poll, opts.pollMs ?? 1000));
  timers.push(setInterval(() => void refreshSlow().catch(fail), 5000));
  // The console is a client like any other: the channel's idle timeout never fires while it is open.
  timers.push(setInterval(() => void client.request('ping').catch(() => undefined), 30_000));
  return done;
}
