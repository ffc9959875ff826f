import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyDecoder, LineEditor } from '@carrier/terminal';
import { LineKeeper } from './line-keeper.js';

const keys = new KeyDecoder();

test('a notice at a menu prompt goes on its own line and the prompt comes back below it', () => {
  const k = new LineKeeper();
  k.wrote('\x1b[2J\x1b[HWelcome\r\n\x1b[1;37mCommand: ');
  assert.equal(k.interrupt('*** hi'), '\r\x1b[K*** hi\x1b[0m\r\n\x1b[1;37mCommand: ');
});

test('a clear-screen or cursor move in the prompt line is not replayed; colours are', () => {
  const k = new LineKeeper();
  k.wrote('\x1b[2J\x1b[H\x1b[33mName: ');
  assert.equal(k.interrupt('n'), '\r\x1b[Kn\x1b[0m\r\n\x1b[33mName: ');
});

test('a half-typed line is redrawn after the prompt with the cursor where it was', () => {
  const k = new LineKeeper();
  k.wrote('\r\nSay: ');
  const editor = new LineEditor({ maxLength: 40, cols: 70 });
  k.editing(editor);
  editor.start();
  for (const key of keys.push('hello\x1b[D\x1b[D')) editor.feed(key);
  const out = k.interrupt('*** page');
  assert.equal(out, '\r\x1b[K*** page\x1b[0m\r\n' + 'Say: ' + 'hello' + '\b\b');
});

test('after art the line is unknown: the notice is printed between two new lines', () => {
  const k = new LineKeeper();
  k.wrote('prompt> ');
  k.lost();
  assert.equal(k.interrupt('*** x'), '\r\n*** x\x1b[0m\r\n');
  k.wrote('text\r\nnext> ');
  assert.match(k.interrupt('*** y'), /next> $/);
});

test('a finished editor is not redrawn', () => {
  const k = new LineKeeper();
  k.wrote('Q: ');
  const editor = new LineEditor({ maxLength: 10, cols: 70 });
  k.editing(editor);
  editor.start();
  editor.feed(keys.push('\r')[0]!);
  k.wrote('\r\n');
  assert.equal(k.interrupt('n'), '\r\x1b[Kn\x1b[0m\r\n');
});

test('after a full-screen view, restore puts a note and the line back', () => {
  const k = new LineKeeper();
  k.wrote('Command: ');
  assert.equal(k.restore('(back)'), '\x1b[0m\r\n(back)\x1b[0m\r\nCommand: ');
});

test('an endless line without a newline stops being remembered', () => {
  const k = new LineKeeper();
  for (let i = 0; i < 100; i++) k.wrote('x'.repeat(50));
  assert.equal(k.interrupt('n'), '\r\nn\x1b[0m\r\n');
});

test('a full-screen editor drawn with cursor moves is not a prompt: a notice after it replays none of it', () => {
  const k = new LineKeeper();
  k.wrote('Subject: hi\r\n');
  // The message editor's frames: rows placed with ESC[row;colH, never a CR or LF.
  k.wrote('\x1b[0m\x1b[2J\x1b[1;1H Mail to me\x1b[K\x1b[2;1Hhello\x1b[K\x1b[25;1H INS  line 1/1  5 bytes\x1b[K\x1b[2;6H');
  assert.equal(k.interrupt('*** x'), '\r\n*** x\x1b[0m\r\n');
  // It closes by clearing the screen and homing the cursor: a known, empty line again.
  k.wrote('\x1b[0m\x1b[2J\x1b[H');
  assert.equal(k.interrupt('*** New mail'), '\r\x1b[K*** New mail\x1b[0m\r\n');
  k.wrote('\x1b[5;1HCommand: ');
  assert.equal(k.interrupt('n'), '\r\x1b[Kn\x1b[0m\r\nCommand: ');
});

test('the rows printed since the screen was cleared are kept, without cursor moves or erases, colours kept', () => {
  const k = new LineKeeper();
  k.wrote('old row\r\n\x1b[2J\x1b[H\x1b[1;37mUser settings\r\n---\r\n\r\n');
  k.wrote('Change which? ');
  k.wrote('\r\n\x1b[33mWhere from? ');
  assert.deepEqual(k.shownRows(10), ['\x1b[1;37mUser settings', '---', '', 'Change which? ']);
  assert.deepEqual(k.shownRows(2), ['', 'Change which? ']);
});

test('a row written over after a CR is kept as it ends; a bare CR LF keeps the row before it', () => {
  const k = new LineKeeper();
  k.wrote('\x1b[H[press a key]');
  k.wrote('\r\x1b[K\x1b[0;37mnext row\r\n');
  k.wrote('plain\r\n');
  assert.deepEqual(k.shownRows(10), ['\x1b[0;37mnext row', 'plain']);
});

test('art or a cursor move elsewhere leaves no rows to show: what is on the screen is not known', () => {
  const k = new LineKeeper();
  k.wrote('\x1b[Hone\r\ntwo\r\n');
  k.lost();
  assert.deepEqual(k.shownRows(10), []);
  k.wrote('three\r\n\x1b[5;10Hfour\r\n');
  assert.deepEqual(k.shownRows(10), []);
});

test('the rows kept are bounded', () => {
  const k = new LineKeeper();
  k.wrote('\x1b[H');
  for (let i = 0; i < 500; i++) k.wrote(`${'x'.repeat(200)} ${i}\r\n`);
  const rows = k.shownRows(1000);
  assert.ok(rows.join('').length <= 16 * 1024, `${rows.join('').length}`);
  assert.match(rows.at(-1)!, / 499$/);
});

test('text written over a row after a CR, in a write of its own, is the row its LF ends', () => {
  const k = new LineKeeper();
  k.wrote('\x1b[Hold text\r');
  k.wrote('new');
  k.wrote('\r\n');
  assert.deepEqual(k.shownRows(10), ['new']);
});
