import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spyLayout } from './spy-screen.js';

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
