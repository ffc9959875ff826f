// Fuzzing the key decoder (PROTOCOL-NOTES hostile inputs 9 and 15 after the front end):
// whatever text a caller's terminal sends, in whatever reads, nothing throws, no sequence
// buffer grows past MAX_SEQUENCE, no key is invented, and the keys a terminal encodes
// come back as the same keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cutPoints, fuzz, splitText } from '../../../tools/fuzz/fuzz-settings.js';
import { KeyDecoder, MAX_SEQUENCE, type Key, type KeyName } from './keys.js';

function decode(chunks: readonly string[]): { keys: Key[]; maxPending: number } {
  const d = new KeyDecoder();
  const keys: Key[] = [];
  let maxPending = 0;
  for (const c of chunks) {
    keys.push(...d.push(c));
    maxPending = Math.max(maxPending, d.pendingLength);
  }
  keys.push(...d.flush());
  return { keys, maxPending };
}

/** What a key means, without the raw text it came from. */
const meaning = (k: Key) =>
  k.name === 'cpr' ? { name: k.name, row: k.row, col: k.col } : { name: k.name, ch: k.ch, ctrl: !!k.ctrl, shift: !!k.shift, alt: !!k.alt };

/** Text heavy in ESC, brackets, digits, separators and finals, plus any Unicode at all. */
const terminalText = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 4 }),
      fc.string({ unit: 'binary', maxLength: 4 }),
      fc.constantFrom('\x1b', '\x1b[', '\x1bO', '\x1b[[', '\x1b[M', '[', ';', '1', '5', '~', 'R', 'A', '$', '^', '@', '\r', '\n', '\r\n', '\0', '\x7f', '\x9b', '\x1b[999;999R', '\x1b[0;0R'),
      fc.string({ unit: fc.constantFrom('0', '1', '9', ';', '?', '>', '='), maxLength: 50 }).map((p) => `\x1b[${p}`),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

describe('KeyDecoder under fuzzing', () => {
  it('throws nothing, holds at most MAX_SEQUENCE characters, and makes at most one key per character', () => {
    fuzz(
      fc.property(terminalText, cutPoints, (text, cuts) => {
        const { keys, maxPending } = decode(splitText(text, cuts));
        assert.ok(maxPending <= MAX_SEQUENCE, `held ${maxPending} characters`);
        assert.ok(keys.length <= [...text].length);
        for (const k of keys) {
          // A character key is never a control, an escape or a C1 byte smuggled through.
          if (k.name === 'char') assert.doesNotMatch(k.ch ?? '', /^[\x00-\x1f\x7f-\x9f]$/u);
          if (k.name === 'cpr') assert.ok(k.row >= 0 && k.row <= 99999 && k.col >= 0 && k.col <= 99999);
        }
      }),
      250,
    );
  });

  it('decodes the same keys however the text is cut into reads', () => {
    fuzz(
      fc.property(terminalText, cutPoints, (text, cuts) => {
        assert.deepEqual(decode(splitText(text, cuts)).keys.map(meaning), decode([text]).keys.map(meaning));
      }),
      250,
    );
  });

  it('holds a thousand-character escape sequence in at most MAX_SEQUENCE characters and then recovers', () => {
    fuzz(
      fc.property(fc.integer({ min: MAX_SEQUENCE, max: 5000 }), fc.constantFrom('0', ';', '?'), cutPoints, (n, filler, cuts) => {
        const { keys, maxPending } = decode(splitText(`\x1b[${filler.repeat(n)}Aok`, cuts));
        assert.ok(maxPending <= MAX_SEQUENCE);
        // The overlong sequence is dropped whole; what follows it is typed text again.
        assert.deepEqual(keys.map(meaning), ['o', 'k'].map((ch) => ({ name: 'char', ch, ctrl: false, shift: false, alt: false })));
      }),
      50,
    );
  });
});

describe('decode(encode(keys)) = keys', () => {
  it('for printable text: one character key per code point', () => {
    const printable = fc.string({ unit: 'grapheme', maxLength: 200 }).map((s) => s.replace(/[\x00-\x1f\x7f-\x9f]/gu, ''));
    fuzz(
      fc.property(printable, cutPoints, (text, cuts) => {
        assert.deepEqual(
          decode(splitText(text, cuts)).keys.map((k) => (k.name === 'char' ? k.ch : k.name)),
          [...text],
        );
      }),
      200,
    );
  });

  /** A key as a terminal of the xterm family sends it, with its modifiers (shift 1, alt 2, ctrl 4). */
  type Pressed = { kind: 'named'; name: KeyName; mods: number } | { kind: 'char'; ch: string } | { kind: 'enter' };
  const LETTER: Partial<Record<KeyName, string>> = { up: 'A', down: 'B', right: 'C', left: 'D', home: 'H', end: 'F' };
  const SS3: Partial<Record<KeyName, string>> = { f1: 'P', f2: 'Q', f3: 'R', f4: 'S' };
  const TILDE: Partial<Record<KeyName, number>> = { insert: 2, delete: 3, pageup: 5, pagedown: 6, f5: 15, f6: 17, f7: 18, f8: 19, f9: 20, f10: 21, f11: 23, f12: 24 };
  const NAMED = [...Object.keys(LETTER), ...Object.keys(SS3), ...Object.keys(TILDE)] as KeyName[];

  function encode(k: Pressed): string {
    if (k.kind === 'char') return k.ch;
    if (k.kind === 'enter') return '\r';
    const m = k.mods === 0 ? '' : String(1 + k.mods);
    if (LETTER[k.name]) return m ? `\x1b[1;${m}${LETTER[k.name]}` : `\x1b[${LETTER[k.name]}`;
    // Old xterms put the modifier straight after SS3 (CSI 1;m R would be a position report).
    if (SS3[k.name]) return `\x1bO${m}${SS3[k.name]}`;
    return m ? `\x1b[${TILDE[k.name]};${m}~` : `\x1b[${TILDE[k.name]}~`;
  }

  const pressed: fc.Arbitrary<Pressed> = fc.oneof(
    fc.record({ kind: fc.constant('named' as const), name: fc.constantFrom(...NAMED), mods: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('char' as const), ch: fc.constantFrom('a', 'Z', '5', ' ', '[', 'O', 'é', '日') }),
    fc.constant({ kind: 'enter' as const }),
  );

  it('for arrows, editing and function keys with any modifiers, mixed with typing', () => {
    fuzz(
      fc.property(fc.array(pressed, { maxLength: 40 }), cutPoints, (keys, cuts) => {
        const got = decode(splitText(keys.map(encode).join(''), cuts)).keys.map(meaning);
        const want = keys.map((k) => {
          if (k.kind === 'char') return { name: 'char', ch: k.ch, ctrl: false, shift: false, alt: false };
          if (k.kind === 'enter') return { name: 'enter', ch: undefined, ctrl: false, shift: false, alt: false };
          return { name: k.name, ch: undefined, ctrl: (k.mods & 4) !== 0, shift: (k.mods & 1) !== 0, alt: (k.mods & 2) !== 0 };
        });
        assert.deepEqual(got, want);
      }),
      250,
    );
  });

  it('for cursor position reports, any row and column up to five digits', () => {
    fuzz(
      fc.property(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 99999 }), cutPoints, (row, col, cuts) => {
        assert.deepEqual(decode(splitText(`\x1b[${row};${col}R`, cuts)).keys.map(meaning), [{ name: 'cpr', row, col }]);
      }),
      100,
    );
  });
});
