// The message base and private mail end to end with real clients: inetutils telnet and
// OpenSSH (each in a tmux pane), plus a raw telnet caller where the test must see the
// exact bytes a caller receives.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@carrier/core';
import { eventually } from '@carrier/core/testing';
import { openStore } from '@carrier/store';
import { startCarrier, type Carrier } from '../harness.js';
import { RawTelnet } from '../raw-telnet.js';
import { TmuxCaller, type ScreenCaller } from './messages-callers.js';

const PW = 'correct-horse-7';
const CTRL_Z = '\x1a';

const AREAS = `
postsPerMinute: 20
conferences:
  - name: Local
    areas:
      - { tag: general, name: General, description: Anything, read: 10, post: 10 }
      - { tag: announcements, name: Announcements, description: News, read: 10, post: sysop }
  - name: Staff
    areas:
      - { tag: secret, name: Staff Room, description: Staff only, read: 50, post: 50 }
`;

describe('message areas and private mail', () => {
  let board: Carrier;
  let tmp: string;
  const callers: ScreenCaller[] = [];
  const inetutils = async (handle: string, until?: RegExp): Promise<TmuxCaller> => {
    const c = await TmuxCaller.telnet(board.ports.telnet!, handle, PW, tmp, until);
    callers.push(c);
    return c;
  };
  const openssh = async (handle: string, until?: RegExp): Promise<TmuxCaller> => {
    const c = await TmuxCaller.ssh(board.ports.ssh!, handle, PW, tmp, until);
    callers.push(c);
    return c;
  };
  /** `handle` over OpenSSH, at the message areas' prompt in General. */
  const inGeneral = async (handle: string): Promise<TmuxCaller> => {
    const c = await openssh(handle);
    c.send('m');
    await c.waitScreen(/Area: General/);
    return c;
  };

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'carrier-msg-e2e-'));
    const areasFile = join(tmp, 'messages.yaml');
    writeFileSync(areasFile, AREAS);
    board = await startCarrier({ ssh: true, logLevel: 'info', yaml: `messages: { file: ${JSON.stringify(areasFile)} }` });
    for (const h of ['alice', 'bob', 'carol', 'dave', 'erin']) await board.addUser(h, PW);
    await board.addUser('Zero Cool', PW, true);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('A posts in general over telnet; B, logging in later over OpenSSH, finds it in a new-scan', async () => {
    const alice = await inetutils('alice');
    alice.send('m');
    await alice.waitScreen(/Area: General/);
    alice.send('p');
    await alice.waitScreen(/To:/);
    alice.send('\r');
    await alice.waitScreen(/Subject:/);
    alice.send('Hello board\r');
    await alice.waitScreen(/Ctrl-Z save/);
    alice.send('First line of the post\rsecond line');
    await alice.waitScreen(/second line/);
    alice.send(CTRL_Z);
    await alice.waitScreen(/Message #\d+ posted in General/);
    alice.hangup();

    const bob = await openssh('bob');
    bob.send('m');
    await bob.waitScreen(/Area: General.*1 new/);
    bob.send('n');
    const screen = await bob.waitScreen(/From: alice[\s\S]*Subject: Hello board[\s\S]*First line of the post\s+second line/);
    assert.match(screen, /New messages: 1 in General|#\d+ in General \(new\)/);
  });

  it('B replies with a quote, and A sees the thread', async () => {
    const bob = callers.find((c) => c.name === 'bob')!;
    bob.send('r');
    await bob.waitScreen(/To: alice/);
    bob.send('\r');
    await bob.waitScreen(/Subject: Re: Hello board/);
    bob.send('\r');
    // The editor opens with the original quoted under the author's initials.
    await bob.waitScreen(/AL> First line of the post\s+AL> second line/);
    bob.send('I agree with you');
    await bob.waitScreen(/I agree with you/);
    bob.send(CTRL_Z);
    await bob.waitScreen(/Message #\d+ posted in General/);
    bob.send(' ');
    bob.send('q');
    bob.hangup();

    // The reply is to alice (To: the author): her login says so, and waits for a key.
    const alice = await inetutils('alice', /1 new message to you/);
    alice.send(' ');
    await alice.waitScreen(/Command:/);
    alice.send('m');
    await alice.waitScreen(/Area: General/);
    alice.send('r');
    await alice.waitScreen(/Subject: Hello board/);
    alice.send('t');
    const tree = await alice.waitScreen(/Thread: Hello board[\s\S]*>#\d+ alice: Hello board\s*\n\s+#\d+ bob: Re: Hello board/);
    assert.doesNotMatch(tree, /Re: Re:/);
    alice.send('\r');
    alice.send('n');
    await alice.waitScreen(/From: bob[\s\S]*Subject: Re: Hello board[\s\S]*I agree with you/);
    alice.send('q');
    alice.hangup();
  });

  it('the last-read pointers survive a re-login', async () => {
    const bob = await openssh('bob');
    bob.send('m');
    await bob.waitScreen(/Area: General.* 0 new/);
    bob.send('n');
    await bob.waitScreen(/No new messages\./);
    bob.hangup();
  });

  it('L lists the area under a header that names its columns in their order', async () => {
    const bob = await inGeneral('bob');
    bob.send('l');
    await bob.waitScreen(/General +- number, from, to, date, subject; \* is new\s+ +\d+ alice +All +\d\d-\d\d \d\d:\d\d Hello board\s+ +\d+ bob +alice +\d\d-\d\d \d\d:\d\d Re: Hello board/);
    bob.send('q\r');
    await bob.waitScreen(/\[Q\]uit: q\s+Area: General/);
    bob.hangup();
  });

  it('a reader key that stays on the message (P at the first, - at a thread\'s start) answers under the prompt, the message not drawn again', async () => {
    const bob = await inGeneral('bob');
    bob.send('r');
    await bob.waitScreen(/From: alice[\s\S]*Subject: Hello board[\s\S]*\[Q\]uit:/);
    bob.send('p');
    await bob.waitScreen(/Subject: Hello board[\s\S]*\[Q\]uit: *\n+This is the first message\.\s*\n\[N\]ext/);
    bob.send('-');
    await bob.waitScreen(/This is the first message\.\s*\n\[N\]ext.*\n+This message starts its thread\.\s*\n\[N\]ext/);
    bob.send('x');
    const screen = await bob.waitScreen(/This message starts its thread\.\s*\n\[N\]ext.*\n+\[N\]ext/);
    assert.equal(screen.match(/Subject: Hello board/g)?.length, 1, screen);
    bob.send('q');
    await bob.waitScreen(/\[Q\]uit:\s+Area: General/);
    bob.hangup();
  });

  it('mail: an online recipient gets a notice at once; at login, You have N new mail', async () => {
    const bob = await openssh('bob');
    const alice = await inetutils('alice');
    alice.send('e');
    await alice.waitScreen(/Mail - 0 unread/);
    alice.send('s');
    await alice.waitScreen(/To:/);
    alice.send('nobody\r');
    await alice.waitScreen(/There is no user called nobody/);
    alice.send('s');
    await alice.waitScreen(/To:(?![\s\S]*There is no user)/);
    alice.send('BOB\r');
    await alice.waitScreen(/Subject:/);
    alice.send('Lunch?\r');
    await alice.waitScreen(/Ctrl-Z save/);
    alice.send('Meet at noon');
    await alice.waitScreen(/Meet at noon/);
    alice.send(CTRL_Z);
    await alice.waitScreen(/Mail sent to bob/);
    await bob.waitScreen(/New mail: from alice: Lunch\?/);
    bob.hangup();

    alice.send('s');
    await alice.waitScreen(/To:/);
    alice.send('bob\r');
    await alice.waitScreen(/Subject:/);
    alice.send('Second thought\r');
    await alice.waitScreen(/Ctrl-Z save/);
    alice.send('Make it one');
    await alice.waitScreen(/Make it one/);
    alice.send(CTRL_Z);
    await alice.waitScreen(/Mail sent to bob[\s\S]*Mail sent to bob|Mail sent to bob[\s\S]*Mail - 0 unread/);
    alice.hangup();

    const again = await openssh('bob', /You have 2 new mail/);
    again.send(' ');
    await again.waitScreen(/Command:/);
    again.send('e');
    await again.waitScreen(/Mail - 2 unread/);
    again.send('r');
    await again.waitScreen(/Inbox[\s\S]*\* +1 .*alice +Second thought[\s\S]*\* +2 .*alice +Lunch\?/);
    again.send('2\r');
    await again.waitScreen(/Subject: Lunch\?[\s\S]*Meet at noon/);
    again.send('d');
    await again.waitScreen(/Deleted\.[\s\S]*\* +1 .*alice +Second thought/);
    again.send('1\r');
    await again.waitScreen(/Subject: Second thought[\s\S]*Make it one/);
    again.send('q');
    await again.waitScreen(/Read which number\? \(Enter goes back\)/);
    again.send('\r');
    await again.waitScreen(/Mail - 0 unread/);
    again.send('q');
    again.hangup();
  });

  it('sent mail marks what the recipient has not read yet', async () => {
    const carol = await inetutils('carol');
    carol.send('e');
    await carol.waitScreen(/Mail - 0 unread/);
    for (const subject of ['First note', 'Second note']) {
      carol.send('s');
      await carol.waitScreen(/To:(?![\s\S]*Subject:)/);
      carol.send('erin\r');
      await carol.waitScreen(/Subject:/);
      carol.send(`${subject}\r`);
      await carol.waitScreen(/Ctrl-Z save/);
      carol.send('Just a note');
      await carol.waitScreen(/Just a note/);
      carol.send(CTRL_Z);
      // The editor cleared the screen: this is the line for this mail.
      await carol.waitScreen(/Mail sent to erin[\s\S]*Mail - 0 unread/);
    }
    const erin = await openssh('erin', /You have 2 new mail/);
    erin.send(' ');
    await erin.waitScreen(/Command:/);
    erin.send('e');
    await erin.waitScreen(/Mail - 2 unread/);
    erin.send('r');
    await erin.waitScreen(/Inbox[\s\S]*\* +2 .*carol +First note/);
    erin.send('2\r');
    await erin.waitScreen(/Subject: First note/);
    erin.send('q');
    await erin.waitScreen(/Read which number\? \(Enter goes back\)/);
    erin.hangup();

    carol.send('o');
    await carol.waitScreen(/Sent mail - \* not read yet\s+\* +1 .*erin +Second note\s+ {2}2 .*erin +First note/);
    carol.hangup();
  });

  it('a caller below an area\'s level cannot see, read or post it, even by typing its name', async () => {
    const bob = await openssh('bob');
    bob.send('m');
    await bob.waitScreen(/Area: General/);
    bob.send('j');
    const list = await bob.waitScreen(/Area \(number or name\):/);
    assert.doesNotMatch(list, /Staff|secret/);
    bob.send('secret\r');
    await bob.waitScreen(/No such area\./);
    bob.send('j');
    await bob.waitScreen(/Area \(number or name\):(?![\s\S]*No such area)|No such area\.[\s\S]*Area \(number or name\):/);
    bob.send('Staff Room\r');
    await eventually(async () => (await bob.screen()).match(/No such area\./g)?.length === 2, async () => `a second 'No such area.'; screen:\n${await bob.screen()}`, { timeoutMs: 15_000, intervalMs: 50 });
    bob.send('p');
    await bob.waitScreen(/To:/);
    bob.send('\r');
    await bob.waitScreen(/Subject:/);
    bob.send('\x15\r');
    bob.hangup();

    const sysop = await openssh('Zero Cool');
    sysop.send('m');
    await sysop.waitScreen(/Area: General/);
    sysop.send('j');
    await sysop.waitScreen(/Staff Room/);
    sysop.send('secret\r');
    await sysop.waitScreen(/Area: Staff Room/);
    sysop.hangup();
    // bob's posts went to general only: nothing was ever stored in the staff area
    const posted = board.logs.filter((l) => l['event'] === 'messages.posted').map((l) => l['area']);
    assert.ok(!posted.includes('secret'));
  });

  it('escape sequences in a subject and a body never reach another caller raw (UTF-8 or CP437)', async () => {
    const evilSubject = '\x1b[2J\x1b[31mEVIL subject';
    const evilBody = 'plain start \x1b]0;pwned-title\x07 middle \x1b[?1049h \x9b31m end\n\x1b[5;5Hline two';
    const posted = await board.cli(['msg', 'post', 'general', '--subject', evilSubject, '--from', 'alice'], evilBody);
    assert.equal(posted.code, 0, posted.stderr);
    assert.match(posted.stdout, /posted #\d+ in general/);

    for (const [handle, terminalType] of [['carol', 'xterm-256color'], ['dave', 'ansi']] as const) {
      const c = await RawTelnet.connect({ port: board.ports.telnet!, terminalType, size: { cols: 80, rows: 25 } });
      const text = (): string => Buffer.from(c.text(), 'latin1').toString(terminalType === 'ansi' ? 'latin1' : 'utf8');
      const wait = (what: string): Promise<string> =>
        eventually(() => text().includes(what) && text(), () => `${what}; got ${JSON.stringify(text().slice(-800))}`, { timeoutMs: 20_000, intervalMs: 50 });
      await wait('login:');
      c.send(`${handle}\r`);
      await wait('password:');
      c.send(`${PW}\r`);
      await wait('Command:');
      c.send('m');
      await wait('Area: ');
      c.send('n');
      // The new-scan shows the older posts first: step on until the last one.
      await eventually(
        () => {
          if (text().includes('line two')) return true;
          if (text().endsWith('uit: ')) c.send('n');
          return false;
        },
        () => `line two; got ${JSON.stringify(text().slice(-800))}`,
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      const got = text();
      assert.ok(got.includes('EVIL subject'), 'the subject shows, cleaned');
      assert.ok(got.includes('plain start'));
      for (const raw of ['\x1b[31mEVIL', '\x1b]0;', 'pwned-title\x07', '\x1b[?1049h', '\x9b31m', '\x1b[5;5Hline']) {
        assert.ok(!got.includes(raw), `${JSON.stringify(raw)} reached the caller (${terminalType})`);
      }
      c.close();
    }
  });

  it('a dumb terminal gets the line-mode editor; search finds the post by a word of its body', async () => {
    const c = await RawTelnet.connect({ port: board.ports.telnet!, terminalType: 'dumb', size: { cols: 80, rows: 25 } });
    const text = (): string => Buffer.from(c.text(), 'latin1').toString('utf8').replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '');
    const wait = (what: string | RegExp, from = 0): Promise<string> =>
      eventually(
        () => {
          const t = text().slice(from);
          return (typeof what === 'string' ? t.includes(what) : what.test(t)) && t;
        },
        () => `${String(what)}; got ${JSON.stringify(text().slice(-800))}`,
        { timeoutMs: 20_000, intervalMs: 50 },
      );
    await wait('login:');
    c.send('dave\r');
    await wait('password:');
    c.send(`${PW}\r`);
    await wait('Command:');
    c.send('m');
    await wait('Area: ');
    c.send('p');
    await wait('To:');
    c.send('\r');
    await wait('Subject:');
    c.send('Line mode post\r');
    await wait('Line mode: /s save, /a abort, /q quote, /l list');
    c.send('Typed on a zanzibar teletype\r');
    c.send('second line\r');
    let mark = text().length;
    c.send('/l\r');
    await wait(/1: Typed on a zanzibar teletype\r\n\s+2: second line/, mark);
    c.send('/s\r');
    await wait(/Message #\d+ posted in General/);
    mark = text().length;
    c.send('s');
    await wait('Search for:', mark);
    c.send('ZANZIBAR\r');
    await wait('his area or', mark);
    c.send('a');
    const found = await wait(/1 found\s+(\d+) general +dave +Line mode post/, mark);
    const id = /1 found\s+(\d+)/.exec(found)![1]!;
    c.send(`${id}\r`);
    await wait(/Subject: Line mode post[\s\S]*Typed on a zanzibar teletype/, mark);
    c.close();
  });

  it('carrier msg post refuses bad usage with exit 2 and names the problem', async () => {
    const noArea = await board.cli(['msg', 'post', 'nowhere', '--subject', 's'], 'body');
    assert.equal(noArea.code, 2);
    assert.match(noArea.stderr, /no message area "nowhere"/);
    const noSubject = await board.cli(['msg', 'post', 'general'], 'body');
    assert.equal(noSubject.code, 2);
    assert.match(noSubject.stderr, /needs --subject/);
    const empty = await board.cli(['msg', 'post', 'general', '--subject', 's'], '  \n');
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /body .* is empty/);
    const announced = await board.cli(['msg', 'post', 'announcements', '--subject', 'Maintenance tonight'], 'Down at 22:00.');
    assert.equal(announced.code, 0, announced.stderr);
  });

  it('a long reply read on a 30-column screen keeps its header in view: the Date row with "reply to" is one row', async () => {
    const store = await openStore({ dataDir: board.dataDir, log: silentLogger });
    let id: number;
    try {
      const carol = await store.users.findByHandle('carol');
      assert.ok(carol);
      const body = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join('\n');
      id = (await store.messages.post({ area: 'announcements', fromUserId: carol.id, fromHandle: carol.handle, subject: 'Long reply', body, parentId: 1 })).id;
    } finally {
      await store.close();
    }
    const erin = await openssh('erin', /You have 1 new mail/);
    erin.resize(30, 12);
    erin.send(' ');
    await erin.waitScreen(/Command:/);
    erin.send('m');
    await erin.waitScreen(/Area: General/);
    erin.send('j');
    await erin.waitScreen(/Area \(number or name\):/);
    erin.send('announcements\r');
    await erin.waitScreen(/Area: Announcements/);
    erin.send('r');
    // (the reader's prompt at 30 columns: its keys on one row)
    await erin.waitScreen(/Maintenance tonight[\s\S]*\[N P R T \+ - Q \?\]:/);
    erin.send('n');
    // The first page fills the screen under the header: the message's first row stays on top.
    const screen = await erin.waitScreen(/-- More/);
    assert.match(screen.split('\n')[0]!, new RegExp(`^#${id} in Announcements`), screen);
    assert.match(screen, /Date: \d{4}-\d\d-\d\d \d\d:\d\d  reply\n-{29}\nline 1\n/);
    erin.send('q');
    erin.hangup();
  });

  it('a caller over the posting limit keeps what they wrote, and saves it once the minute has passed', { timeout: 120_000 }, async () => {
    // dave's last minute already holds the limit (20): one posted for him with the CLI, the
    // rest straight into the board's store (twenty CLI runs took over the minute on a loaded machine).
    const r = await board.cli(['msg', 'post', 'general', '--from', 'dave', '--subject', 'filler 0'], 'filler 0\n');
    assert.equal(r.code, 0, r.stderr);
    const store = await openStore({ dataDir: board.dataDir, log: silentLogger });
    try {
      const daveUser = await store.users.findByHandle('dave');
      assert.ok(daveUser);
      for (let i = 1; i < 20; i++) await store.messages.post({ area: 'general', fromUserId: daveUser.id, fromHandle: daveUser.handle, subject: `filler ${i}`, body: `filler ${i}\n` });
    } finally {
      await store.close();
    }
    const dave = await inetutils('dave');
    dave.send('m');
    await dave.waitScreen(/Area: General/);
    dave.send('p');
    await dave.waitScreen(/To:/);
    dave.send('\r');
    await dave.waitScreen(/Subject:/);
    dave.send('Kept across the limit\r');
    await dave.waitScreen(/Ctrl-Z save/);
    dave.send('a long and careful post');
    await dave.waitScreen(/careful post/);
    dave.send(CTRL_Z);
    await dave.waitScreen(/posting too fast[\s\S]*Your message is kept/);
    // The refusal's own line: logged after the time the board's 10 s retry hold counts from.
    const refused = await board.waitForLog((l) => l['event'] === 'messages.rate_limited');
    dave.send('t');
    await dave.waitScreen(/Give it \d+ more second/);
    // The minute passes: the fillers are made a minute older in the store (waiting it out
    // took a minute of CI); the board still holds a retry for 10 s after the refusal, waited
    // out from the refusal's logged time (a fixed 11 s after the ageing waited longer).
    const aged = await openStore({ dataDir: board.dataDir, log: silentLogger });
    try {
      const daveUser = await aged.users.findByHandle('dave');
      await aged.knex('messages').where('from_user_id', daveUser!.id).decrement('created_at', 60_000);
    } finally {
      await aged.close();
    }
    const holdEnds = Date.parse(String(refused['t'])) + 10_000 + 100;
    await new Promise((r) => setTimeout(r, Math.max(0, holdEnds - Date.now())));
    dave.send('t');
    await dave.waitScreen(/Message #\d+ posted in General/, 20_000);
    dave.hangup();
  });

  it("a sysop's M shows the message again in its new area with what was done under it, above the prompt", async () => {
    const r = await board.cli(['msg', 'post', 'secret', '--from', 'Zero Cool', '--subject', 'Wrong room'], 'posted in the staff room by mistake\n');
    assert.equal(r.code, 0, r.stderr);
    const sysop = await openssh('Zero Cool');
    sysop.send('m');
    await sysop.waitScreen(/Area: General/);
    sysop.send('j');
    await sysop.waitScreen(/Area \(number or name\):/);
    sysop.send('secret\r');
    await sysop.waitScreen(/Area: Staff Room/);
    sysop.send('r');
    await sysop.waitScreen(/in Staff Room[\s\S]*Subject: Wrong room[\s\S]*by mistake\s*\n\[N\]ext/);
    sysop.send('m');
    await sysop.waitScreen(/Move to area:/);
    sysop.send('announcements\r');
    // (the line used to be printed before the message was drawn again, on a screen then cleared)
    const screen = await sysop.waitScreen(/^#\d+ in Announcements[\s\S]*by mistake\s*\nMoved from Staff Room to Announcements\.\s*\n\[N\]ext/m);
    assert.doesNotMatch(screen, /Move to area:/, 'the message is drawn again on a clean screen');
    sysop.send('q');
    await sysop.waitScreen(/Area: Staff Room/);
    sysop.hangup();
  });
});
