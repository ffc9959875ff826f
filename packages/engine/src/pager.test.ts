import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanLines, runPager, wrapLine, type PagerIO } from './pager.js';

/** A terminal of a given size whose keys are scripted; `screen` is what was written. */
class FakeTerminal implements PagerIO {
  screen = '';
  prompts = 0;
  constructor(
    public dims: { cols: number; rows: number },
    private readonly keys: string[],
  ) {}
  write(text: string): void {
    this.screen += text;
    if (text.includes('More')) this.prompts++;
  }
  async readKey(): Promise<string> {
    const k = this.keys.shift();
    if (k === undefined) throw new Error('the pager asked for a key nobody typed');
    return k;
  }
  size(): { cols: number; rows: number } {
    return this.dims;
  }
}
const fakeTerminal = (cols: number, rows: number, keys: string[]) => new FakeTerminal({ cols, rows }, keys);

const numbered = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n');
const shownLines = (screen: string) => screen.match(/line \d+/g) ?? [];

test('a text shorter than the screen is shown whole, with no prompt', async () => {
  const t = fakeTerminal(80, 25, []);
  assert.equal(await runPager(t, numbered(10)), true);
  assert.equal(shownLines(t.screen).length, 10);
  assert.equal(t.prompts, 0);
});

test('pages are one line shorter than the screen: the prompt takes the last row', async () => {
  const t = fakeTerminal(80, 10, [' ', ' ']);
  assert.equal(await runPager(t, numbered(25)), true);
  const pages = t.screen.split(/-- .*?More.*?--/);
  assert.deepEqual(pages.map((p) => shownLines(p).length), [9, 9, 7]);
  assert.equal(t.prompts, 2);
});

test('Enter shows one more line, C the rest without stopping, Q stops', async () => {
  const one = fakeTerminal(80, 5, ['enter', 'q']);
  assert.equal(await runPager(one, numbered(20)), false);
  assert.deepEqual(shownLines(one.screen).slice(-2), ['line 4', 'line 5']);
  assert.equal(shownLines(one.screen).length, 5);

  const rest = fakeTerminal(80, 5, ['c']);
  assert.equal(await runPager(rest, numbered(100)), true);
  assert.equal(shownLines(rest.screen).length, 100);
  assert.equal(rest.prompts, 1);
});

test('the prompt says how far through the text the caller is, and is erased before the next line', async () => {
  const t = fakeTerminal(80, 11, [' ']);
  await runPager(t, numbered(20));
  assert.match(t.screen, /\(50%\)/);
  assert.match(t.screen, /--\x1b\[22;37m\r\x1b\[Kline 11/);
});

test('a resize between pages sizes the next page to the new screen', async () => {
  const t = fakeTerminal(80, 5, [' ', ' ', ' ', ' ']);
  const readKey = t.readKey.bind(t);
  t.readKey = async () => {
    t.dims = { cols: 80, rows: 10 };
    return readKey();
  };
  await runPager(t, numbered(30));
  const pages = t.screen.split(/-- .*?More.*?--/);
  assert.deepEqual(pages.map((p) => shownLines(p).length).slice(0, 2), [4, 9]);
});

test('long lines wrap one column short of the edge, wide characters never straddle it', () => {
  assert.deepEqual(wrapLine('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  assert.deepEqual(wrapLine('ab漢字', 3), ['ab', '漢', '字']);
  assert.deepEqual(wrapLine('', 10), ['']);
});

test('long lines wrap by words, measured in columns (issue 11 item 14)', () => {
  assert.deepEqual(wrapLine('the quick brown fox jumps', 10), ['the quick', 'brown fox', 'jumps']);
  assert.deepEqual(wrapLine('|12the quick |07brown fox', 10, true), ['|12the quick', '|07brown fox']);
  // 漢 and 字 take two columns each: a wide character may break on either side of it.
  assert.deepEqual(wrapLine('漢字 ok 漢字漢字', 6), ['漢字', 'ok 漢', '字漢字']);
  assert.deepEqual(wrapLine('  indented text here', 12), ['  indented', 'text here']);
});

test('pipe codes take no width when rendered, and a literal || takes one', () => {
  assert.deepEqual(wrapLine('|12abc|07def', 3, true), ['|12abc', '|07def']);
  assert.deepEqual(wrapLine('a||b', 2, true), ['a||', 'b']);
  assert.deepEqual(wrapLine('|12abc', 3, false), ['|12', 'abc']);
});

test('escape sequences and controls in the text never reach the caller; tabs become spaces', () => {
  assert.deepEqual(cleanLines('a\x1b[2J\x1b[31mb\x07c\r\nd\te\rf\u202eg'), ['abc', 'd       e', 'fg']);
});

test('colours from pipe codes are rendered, and reset when the pager ends', async () => {
  const t = fakeTerminal(80, 25, []);
  await runPager(t, '|12red', { pipeCodes: true });
  assert.equal(t.screen, '\x1b[1;31mred\r\n\x1b[0m');
});

test('rows already above the text (a header) shorten the first page only, so they stay in view', async () => {
  const t = fakeTerminal(80, 10, [' ', ' ', ' ']);
  assert.equal(await runPager(t, numbered(25), { above: 6 }), true);
  const pages = t.screen.split(/-- .*?More.*?--/);
  assert.deepEqual(pages.map((p) => shownLines(p).length), [3, 9, 9, 4]);
  // a header taller than the screen still lets a line through before the prompt
  const tall = fakeTerminal(80, 5, ['q']);
  await runPager(tall, numbered(25), { above: 40 });
  assert.equal(shownLines(tall.screen).length, 1);
});

test('the prompt is cut to one row on a narrow screen, so erasing it leaves nothing behind', async () => {
  const t = fakeTerminal(30, 5, [' ', 'q']);
  await runPager(t, numbered(25));
  const prompts = t.screen.match(/--[^\r]*?(?=\r\x1b\[K)/g) ?? [];
  assert.equal(prompts.length, 2);
  for (const p of prompts) assert.ok(p.replace(/\x1b\[[0-9;]*m/g, '').length <= 29, JSON.stringify(p));
});

/** A FakeTerminal that takes a painter as SessionSocial.drawsAgain does, and asks it to draw at its first prompt. */
class SpiedTerminal extends FakeTerminal {
  painter: ((stillShown: () => boolean) => void) | undefined;
  mark = -1;
  drawsAgain = (p: (stillShown: () => boolean) => void): (() => void) => {
    this.painter = p;
    return () => (this.painter = undefined);
  };
  override async readKey(): Promise<string> {
    if (this.mark < 0 && this.painter) {
      this.mark = this.screen.length;
      this.painter(() => true);
    }
    return super.readKey();
  }
}
const visible = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

test("at a more-prompt the screen can be drawn again whole (a sysop's spy starts): the rows above the prompt from the top, then the prompt", async () => {
  const t = new SpiedTerminal({ cols: 80, rows: 6 }, [' ', 'q']);
  assert.equal(await runPager(t, numbered(20)), false);
  // Fails without: the pager registered nothing that could draw it again.
  assert.ok(t.mark >= 0);
  const again = t.screen.slice(t.mark);
  assert.ok(again.startsWith('\x1b[2J\x1b[H'), JSON.stringify(again.slice(0, 20)));
  const redrawn = visible(again).slice(0, visible(again).indexOf('Quit --') + 'Quit --'.length);
  assert.deepEqual(shownLines(redrawn), ['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
  assert.match(redrawn, /line 5\r\n\r-- More \(25%\)/);
  // then the next page as without it
  assert.deepEqual(shownLines(visible(again).slice(redrawn.length)), ['line 6', 'line 7', 'line 8', 'line 9', 'line 10']);
  assert.equal(t.painter, undefined, 'nothing left registered');
});

test('with a header of the script above the text, the text is drawn again in place, under it', async () => {
  const t = new SpiedTerminal({ cols: 80, rows: 6 }, ['q']);
  await runPager(t, numbered(20), { above: 2 });
  const again = t.screen.slice(t.mark);
  assert.ok(again.startsWith('\r\x1b[K\x1b[3A'), JSON.stringify(again.slice(0, 20)));
  assert.deepEqual(shownLines(again), ['line 1', 'line 2', 'line 3']);
});

test("with the script's drawAbove, a first page is drawn again whole: the script's rows from a blank screen, the text under them, the prompt", async () => {
  const t = new SpiedTerminal({ cols: 80, rows: 6 }, ['q']);
  await runPager(t, numbered(20), { above: 2, drawAbove: () => t.write('\x1b[2J\x1b[HTITLE\r\nHEADER\r\n') });
  const again = visible(t.screen.slice(t.mark));
  assert.match(again, /^TITLE\r\nHEADER\r\n\rline 1\r\n\rline 2\r\n\rline 3\r\n\r-- More/);
});
