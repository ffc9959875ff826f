// The console's user editor against replies that come late: a blessed screen over
// in-memory streams and a control client whose `user.show` reply the test holds back,
// so an order of events that a loaded board gives now and then is given every time.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import type { Widgets } from 'blessed';
import { eventually } from '@carrier/core/testing';
import type { ControlClient } from '../client.js';
import type { BanInfo, NodeInfo, UserDetail, UserInfo } from '../verbs.js';
import { runConsole } from './console.js';

const blessed = createRequire(import.meta.url)('blessed') as typeof import('blessed');

const user = (handle: string, level: number): UserInfo =>
  ({ handle, level, locked: false, flags: '', location: null, notes: '', createdAt: 0, lastLoginAt: null, callCount: 0 }) as unknown as UserInfo;

const caller: NodeInfo = {
  node: 1, handle: 'vera', protocol: 'telnet', activity: 'main menu', idle: 0, online: 5, from: '127.0.0.2',
  terminal: { type: 'xterm', cols: 80, rows: 25, encoding: 'utf8' }, processId: 'p1',
};

/**
 * A control client that answers from memory; `user.show` waits while `hold` is set, `unspy`
 * while `holdUnspy` is, any verb while `held` has it.
 */
class HeldClient {
  readonly users = [user('Lestrade', 90), user('vera', 20)];
  readonly sent: { verb: string; args: Record<string, unknown> }[] = [];
  hold: Promise<void> | undefined;
  holdUnspy: Promise<void> | undefined;
  readonly held = new Map<string, Promise<void>>();
  callers = [caller];
  bans: BanInfo[] = [];
  /** `user.show` answers given */
  shows = 0;
  /** `who` and `bans` answer with the list as it was when asked (as a board reads it before it answers), not when let go */
  asAsked = false;
  async request(verb: string, args: Record<string, unknown> = {}): Promise<unknown> {
    this.sent.push({ verb, args });
    const whenAsked = { callers: [...this.callers], bans: [...this.bans] };
    await this.held.get(verb);
    switch (verb) {
      case 'who':
        return this.asAsked ? whenAsked.callers : this.callers;
      case 'kick':
        this.callers = this.callers.filter((c) => c.node !== args['node']);
        return {};
      case 'unspy':
        await this.holdUnspy;
        return {};
      case 'ban':
        this.bans.push({ target: String(args['target']), source: 'sysop', reason: String(args['reason']), expiresAt: Date.now() + 86_400_000 });
        return {};
      case 'bans':
        return this.asAsked ? whenAsked.bans : this.bans;
      case 'stats':
        return { today: [] };
      case 'user.list': {
        const q = String(args['search'] ?? '').toLowerCase();
        return this.users.filter((u) => u.handle.toLowerCase().includes(q));
      }
      case 'user.show': {
        await this.hold;
        this.shows++;
        const u = this.users.find((x) => x.handle === args['handle'])!;
        return { ...u, calls: [], posts: [] } satisfies UserDetail;
      }
      case 'user.set-level': {
        const u = this.users.find((x) => x.handle === args['handle'])!;
        (u as { level: number }).level = Number(args['level']);
        return u;
      }
      case 'user.set-flags': {
        const u = this.users.find((x) => x.handle === args['handle'])!;
        (u as { flags: string }).flags = String(args['flags']);
        return u;
      }
      default:
        return {};
    }
  }
  /** each stream's handler by its verb (the newest), for a test to send it events */
  readonly streams = new Map<string, (ev: Record<string, unknown>) => void>();
  async stream(verb: string, args: Record<string, unknown>, onEvent: (ev: Record<string, unknown>) => void): Promise<unknown> {
    this.sent.push({ verb, args });
    this.streams.set(verb, onEvent);
    await this.held.get(verb);
    // A log follow's tail: one line, saying which follow it answers.
    const tail = verb === 'log' ? [{ level: 'warn', event: 'test.line', line: args['node'] === undefined ? 'a line of the whole board' : `a line of node ${String(args['node'])} alone` }] : [];
    return { lines: tail, stream: 1 };
  }
  onClose(): void {}
}

/** A 100x30 blessed screen over in-memory streams: keys are written to `input`. */
function memoryScreen(): { input: PassThrough; screen: Widgets.Screen } {
  const input = new PassThrough();
  const output = Object.assign(new PassThrough(), { columns: 100, rows: 30, isTTY: true });
  output.resume();
  const screen = blessed.screen({
    input: input as unknown as Widgets.IScreenOptions['input'],
    output: output as unknown as Widgets.IScreenOptions['output'],
    terminal: 'xterm',
    warnings: false,
  });
  return { input, screen };
}

/** The screen's rows as last rendered. */
const rowsOf = (screen: Widgets.Screen): string[] =>
  (screen as unknown as { lines: [string, string][][] }).lines.map((row) => row.map((cell) => cell[1]).join(''));

describe('the console user editor with slow replies', () => {
  const { input, screen } = memoryScreen();
  const client = new HeldClient();
  const ended = runConsole({ blessed, screen, client: client as unknown as ControlClient, minFrameMs: 0, pollMs: 60_000 });
  after(async () => {
    await keys('\x1b');
    await keys('q');
    await ended;
    screen.destroy();
  });
  const shown = (): string => rowsOf(screen).join('\n');
  // As from a terminal: after the screen has settled (a prompt reads keys from the next turn on).
  const keys = (s: string): Promise<void> =>
    new Promise((resolve) => setTimeout(() => resolve(void input.write(s)), 10));
  /**
   * Types `typed` with the board's answers to `verb` held back; resolves, the screen drawn,
   * once one is asked for, with what lets them go.
   */
  const typeWithHeld = async (verb: string, typed: string): Promise<() => void> => {
    let release!: () => void;
    client.held.set(verb, new Promise((resolve) => (release = resolve)));
    const asked = client.sent.filter((s) => s.verb === verb).length;
    await keys(typed);
    await eventually(() => client.sent.filter((s) => s.verb === verb).length > asked, `${verb} asked again`);
    screen.render();
    return () => {
      client.held.delete(verb);
      release();
    };
  };

  it('a key pressed before the search has shown its details keeps its own prompt', async () => {
    await keys('u');
    await eventually(() => /all users/.test(shown()) && /handle +Lestrade/.test(shown()), 'the user editor with its details');
    await keys('/');
    await eventually(() => /search handles:/.test(shown()), 'the search prompt');
    // The search's details are held back: the list shows its matches first.
    let release!: () => void;
    client.hold = new Promise((resolve) => (release = resolve));
    await keys('Lestrade\r');
    await eventually(() => /matching "Lestrade"/.test(shown()), 'the matches');
    await keys('f');
    await eventually(() => /flags for Lestrade/.test(shown()), 'the flags prompt');
    // The search's details arrive while the flags prompt is open: the prompt keeps the keys
    // (the search's end took the focus back to the list, which closed the prompt unanswered).
    release();
    client.hold = undefined;
    await keys('z\r');
    await eventually(() => client.sent.some((s) => s.verb === 'user.set-flags'), 'the flags set');
    assert.deepEqual(client.sent.find((s) => s.verb === 'user.set-flags')?.args, { handle: 'Lestrade', flags: 'Z' });
  });

  it('a key pressed while a closed spy view still waits for the board keeps what it opened', async () => {
    await keys('\x1b');
    await eventually(() => !/all users/.test(shown()), 'the main screen');
    await keys('s');
    await eventually(() => /spying on node 1 vera/.test(shown()), 'the spy view');
    // Esc closes the view at once; the board's answer to the unspy is held back.
    let release!: () => void;
    client.holdUnspy = new Promise((resolve) => (release = resolve));
    await keys('\x1b');
    await eventually(() => client.sent.some((s) => s.verb === 'unspy'), 'the unspy asked');
    await keys('u');
    await eventually(() => /all users/.test(shown()) && /handle +Lestrade/.test(shown()), 'the user editor with its details');
    // The unspy's answer arrives while the user editor is open: its list keeps the keys (the
    // spy's close took the focus back to the node list, and the editor's keys did nothing).
    release();
    client.holdUnspy = undefined;
    await keys('n');
    await eventually(() => /notes on Lestrade/.test(shown()), 'the notes prompt');
    await keys('\x1b');
    await keys('\x1b');
    await eventually(() => !/all users/.test(shown()), 'the main screen');
  });

  it("what a change did is said once the list shows it, so the next key acts on the account as it is now", async () => {
    await keys('u');
    await eventually(() => /all users/.test(shown()) && /handle +Lestrade/.test(shown()), 'the user editor with its details');
    await keys('v');
    await eventually(() => /level for Lestrade/.test(shown()), 'the level prompt');
    // The list read again after the change is held back.
    const release = await typeWithHeld('user.list', '\x7f\x7f50\r');
    // Fails without: 'Lestrade is now level 50' over the list that still said 90 (a V typed
    // on those words asked about level 90, as the over-ssh console e2e did under load).
    assert.doesNotMatch(shown(), /is now level 50/, shown());
    assert.match(shown(), /Lestrade +90/);
    release();
    await eventually(() => /Lestrade is now level 50/.test(shown()), 'the change said');
    assert.match(shown(), /Lestrade +50/, shown());
    assert.match(shown(), /level +50/, shown());
  });

  it('details asked for a row the selection has left are not shown when they come last', async () => {
    await eventually(() => /handle +Lestrade/.test(shown()), 'the first row\'s details');
    // vera's details (Down) are held back; Lestrade's (Up) come at once.
    let release!: () => void;
    client.hold = new Promise((resolve) => (release = resolve));
    await keys('\x1b[B');
    await eventually(() => client.sent.some((s) => s.verb === 'user.show' && s.args['handle'] === 'vera'), "vera's details asked");
    client.hold = undefined;
    const before = client.shows;
    await keys('\x1b[A');
    await eventually(() => client.shows > before, "Lestrade's details given");
    await eventually(() => /handle +Lestrade/.test(shown()) && /level +50/.test(shown()), "Lestrade's details");
    release();
    await eventually(() => client.shows > before + 1, "vera's details given");
    screen.render();
    // Fails without: vera's details, come last, over the list whose selection is Lestrade.
    assert.match(shown(), /handle +Lestrade/, shown());
    assert.doesNotMatch(shown(), /handle +vera/, shown());
  });

  it('a ban is said once the ban list shows it, so what the sysop sees agrees with the words', async () => {
    await keys('\x1b');
    await eventually(() => !/all users/.test(shown()) && /vera/.test(shown()), 'the main screen with vera on');
    await keys('b');
    await eventually(() => /for how long\?/.test(shown()), 'the ban question');
    // The ban list read again after the ban is held back (24h, the answer offered).
    const release = await typeWithHeld('bans', '\r');
    // Fails without: 'banned 127.0.0.2' over a ban list that did not show the ban.
    assert.doesNotMatch(shown(), /banned 127\.0\.0\.2/, shown());
    release();
    await eventually(() => /banned 127\.0\.0\.2/.test(shown()), 'the ban said');
    assert.match(shown(), /127\.0\.0\.2 until/, shown());
  });

  it('a kick is said once the node list no longer shows the caller', async () => {
    await keys('\x1b');
    await eventually(() => !/all users/.test(shown()) && /vera/.test(shown()), 'the main screen with vera on');
    await keys('k');
    await eventually(() => /kick node 1 \(vera\)\?/.test(shown()), 'the kick confirm');
    // The node list read again after the kick is held back.
    const release = await typeWithHeld('who', 'yes\r');
    // Fails without: 'kicked node 1' over the list that still showed vera (a K typed on the
    // words asked to kick her again).
    assert.doesNotMatch(shown(), /kicked node 1/, shown());
    release();
    await eventually(() => /kicked node 1/.test(shown()), 'the kick said');
    assert.doesNotMatch(shown(), /vera/, shown());
  });
});

describe("the console footer's words", () => {
  it('stay their full time after the words before them: the earlier words\' timer does not take them off', async (t) => {
    // Only setTimeout is the test's: the footer's timers, the redraw's (the test renders itself).
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { input, screen } = memoryScreen();
    const client = new HeldClient();
    client.callers = [];
    const reload = client.request.bind(client);
    client.request = async (verb, args) => (verb === 'reload' ? { problems: [] } : reload(verb, args));
    const ended = runConsole({ blessed, screen, client: client as unknown as ControlClient, minFrameMs: 0, pollMs: 60_000 });
    const footer = async (): Promise<string> => {
      await new Promise((resolve) => setImmediate(resolve));
      screen.render();
      const rows = rowsOf(screen);
      return rows[rows.length - 1] ?? '';
    };
    try {
      input.write('s');
      assert.match(await footer(), /no node selected/);
      t.mock.timers.tick(3000);
      input.write('r');
      assert.match(await footer(), /reload: everything checks out/);
      // Four seconds after the first words: fails without (their timer put the key help back
      // one second after the reload's words came).
      t.mock.timers.tick(1000);
      assert.match(await footer(), /reload: everything checks out/);
      t.mock.timers.tick(3000);
      assert.match(await footer(), / S spy /);
    } finally {
      t.mock.timers.reset();
      input.write('q');
      await ended;
      screen.destroy();
    }
  });
});

/** The console on a memory screen against `client`: keys typed as from a terminal, its rows as rendered now, and its quit. */
function consoleOnMemory(client: HeldClient, pollMs = 60_000): { keys(s: string): Promise<void>; shown(): string; quit(): Promise<void> } {
  const { input, screen } = memoryScreen();
  const ended = runConsole({ blessed, screen, client: client as unknown as ControlClient, minFrameMs: 0, pollMs });
  const keys = (s: string): Promise<void> => new Promise((resolve) => setTimeout(() => resolve(void input.write(s)), 10));
  return {
    keys,
    shown: () => {
      screen.render();
      return rowsOf(screen).join('\n');
    },
    quit: async () => {
      await keys('q');
      await ended;
      screen.destroy();
    },
  };
}

describe('the console node list with a slow who', () => {
  it('a Down pressed while the node list is asked for again keeps its row when the answer comes', async () => {
    const client = new HeldClient();
    client.callers = [caller, { ...caller, node: 2, handle: 'walt', from: '127.0.0.3' }];
    // The list is asked for every 100 ms, as the console's own poll does every second.
    const { keys, shown, quit } = consoleOnMemory(client, 100);
    const whos = (): number => client.sent.filter((s) => s.verb === 'who').length;
    try {
      await eventually(() => /vera[\s\S]*walt/.test(shown()), 'both callers listed');
      // The answers to the list's next asks are held back; Down is pressed meanwhile.
      let release!: () => void;
      client.held.set('who', new Promise((resolve) => (release = resolve)));
      const asked = whos();
      await eventually(() => whos() > asked, 'the node list asked for again');
      await keys('\x1b[B');
      await new Promise((resolve) => setImmediate(resolve));
      client.held.delete('who');
      release();
      const answered = whos();
      await eventually(() => whos() > answered, 'the next ask, after the held answers');
      await keys('s');
      // Fails without: the held answer put the selection back on the row it had when asked (vera).
      const spying = await eventually(() => /spying on node \d+ \w+/.exec(shown())?.[0], 'the spy view');
      assert.equal(spying, 'spying on node 2 walt');
      await keys('\x1b');
      await eventually(() => !/spying on/.test(shown()), 'the spy view closed');
    } finally {
      await quit();
    }
  });
});

describe('the console node list with answers out of order', () => {
  it('an answer to an earlier ask that comes after a later one does not bring a kicked caller back', async () => {
    const client = new HeldClient();
    client.callers = [caller, { ...caller, node: 2, handle: 'walt', from: '127.0.0.3' }];
    client.asAsked = true;
    const { keys, shown, quit } = consoleOnMemory(client, 100);
    const whos = (): number => client.sent.filter((s) => s.verb === 'who').length;
    try {
      await eventually(() => /vera[\s\S]*walt/.test(shown()), 'both callers listed');
      // One ask's answer (vera and walt) is held back; the asks after it are answered.
      let release!: () => void;
      client.held.set('who', new Promise((resolve) => (release = resolve)));
      const asked = whos();
      await eventually(() => whos() > asked, 'the node list asked for again');
      client.held.delete('who');
      await keys('k');
      await eventually(() => /kick node 1 \(vera\)\?/.test(shown()), 'the kick confirm');
      await keys('yes\r');
      await eventually(() => /kicked node 1/.test(shown()), 'the kick said');
      assert.doesNotMatch(shown(), / 1 +vera/);
      // The asks from now on get no answer: the held one is the last to come.
      client.held.set('who', new Promise(() => undefined));
      release();
      await new Promise((resolve) => setImmediate(resolve));
      // Fails without: the held answer, come last, listed vera again (a K on her row asked to kick her again).
      assert.doesNotMatch(shown(), / 1 +vera/, shown());
    } finally {
      await quit();
    }
  });
});

describe('the console ban list with answers out of order', () => {
  it("an answer to an earlier ask that comes after a later one does not take a ban off the list", async () => {
    const client = new HeldClient();
    client.asAsked = true;
    // The first ask's answer is held back.
    let release!: () => void;
    client.held.set('bans', new Promise((resolve) => (release = resolve)));
    const { keys, shown, quit } = consoleOnMemory(client);
    try {
      await eventually(() => client.sent.some((s) => s.verb === 'bans'), 'the ban list asked for');
      client.held.delete('bans');
      await eventually(() => /vera/.test(shown()), 'vera listed');
      await keys('b');
      await eventually(() => /for how long\?/.test(shown()), 'the ban question');
      await keys('\r');
      await eventually(() => /banned 127\.0\.0\.2/.test(shown()), 'the ban said');
      assert.match(shown(), /127\.0\.0\.2 until/);
      // The asks from now on get no answer: the held one (no bans yet) is the last to come.
      client.held.set('bans', new Promise(() => undefined));
      release();
      await new Promise((resolve) => setImmediate(resolve));
      // Fails without: the held answer, come last, showed no bans under 'banned 127.0.0.2'.
      assert.match(shown(), /127\.0\.0\.2 until/, shown());
    } finally {
      await quit();
    }
  });
});

describe('the console break-in chat with a slow open', () => {
  it('a caller who hangs up while the chat is being opened leaves no say box over the main screen', async () => {
    const client = new HeldClient();
    let release!: () => void;
    client.held.set('chat', new Promise((resolve) => (release = resolve)));
    const { keys, shown, quit } = consoleOnMemory(client);
    try {
      await eventually(() => /vera/.test(shown()), 'vera listed');
      await keys('c');
      await eventually(() => client.sent.some((s) => s.verb === 'chat'), 'the chat asked to open');
      // The caller hangs up: the spy's stream ends while the chat's open is still on its way.
      client.streams.get('spy')!({ stream: 1, event: 'end', reason: 'caller hung up' });
      await eventually(() => !/chat with node 1/.test(shown()), 'the spy view closed');
      // The open's answer comes (the chat's close, asked after it, waits for it as the board's would).
      release();
      await new Promise((resolve) => setImmediate(resolve));
      // Fails without: the say box was drawn over the main screen once the open was answered, over the footer's words too.
      assert.doesNotMatch(shown(), /say \(Enter sends/, shown());
      await eventually(() => /node 1: caller hung up/.test(shown()), 'the reason said');
    } finally {
      client.held.delete('chat');
      await quit();
    }
  });
});

describe('the console log panel with a slow follow', () => {
  it("L pressed twice: the first follow's answer, come after the second's, is not shown under the second's label", async () => {
    const client = new HeldClient();
    const { keys, shown, quit } = consoleOnMemory(client);
    const follows = (): number => client.sent.filter((s) => s.verb === 'log').length;
    try {
      await eventually(() => /vera/.test(shown()) && /a line of the whole board/.test(shown()), 'vera listed, the log followed');
      // L follows vera's node; its answer is held back while L is pressed again (the whole board).
      let release!: () => void;
      client.held.set('log', new Promise((resolve) => (release = resolve)));
      await keys('l');
      await eventually(() => follows() === 2, "the node's follow asked");
      client.held.delete('log');
      await keys('l');
      await eventually(() => follows() === 3 && /log: warnings and errors/.test(shown()) && /a line of the whole board/.test(shown()), "the board's follow answered");
      client.held.set('log', new Promise(() => undefined));
      release();
      await new Promise((resolve) => setImmediate(resolve));
      // Fails without: the node's line, come last, under 'log: warnings and errors'.
      assert.doesNotMatch(shown(), /a line of node 1 alone/, shown());
    } finally {
      client.held.delete('log');
      await quit();
    }
  });
});
