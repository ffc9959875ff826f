// Chat rooms end to end over loopback: telnet callers and an ssh caller in the lobby,
// private messages, actions, history for a late joiner, escape injection, flood control,
// moderation, and a hang-up mid-chat.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from './messages-callers.js';
import { enterChat, plain, say, SshCaller, TelnetCaller, within, type Caller } from './social-callers.js';

const PW = 'correct-horse-7';

describe('chat rooms', () => {
  let board: Carrier;
  const callers: Caller[] = [];
  const telnet = async (handle: string) => {
    const c = await TelnetCaller.login(board.ports.telnet!, handle, PW);
    callers.push(c);
    return c;
  };

  before(async () => {
    board = await startCarrier({ ssh: true, logLevel: 'info', yaml: 'chat: { floodRate: 2, floodBurst: 5, historyLines: 50 }' });
    for (const h of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina']) await board.addUser(h, PW);
    await board.addUser('Zero Cool', PW, true);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
  });

  it('three callers in the lobby, over telnet and ssh, each see every line in the order it was said', async () => {
    const alice = await telnet('alice');
    const bob = await telnet('bob');
    const carol = await SshCaller.login(board.ports.ssh!, 'carol', PW);
    callers.push(carol);
    for (const c of [alice, bob, carol]) await enterChat(c);
    await alice.waitScreen(/3 here/);
    const marks = [alice, bob, carol].map((c) => c.raw().length);

    const lines: Array<[Caller, string]> = [
      [alice, 'one from alice'],
      [bob, 'two from bob'],
      [carol, 'three from carol'],
      [alice, 'four from alice'],
    ];
    for (const [who, text] of lines) {
      say(who, text);
      for (const c of [alice, bob, carol]) await c.waitRaw(text);
    }
    [alice, bob, carol].forEach((c, i) => {
      const seen = c.raw().slice(marks[i]);
      const at = lines.map(([, text]) => seen.indexOf(text));
      assert.ok(at.every((p) => p >= 0), `${c.name} saw every line`);
      assert.deepEqual([...at].sort((a, b) => a - b), at, `${c.name} saw them in order`);
    });
    const screen = await carol.screen();
    assert.match(screen, /<alice> one from alice/);
    assert.match(screen, /<bob> two from bob/);
    assert.match(screen, /#lobby \| 3 here: /);
  });

  it('a /msg reaches only its target, and /me shows as an action', async () => {
    const [alice, bob, carol] = callers as [Caller, Caller, Caller];
    const carolMark = carol.raw().length;
    say(alice, '/msg bob psst, only for bob');
    await bob.waitScreen(/\*\*\* Private from alice \(node \d+\): psst, only for bob/);
    await alice.waitScreen(/-> bob: psst, only for bob/);
    say(carol, '/me waves at everyone');
    await alice.waitScreen(/\* carol waves at everyone/);
    await bob.waitScreen(/\* carol waves at everyone/);
    await carol.waitRaw('carol waves at everyone', 10_000, carolMark);
    assert.doesNotMatch(carol.raw().slice(carolMark), /psst/);

    say(alice, '/msg nobody-here hello?');
    await alice.waitScreen(/nobody-here is not online/);
  });

  it('escape sequences and control bytes typed into a line never reach the others', async () => {
    const [alice, bob] = callers as [Caller, Caller];
    const mark = alice.raw().length;
    say(bob, 'evil \x1b[2J\x1b[31mred\x1b]0;pwned\x07 \x07\x08\x00end');
    await alice.waitRaw(/<bob> [^\n]*end/, 10_000, mark);
    const seen = alice.raw().slice(mark);
    assert.ok(!seen.includes('\x1b[2J'), 'no clear-screen reached alice');
    assert.ok(!seen.includes('\x1b[31m'), "bob's colour did not reach alice");
    assert.ok(!seen.includes('\x1b]'), 'no title-setting string reached alice');
    assert.ok(!/[\x00\x07\x08]/.test(seen), 'no NUL, bell or backspace reached alice');
    const screen = await alice.screen();
    assert.match(screen, /one from alice/, 'what alice saw before is still on her screen');
    assert.match(screen, /<bob> evil/);
  });

  it('a late joiner sees the last lines of the room, then the live ones', async () => {
    const [alice] = callers as [Caller];
    const dave = await telnet('dave');
    await enterChat(dave);
    const screen = await dave.waitScreen(/the last \d+ lines in #lobby/);
    assert.match(screen, /one from alice/);
    assert.match(screen, /three from carol/);
    assert.match(screen, /-- now --/);
    assert.doesNotMatch(screen, /psst/, 'private messages are not history');
    say(alice, 'welcome dave');
    await dave.waitScreen(/<alice> welcome dave/);
  });

  it('a caller over the line rate has the rest wait and go out at the rate, and the others keep receiving', async () => {
    const [alice, , carol] = callers as [Caller, Caller, Caller];
    const dave = callers[3]!;
    const mark = alice.raw().length;
    dave.send(Array.from({ length: 15 }, (_, i) => `flood ${i + 1}\r`).join(''));
    await dave.waitScreen(/Sending at 2\/s: \d+ lines? waiting/);
    say(carol, 'carol still gets through');
    await alice.waitRaw('carol still gets through', 2_000, mark);
    const early = plain(alice.raw().slice(mark)).match(/<dave> flood \d+/g) ?? [];
    // The burst (5) went at once; the rest wait their turn at 2 a second, so carol's line came first.
    assert.ok(early.length >= 5 && early.length < 15, `alice saw ${early.length} flood lines before carol's`);
    const all = await alice.waitRaw('<dave> flood 15', 20_000, mark);
    assert.deepEqual(all.match(/<dave> flood \d+/g), Array.from({ length: 15 }, (_, i) => `<dave> flood ${i + 1}`), 'every line, once, in order');
    await dave.waitScreen(/\/help for commands/);
  });

  it('a sysop mutes, kicks and broadcasts; the broadcast reaches a caller outside chat too', async () => {
    const [alice] = callers as [Caller];
    const dave = callers[3]!;
    const sysop = await telnet('Zero Cool');
    const erin = await telnet('erin');
    await enterChat(sysop);
    await new Promise((r) => setTimeout(r, 3_000)); // dave's flood allowance refills

    say(dave, '/kick alice');
    await dave.waitScreen(/Only moderators can do that/);

    say(sysop, '/mute dave 5');
    await dave.waitScreen(/You are muted in chat for 5 min by Zero Cool/);
    const mark = alice.raw().length;
    say(dave, 'can anyone hear me');
    await dave.waitScreen(/You are muted for \d+ more min/);
    say(sysop, '/unmute dave');
    await dave.waitScreen(/lifted your mute/);
    say(dave, 'back again');
    await alice.waitRaw('<dave> back again', 10_000, mark);
    assert.doesNotMatch(plain(alice.raw().slice(mark)), /can anyone hear me/);

    say(sysop, '/kick dave');
    await dave.waitScreen(/You were kicked from #lobby by Zero Cool/);
    await alice.waitScreen(/dave left \(kicked by Zero Cool\)/);
    dave.send('x');
    await dave.waitRaw('Command:', 10_000, dave.raw().lastIndexOf('kicked'));

    say(sysop, '/broadcast the board restarts at midnight');
    await alice.waitScreen(/Broadcast from Zero Cool: the board restarts at midnight/);
    await erin.waitRaw(/Broadcast from Zero Cool: .*the board restarts at midnight/);
  });

  it('a caller who vanishes mid-chat (TCP reset) leaves the room for the others at once', async () => {
    const [alice] = callers as [Caller];
    const frank = await telnet('frank');
    await enterChat(frank);
    await alice.waitScreen(/frank joined #lobby/);
    const mark = alice.raw().length;
    frank.reset();
    // Only the reset can take him out this soon (the idle limit is minutes away), so no time
    // limit: 'under 1 s' measured the machine's load as much as the board.
    await within(() => /frank (left \(hung up\)|hung up)/.test(plain(alice.raw().slice(mark))), 20_000, 'frank never left the room');
    await alice.waitScreen(/#lobby \| \d+ here: (?![^\n]*frank)/);
  });

  it("/join shows the new room's own history and nothing of the room left; back again, the first room's lines return", async () => {
    const [alice, bob] = callers as [Caller, Caller];
    // What alice has on screen from the lobby: its last lines (dave's flood went out at the rate before them).
    await alice.waitScreen(/back again/);
    say(bob, '/join backroom');
    await bob.waitScreen(/#backroom \| 1 here/);
    say(bob, 'only said in the backroom');
    await bob.waitScreen(/<bob> only said in the backroom/);
    assert.doesNotMatch(await bob.screen(), /back again|one from alice/, "bob's screen kept none of the lobby");

    const mark = alice.raw().length;
    say(alice, '/join backroom');
    const there = await alice.waitScreen(/#backroom \| 2 here[\s\S]*the last 1 line in #backroom[\s\S]*<bob> only said in the backroom[\s\S]*-- now --/);
    assert.doesNotMatch(there, /carol still gets through|back again|welcome dave/, 'no lobby line is left on the screen');
    assert.doesNotMatch(plain(alice.raw().slice(mark)), /carol still gets through|welcome dave/, 'no lobby line was sent again');

    const again = alice.raw().length;
    say(alice, '/join lobby');
    // The history's header line scrolls out of sight above its 50 lines: read it off the wire.
    await alice.waitRaw(/the last \d+ lines in #lobby/, 10_000, again);
    const back = await alice.waitScreen(/#lobby \| \d+ here[\s\S]*back again[\s\S]*-- now --/);
    assert.doesNotMatch(back, /only said in the backroom/, 'the backroom line went with the backroom');
  });
  it("Esc typed with the '/' after it (one Alt-/ to the key decoder) clears the line, then '/' starts a command (inetutils telnet in tmux)", async () => {
    const gina = await TmuxCaller.telnet(board.ports.telnet!, 'gina', PW, scratchDir('carrier-chat-'));
    try {
      gina.send('c');
      await gina.waitScreen(/#lobby \| \d+ here/);
      gina.send('half a thought');
      await gina.waitScreen(/> half a thought/);
      // Esc and '/' in one write: what a quick typist's terminal sends (fails without: Alt-/
      // did nothing, the line stayed, and 'help' was typed onto it and said to the room).
      gina.send('\x1b/');
      gina.send('help\r');
      const screen = await gina.waitScreen(/Commands: \/join room/);
      assert.doesNotMatch(screen, /half a thought/, 'Esc cleared the line');
      // On an empty line Esc leaves chat, as Esc alone does.
      gina.send('\x1b/');
      await gina.waitScreen(/Command:/);
    } finally {
      gina.hangup();
    }
  });
});
