import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteTrace } from './debug-trace.js';

function traced(raw: boolean, direction: '<' | '>', ...chunks: number[][]): string[] {
  const lines: string[] = [];
  const t = new ByteTrace((l) => lines.push(l.replace(/^\s*[\d.]+ms /, '')), raw);
  for (const c of chunks) t.trace(direction, Buffer.from(c));
  return lines;
}

describe('the debug trace', () => {
  it('names telnet commands and options', () => {
    assert.deepEqual(traced(false, '<', [255, 251, 1, 255, 253, 24, 255, 246]), ['< IAC WILL ECHO', '< IAC DO TTYPE', '< IAC AYT']);
  });

  it('shows subnegotiations by their meaning', () => {
    assert.deepEqual(
      traced(false, '>', [255, 250, 31, 0, 80, 0, 25, 255, 240], [255, 250, 24, 0, 0x61, 0x6e, 0x73, 0x69, 255, 240], [255, 250, 24, 1, 255, 240]),
      ['> IAC SB NAWS 80x25 IAC SE', '> IAC SB TTYPE IS "ansi" IAC SE', '> IAC SB TTYPE SEND IAC SE'],
    );
  });

  it('shows every data byte, non-printables escaped, and an undoubled IAC as data 0xFF', () => {
    assert.deepEqual(traced(false, '<', [0x68, 0x69, 0x0d, 0x0a, 0x1b, 255, 255]), ['< data 6 "hi\\x0d\\x0a\\x1b\\xff"']);
  });

  it('keeps state across reads, so a command split in two is named once', () => {
    assert.deepEqual(traced(false, '<', [255], [253], [31]), ['< IAC DO NAWS']);
  });

  it('in raw mode shows bytes only, naming nothing', () => {
    assert.deepEqual(traced(true, '<', [255, 251, 1]), ['< data 3 "\\xff\\xfb\\x01"']);
  });
});
