import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noteRow, spyLabel, spyLayout } from './spy-screen.js';

describe("the spy view's place in the sysop's window", () => {
  const caller = { cols: 80, rows: 25 };

  it("a window the caller's size shows their whole screen bare (it was framed: 78x23 of 80x25)", () => {
    assert.deepEqual(spyLayout({ cols: 80, rows: 25 }, caller), { frame: false, rows: 25, infoRow: false });
    // A spare row holds the label; a spare column alone does not make room for a frame.
    assert.deepEqual(spyLayout({ cols: 81, rows: 26 }, caller), { frame: false, rows: 25, infoRow: true });
  });

  it('a window with room for the frame keeps it, and one too small for the screen keeps it too', () => {
    assert.deepEqual(spyLayout({ cols: 82, rows: 27 }, caller), { frame: true, rows: 27, infoRow: false });
    assert.deepEqual(spyLayout({ cols: 160, rows: 50 }, caller), { frame: true, rows: 50, infoRow: false });
    assert.deepEqual(spyLayout({ cols: 79, rows: 40 }, caller), { frame: true, rows: 40, infoRow: false });
    assert.deepEqual(spyLayout({ cols: 100, rows: 24 }, caller), { frame: true, rows: 24, infoRow: false });
  });

  it("the break-in chat's input rows are kept below the view", () => {
    assert.deepEqual(spyLayout({ cols: 80, rows: 28 }, caller, 3), { frame: false, rows: 25, infoRow: false });
    assert.deepEqual(spyLayout({ cols: 80, rows: 25 }, caller, 3), { frame: true, rows: 22, infoRow: false });
    assert.deepEqual(spyLayout({ cols: 10, rows: 3 }, caller, 3), { frame: true, rows: 1, infoRow: false });
  });
});

describe("the spy's label", () => {
  const parts = { who: 'spying on node 3 dora', terminal: '80x25 utf8', note: 'a door: shown as it draws', keys: 'read-only, Esc closes' };

  it('says everything where it fits', () => {
    assert.equal(spyLabel(parts, 200), ' spying on node 3 dora 80x25 utf8, a door: shown as it draws (read-only, Esc closes) ');
  });

  it('keeps the note whole on a narrower window: the keys, the terminal, then who go first', () => {
    assert.equal(spyLabel(parts, 76), ' spying on node 3 dora 80x25 utf8, a door: shown as it draws ');
    assert.equal(spyLabel(parts, 56), ' spying on node 3 dora, a door: shown as it draws ');
    assert.equal(spyLabel(parts, 40), ' a door: shown as it draws ');
    assert.equal(spyLabel(parts, 10), ' a door: s');
  });

  it('without a note, who is watched stays longest', () => {
    const { note: _, ...plain } = parts;
    assert.equal(spyLabel(plain, 40), ' spying on node 3 dora 80x25 utf8 ');
    assert.equal(spyLabel(plain, 30), ' spying on node 3 dora ');
  });
});

describe("the note's row on a bare spy view the window's size exactly", () => {
  it('the lowest row whose right end is blank for the note: it hides nothing of the caller\'s screen', () => {
    const rows = ['Hello, dora!', 'size 80x25', '', `${'='.repeat(68)} STATUS-END`];
    assert.equal(noteRow(rows, 80, 27), 2);
    assert.equal(noteRow(['a'.repeat(53), 'b'.repeat(54)], 80, 27), 0);
    // Every row reaches under where the note would go: none.
    assert.equal(noteRow(['x'.repeat(79), 'y'.repeat(60)], 80, 27), undefined);
  });
});
