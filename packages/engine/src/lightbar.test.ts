import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Lightbar, runLightbar, runNumberedList } from './lightbar.js';

const SIZE = { cols: 80, rows: 25 };
/** The entry drawn highlighted last: the selected colours are |17|15, bright white on blue. */
const highlighted = (out: string): string | undefined => [...out.matchAll(/\x1b\[25;44m\x1b\[1;37m ([^\x1b]+?)\x1b/g)].pop()?.[1];

test('the first entry is highlighted and the cursor is left on it', () => {
  const bar = new Lightbar(['Apples', 'Pears', 'Plums'], SIZE);
  const out = bar.draw();
  assert.equal(highlighted(out), 'Apples');
  assert.equal(out.split('\r\n').length, 3);
  assert.ok(out.endsWith('\x1b[2A'), 'back up two rows to the highlight');
});

test('down and up move the highlight, stopping at the ends', () => {
  const bar = new Lightbar(['Apples', 'Pears', 'Plums'], SIZE);
  bar.draw();
  assert.equal(highlighted(bar.feed('down').output), 'Pears');
  bar.feed('down');
  assert.equal(bar.feed('down').output, '', 'nothing to do at the bottom');
  assert.equal(bar.index, 2);
  bar.feed('home');
  assert.equal(bar.index, 0);
  assert.equal(bar.feed('up').output, '');
  bar.feed('end');
  assert.equal(bar.index, 2);
});

test('Enter picks, Escape gives up, and both leave the cursor below the list', () => {
  const bar = new Lightbar(['Apples', 'Pears', 'Plums'], SIZE);
  bar.draw();
  bar.feed('down');
  const picked = bar.feed('enter');
  assert.deepEqual([picked.done, picked.index], [true, 1]);
  assert.ok(picked.output.endsWith('\r\n'));
  assert.match(picked.output, /\x1b\[1B/, 'from the highlight down to the last row');

  const other = new Lightbar(['Apples'], SIZE);
  other.draw();
  const gaveUp = other.feed('escape');
  assert.equal(gaveUp.done, true);
  assert.equal(gaveUp.index, undefined);
});

test('a hotkey picks its entry at once, in any case', () => {
  const bar = new Lightbar([{ text: 'Apples', key: 'a' }, { text: 'Pears', key: 'P' }], SIZE);
  bar.draw();
  const step = bar.feed('p');
  assert.deepEqual([step.done, step.index], [true, 1]);
  assert.equal(highlighted(step.output), 'Pears');
});

test('disabled entries are skipped by the arrows and cannot be picked by hotkey', () => {
  const bar = new Lightbar([{ text: 'Off', disabled: true }, 'On', { text: 'Also off', key: 'x', disabled: true }, 'Last'], SIZE);
  bar.draw();
  assert.equal(bar.index, 1);
  bar.feed('down');
  assert.equal(bar.index, 3);
  assert.equal(bar.feed('x').done, undefined);
  bar.feed('home');
  assert.equal(bar.index, 1);
});

test('a list taller than its window scrolls, redrawing the window', () => {
  const items = Array.from({ length: 30 }, (_, i) => `Item ${i}`);
  const bar = new Lightbar(items, { cols: 80, rows: 10 });
  const first = bar.draw();
  assert.equal(first.split('\r\n').length, 8, 'rows less two');
  assert.doesNotMatch(first, /Item 8/);
  for (let i = 0; i < 7; i++) bar.feed('down');
  const scrolled = bar.feed('down').output;
  assert.match(scrolled, /Item 8/);
  assert.doesNotMatch(scrolled, /Item 0 /);
  assert.equal(bar.feed('pagedown').output.includes('Item 16'), true);
  assert.equal(bar.index, 16);
});

test('entries wider than the screen are cut one column short of the edge', () => {
  const bar = new Lightbar(['x'.repeat(200)], { cols: 40, rows: 25 });
  const out = bar.draw();
  const visible = out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');
  assert.equal(visible.length, 39);
});

test('runLightbar feeds keys until a choice, and returns at once when nothing can be picked', async () => {
  const keys = ['down', 'down', 'up', 'enter'];
  let screen = '';
  const io = { write: (t: string) => (screen += t), readKey: async () => keys.shift()!, size: () => SIZE };
  assert.equal(await runLightbar(io, ['a', 'b', 'c'], {}), 1);
  assert.equal(await runLightbar(io, [{ text: 'x', disabled: true }]), undefined);
  assert.equal(await runLightbar(io, []), undefined);
  assert.ok(screen.length > 0);
});

test('a notice goes on the row below the list, one row wide, and the cursor comes back to the highlight', () => {
  const bar = new Lightbar(['Apples', 'Pears', 'Plums'], { cols: 30, rows: 25 });
  bar.draw();
  bar.feed('down');
  const out = bar.notice({ kind: 'system', from: 'You have been idle', text: 'disconnecting in 1 minute. Press a key to stay.', at: 0 }, 30);
  // From Pears (row 1) to Plums (row 2), a new line, the notice cut to 29 columns, then up two rows to Pears.
  assert.ok(out.startsWith('\x1b[1B'), JSON.stringify(out));
  assert.match(out, /\r\n\x1b\[K\x1b\[1;33m\*\*\* You have been idle: disco\x1b\[0m\r\x1b\[2A$/);
  // The relative moves still add up: Enter goes from Pears down to the last row.
  assert.match(bar.feed('enter').output, /^\x1b\[1B/);
});

test('on a plain terminal: a numbered list, picked by number and Enter or by hotkey; Enter alone, Escape or a disabled entry pick nothing', async () => {
  const pick = async (keys: string[], items: Parameters<typeof runNumberedList>[1]) => {
    let screen = '';
    const io = { write: (t: string) => (screen += t), readKey: async () => keys.shift() ?? 'escape' };
    return { index: await runNumberedList(io, items), screen };
  };
  const items = ['|15Apples|07', { text: 'Pears', key: 'p' }, { text: 'Plums', disabled: true }, ...Array.from({ length: 9 }, (_, i) => `Fig ${i + 1}`)];
  const first = await pick(['1', '1', 'enter'], items);
  assert.equal(first.index, 10, 'two digits: entry 11');
  assert.match(first.screen, /^ 1\) Apples\r\n 2\) Pears\r\n 3\) Plums \(not available\)\r\n/, 'pipe codes left out, numbers aligned');
  assert.doesNotMatch(first.screen, /\x1b/, 'no escape sequence');
  assert.equal((await pick(['P'], items)).index, 1, 'a hotkey picks at once');
  const disabled = await pick(['3', 'enter', '2', 'enter'], items);
  assert.equal(disabled.index, 1);
  assert.match(disabled.screen, /There is no entry 3 to pick/);
  assert.equal((await pick(['9', 'backspace', '4', 'enter'], items)).index, 3, 'backspace takes a digit back');
  assert.equal((await pick(['enter'], items)).index, undefined);
  assert.equal((await pick(['escape'], items)).index, undefined);
  assert.equal((await pick([], [{ text: 'x', disabled: true }])).index, undefined);
});

test('a resize draws the window again in the new size, from its first row, the highlight kept', () => {
  const items = ['Apples', 'Pears', 'Plums', 'Quinces', 'Cherries', 'Damsons', 'Figs', 'Grapes', 'Kiwis', 'Lemons'];
  const bar = new Lightbar(items, { cols: 30, rows: 6 });
  // Four rows of ten: End scrolls the window to Grapes..Lemons.
  assert.equal(bar.draw().split('\r\n').length, 4);
  bar.feed('end');
  const out = bar.resize({ cols: 80, rows: 25 });
  // Up from the highlighted last row to the window's first, everything below erased.
  assert.ok(out.startsWith('\x1b[3A\r\x1b[0m\x1b[J'), JSON.stringify(out.slice(0, 20)));
  const drawn = out.slice(out.indexOf('\x1b[J'));
  assert.equal(drawn.split('\r\n').length, 10, 'all ten entries fit now');
  assert.match(drawn, /Apples[\s\S]*Lemons/);
  assert.equal(highlighted(drawn), 'Lemons');
  assert.ok(drawn.endsWith('\r'), 'the cursor is left on the highlighted (last) row');
  // Smaller again: the window shrinks around the highlight.
  const small = bar.resize({ cols: 30, rows: 5 });
  assert.ok(small.startsWith('\x1b[9A'), JSON.stringify(small.slice(0, 10)));
  assert.equal(small.split('\r\n').length, 3);
  assert.doesNotMatch(small, /Apples/);
  assert.equal(highlighted(small), 'Lemons');
  assert.equal(bar.feed('up').output.length > 0, true);
  assert.equal(bar.index, 8);
});

test('runLightbar follows the resizes its io reports, and stops listening once done', async () => {
  const writes: string[] = [];
  let resize: ((cols: number, rows: number) => void) | undefined;
  let stopped = false;
  const keys = ['down', 'enter'];
  let wake: (() => void) | undefined;
  const picked = runLightbar(
    {
      write: (t) => writes.push(t),
      size: () => ({ cols: 30, rows: 4 }),
      readKey: () => new Promise((resolve) => (wake = () => resolve(keys.shift()!))),
      onResize: (fn) => {
        resize = fn;
        return () => (stopped = true);
      },
    },
    ['Apples', 'Pears', 'Plums', 'Quinces'],
  );
  assert.ok(resize);
  resize(80, 25);
  assert.match(writes.at(-1)!, /\x1b\[J[\s\S]*Apples[\s\S]*Quinces/);
  wake!();
  await new Promise((r) => setImmediate(r));
  wake!();
  assert.equal(await picked, 1);
  assert.equal(stopped, true);
});

/** An io whose keys come when the test says, and which takes a painter as SessionSocial.drawsAgain does. */
function spiedIo(size = SIZE) {
  const writes: string[] = [];
  let painter: ((stillShown: () => boolean) => void) | undefined;
  const waiting: Array<(key: string) => void> = [];
  return {
    writes,
    /** the painter registered now, if any */
    painter: () => painter,
    /** the lightbar is waiting for a key */
    reading: () => waiting.length > 0,
    type: (key: string) => waiting.shift()!(key),
    io: {
      write: (t: string) => void writes.push(t),
      size: () => size,
      readKey: () => new Promise<string>((resolve) => waiting.push(resolve)),
      drawsAgain: (p: (stillShown: () => boolean) => void) => {
        painter = p;
        return () => (painter = undefined);
      },
    },
  };
}
const turn = () => new Promise((r) => setImmediate(r));

test("runLightbar: asked to draw the screen again (a sysop's spy starts), it draws what is above, then the list as it is; a key typed meanwhile is acted on after it", async () => {
  const t = spiedIo();
  let above: (() => void) | undefined;
  const picked = runLightbar(t.io, ['Apples', 'Pears', 'Plums'], {
    drawAbove: async () => {
      await new Promise<void>((resolve) => (above = resolve));
      t.io.write('MENU TITLE\r\n');
    },
  });
  t.type('down');
  await turn();
  // Fails without: the lightbar registered nothing that could draw it again.
  const paint = t.painter();
  assert.ok(paint, 'the waiting lightbar can be drawn again');
  paint(() => true);
  await turn();
  t.type('enter');
  await turn();
  // The art is still being read: the Enter waits for the screen to be drawn.
  assert.ok(!t.writes.some((w) => w === 'MENU TITLE\r\n'));
  above!();
  assert.equal(await picked, 1);
  const at = t.writes.indexOf('MENU TITLE\r\n');
  assert.ok(at >= 0);
  const again = t.writes[at + 1]!;
  assert.equal(again.split('\r\n').length, 3, 'every entry, from where the title left the cursor');
  assert.equal(highlighted(again), 'Pears', 'the highlight where the caller moved it');
  assert.match(t.writes.slice(at + 2).join(''), /\r\n$/, 'then Enter, below the list');
  assert.equal(t.painter(), undefined, 'nothing left registered once done');
});

test('runLightbar: drawn again without what is above, the list alone is drawn again where it stands; nothing once the screen is taken', async () => {
  const t = spiedIo();
  const picked = runLightbar(t.io, ['Apples', 'Pears', 'Plums']);
  await turn();
  const before = t.writes.length;
  t.painter()!(() => false);
  await turn();
  assert.equal(t.writes.length, before, 'nothing while something else has the screen');
  t.painter()!(() => true);
  await turn();
  // From the list's first row (the cursor is on the highlight, Apples), everything below erased.
  assert.match(t.writes.slice(before).join(''), /^\r\x1b\[0m\x1b\[J[\s\S]*Apples[\s\S]*Pears[\s\S]*Plums/);
  t.type('escape');
  assert.equal(await picked, undefined);
});
