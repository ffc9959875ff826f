import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pipeCodeSgr, pipeLiteral, renderPipeCodes, stripPipeCodes } from './pipe.js';

// DOS colour order: black, blue, green, cyan, red, magenta, brown, light gray.
const ANSI_FOR_DOS = [0, 4, 2, 6, 1, 5, 3, 7];
const TABLE: [string, string][] = [
  ['|00', '\x1b[22;30m'], ['|01', '\x1b[22;34m'], ['|02', '\x1b[22;32m'], ['|03', '\x1b[22;36m'],
  ['|04', '\x1b[22;31m'], ['|05', '\x1b[22;35m'], ['|06', '\x1b[22;33m'], ['|07', '\x1b[22;37m'],
  ['|08', '\x1b[1;30m'], ['|09', '\x1b[1;34m'], ['|10', '\x1b[1;32m'], ['|11', '\x1b[1;36m'],
  ['|12', '\x1b[1;31m'], ['|13', '\x1b[1;35m'], ['|14', '\x1b[1;33m'], ['|15', '\x1b[1;37m'],
  ['|16', '\x1b[25;40m'], ['|17', '\x1b[25;44m'], ['|18', '\x1b[25;42m'], ['|19', '\x1b[25;46m'],
  ['|20', '\x1b[25;41m'], ['|21', '\x1b[25;45m'], ['|22', '\x1b[25;43m'], ['|23', '\x1b[25;47m'],
  ['|24', '\x1b[5;40m'], ['|25', '\x1b[5;44m'], ['|26', '\x1b[5;42m'], ['|27', '\x1b[5;46m'],
  ['|28', '\x1b[5;41m'], ['|29', '\x1b[5;45m'], ['|30', '\x1b[5;43m'], ['|31', '\x1b[5;47m'],
];

test('every pipe code renders its SGR sequence', () => {
  assert.equal(TABLE.length, 32);
  for (const [code, sgr] of TABLE) assert.equal(renderPipeCodes(code), sgr, code);
});

test('the table follows DOS colour order for all four groups', () => {
  for (let n = 0; n < 32; n++) {
    const colour = ANSI_FOR_DOS[n % 8]!;
    const base = n < 16 ? 30 : 40;
    assert.ok(pipeCodeSgr(n).endsWith(`;${base + colour}m`), `code ${n}`);
  }
});

test('dark foregrounds use SGR 22, never a reset that would drop the background', () => {
  for (let n = 0; n < 8; n++) assert.doesNotMatch(renderPipeCodes(`|0${n}`), /\x1b\[0[;m]/);
});

test('a double pipe is a literal pipe and is not read as the start of a code', () => {
  assert.equal(renderPipeCodes('a||b'), 'a|b');
  assert.equal(renderPipeCodes('||07'), '|07');
  assert.equal(renderPipeCodes('|||07x'), '|\x1b[22;37mx');
});

test('anything else is left untouched', () => {
  for (const s of ['|32', '|99', '|7', '|', 'a|b', '|x1', '| 1', 'plain text']) assert.equal(renderPipeCodes(s), s, s);
});

test('codes render inside text', () => {
  assert.equal(renderPipeCodes('|15Hello |07world'), '\x1b[1;37mHello \x1b[22;37mworld');
});

test('stripping removes every code and keeps literal pipes', () => {
  assert.equal(stripPipeCodes('|15Hi|17 there|| |32|31'), 'Hi there| |32');
  for (const [code] of TABLE) assert.equal(stripPipeCodes(code), '');
});

test('codes out of range are refused by pipeCodeSgr', () => {
  assert.throws(() => pipeCodeSgr(32), RangeError);
  assert.throws(() => pipeCodeSgr(-1), RangeError);
});

test('pipeLiteral text renders and strips back to itself, codes and all', () => {
  for (const text of ['|12red?', 'a||b', '|', '|||07|', 'no pipes', '|3|31|15']) {
    assert.equal(stripPipeCodes(pipeLiteral(text)), text);
    assert.equal(renderPipeCodes(pipeLiteral(text)), text);
  }
});
