import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatScreen, SCROLLBACK_LINES, type ChatRow } from './chat-screen.js';

const plain = (text: string): ChatRow => [{ sgr: '', text }];
const strip = (s: string): string => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

test('the full screen sets the scrolling region between the title and the status rows', () => {
  const screen = new ChatScreen({ cols: 80, rows: 25 }, '> ');
  screen.setTitle('#lobby');
  screen.setStatus('/help');
  const out = screen.full();
  assert.ok(out.includes('\x1b[2;23r'), 'region rows 2..23');
  assert.ok(out.includes('\x1b[1;1H'), 'title on row 1');
  assert.ok(out.includes('\x1b[24;1H'), 'status on row 24');
  assert.ok(out.endsWith('\x1b[25;1H\x1b[0m\x1b[K> '), 'ends at the input line, after the prompt');
});

test('a new line scrolls in at the bottom of the region and the cursor returns to the input line', () => {
  const screen = new ChatScreen({ cols: 80, rows: 25 }, '> ');
  const out = screen.add(plain('hello'));
  assert.equal(out, '\x1b[23;1H\r\nhello\x1b[0m\x1b[25;1H\x1b[0m\x1b[K> ');
});

test('a long line wraps one column short of the edge, continuation rows indented', () => {
  const screen = new ChatScreen({ cols: 20, rows: 10 }, '> ');
  const out = screen.add([{ sgr: '\x1b[1m', text: '<bob> ' }, { sgr: '', text: 'x'.repeat(30) }]);
  const rows = strip(out).split('\r\n').slice(1).map((r) => r.replace(/> $/, ''));
  assert.deepEqual(rows, ['<bob> ' + 'x'.repeat(13), '  ' + 'x'.repeat(17)]);
  for (const r of rows) assert.ok(r.length <= 19);
});

test('lines wrap by words: /dnd at 80 columns leaves no lone `.` (issue 11 item 14)', () => {
  const screen = new ChatScreen({ cols: 80, rows: 25 }, '> ');
  const text = 'Do not disturb is on: pages, private messages and chat requests are turned away.';
  const rows = strip(screen.add([{ sgr: '\x1b[0;36m', text }])).split('\r\n').slice(1).map((r) => r.replace(/> $/, ''));
  assert.deepEqual(rows, ['Do not disturb is on: pages, private messages and chat requests are turned', '  away.']);
  const said = strip(screen.add([{ sgr: '\x1b[1m', text: '<bob> ' }, { sgr: '', text: 'word '.repeat(15) + 'ending.' }])).split('\r\n').slice(1);
  const words = said.flatMap((r) => r.replace(/> $/, '').trim().split(' '));
  assert.ok(words.every((w) => ['<bob>', 'word', 'ending.'].includes(w)), `no word cut: ${JSON.stringify(said)}`);
  assert.equal(said.length, 2);
});

test('wide characters never straddle the edge', () => {
  const screen = new ChatScreen({ cols: 10, rows: 10 }, '');
  const rows = strip(screen.add(plain('日本語日本語'))).split('\r\n').slice(1);
  assert.deepEqual(rows, ['日本語日', '  本語']);
});

test('scrolled back, new lines wait below and the status counts them; PgDn to the end shows them', () => {
  const screen = new ChatScreen({ cols: 40, rows: 8 }, '> ');
  for (let i = 0; i < 30; i++) screen.add(plain(`line ${i}`));
  const up = screen.scroll(-1);
  assert.ok(screen.scrolledBack);
  assert.match(strip(up), /line 2[0-4]/);
  assert.doesNotMatch(strip(up), /line 29/);
  const waiting = screen.add(plain('fresh'));
  assert.match(waiting, /1 new line below/);
  assert.doesNotMatch(waiting, /fresh/);
  const live = screen.scroll('end');
  assert.match(strip(live), /fresh/);
  assert.equal(screen.scrolledBack, false);
  assert.equal(screen.scroll(1), '', 'already live: nothing to draw');
});

test('clear (another room) blanks the region, leaves nothing to scroll back to, and is live again', () => {
  const screen = new ChatScreen({ cols: 40, rows: 8 }, '> ');
  for (let i = 0; i < 30; i++) screen.add(plain(`old ${i}`));
  screen.scroll(-1);
  const out = screen.clear();
  assert.doesNotMatch(strip(out), /old/);
  assert.match(out, /\x1b\[2;1H\x1b\[0m\x1b\[K\x1b\[0m/, 'the region rows are blanked');
  assert.equal(screen.scrolledBack, false);
  assert.equal(screen.scroll(-1), '', 'no scroll-back of the room left');
  assert.doesNotMatch(strip(screen.full()), /old/);
  assert.equal(screen.clear(), '', 'nothing more to forget: nothing sent');
  assert.match(strip(screen.add(plain('new room'))), /new room/);
});

test('the scrollback is bounded', () => {
  const screen = new ChatScreen({ cols: 40, rows: 8 }, '');
  for (let i = 0; i < SCROLLBACK_LINES + 50; i++) screen.add(plain(`l${i}`));
  for (let i = 0; i < 1000; i++) screen.scroll(-1);
  assert.match(strip(screen.scroll(-1) || screen.full()), /l50(?!\d)/);
});

test('a resize redraws everything at the new size', () => {
  const screen = new ChatScreen({ cols: 80, rows: 25 }, '> ');
  screen.add(plain('kept'));
  const out = screen.resize(100, 40);
  assert.ok(out.includes('\x1b[2;38r'));
  assert.match(strip(out), /kept/);
  assert.ok(out.endsWith('\x1b[40;1H\x1b[0m\x1b[K> '));
});

test('title and status are cut to the width and not redrawn when unchanged', () => {
  const screen = new ChatScreen({ cols: 12, rows: 10 }, '');
  const out = screen.setTitle('#a-very-long-title-here');
  assert.match(out, /#a-very-lon\x1b\[0m/);
  assert.equal(screen.setTitle('#a-very-long-title-here'), '');
});

test('an art header takes the top rows when the room keeps at least MIN_ROOM_ROWS below it', () => {
  const header = ['\x1b[0m\x1b[33m╔══ chat ══╗', '\x1b[0m\x1b[33m║ hello ║', '\x1b[0m\x1b[33m╚════════╝'];
  const tall = new ChatScreen({ cols: 80, rows: 25 }, '> ', header);
  tall.setTitle('#lobby');
  assert.equal(tall.headerRows, 3);
  assert.deepEqual(tall.region, { top: 5, bottom: 23 });
  const out = tall.full();
  assert.ok(out.includes('\x1b[?7l\x1b[1;1H\x1b[0m\x1b[33m╔══ chat ══╗\x1b[0m\x1b[2;1H'), 'art rows from row 1, auto-wrap off');
  assert.ok(out.includes('\x1b[?7h\x1b[4;1H'), 'auto-wrap back on, then the title on row 4');
  assert.ok(out.includes('\x1b[5;23r'), 'the region starts under the title');
  assert.equal(tall.add(plain('hi')), '\x1b[23;1H\r\nhi\x1b[0m\x1b[25;1H\x1b[0m\x1b[K> ', 'lines still scroll in at the bottom');

  // Too short: 14 rows less 3 leaves 11 for the room, under MIN_ROOM_ROWS.
  const short = new ChatScreen({ cols: 80, rows: 14 }, '> ', header);
  assert.equal(short.headerRows, 0);
  assert.deepEqual(short.region, { top: 2, bottom: 12 });
  assert.ok(!short.full().includes('chat ══'));
  // A resize brings it back.
  assert.ok(short.resize(80, 15).includes('╔══ chat ══╗'));
  assert.equal(short.headerRows, 3);
});

test('header rows are cut to the screen width, never wrapping into the room', () => {
  const screen = new ChatScreen({ cols: 10, rows: 25 }, '> ', ['x'.repeat(30)]);
  const out = screen.full();
  assert.ok(out.includes(`\x1b[1;1H${'x'.repeat(10)}\x1b[0m`));
  assert.ok(!out.includes('x'.repeat(11)));
});
