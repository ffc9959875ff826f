import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KeyDecoder, LATE_SEQUENCE_MS, type Key } from './keys.js';

type Expect = Partial<Omit<Key, 'raw'>> & { name: Key['name'] } & Record<string, unknown>;

/** Every key form the decoder knows, with what it must decode to. */
const KEYS: [string, string, Expect][] = [
  ['xterm up', '\x1b[A', { name: 'up' }],
  ['xterm down', '\x1b[B', { name: 'down' }],
  ['xterm right', '\x1b[C', { name: 'right' }],
  ['xterm left', '\x1b[D', { name: 'left' }],
  ['application up', '\x1bOA', { name: 'up' }],
  ['application down', '\x1bOB', { name: 'down' }],
  ['application right', '\x1bOC', { name: 'right' }],
  ['application left', '\x1bOD', { name: 'left' }],
  ['xterm home', '\x1b[H', { name: 'home' }],
  ['xterm end', '\x1b[F', { name: 'end' }],
  ['application home', '\x1bOH', { name: 'home' }],
  ['application end', '\x1bOF', { name: 'end' }],
  ['vt220 home', '\x1b[1~', { name: 'home' }],
  ['vt220 insert', '\x1b[2~', { name: 'insert' }],
  ['vt220 delete', '\x1b[3~', { name: 'delete' }],
  ['vt220 end', '\x1b[4~', { name: 'end' }],
  ['page up', '\x1b[5~', { name: 'pageup' }],
  ['page down', '\x1b[6~', { name: 'pagedown' }],
  ['rxvt home', '\x1b[7~', { name: 'home' }],
  ['rxvt end', '\x1b[8~', { name: 'end' }],
  ['vt220 F1', '\x1b[11~', { name: 'f1' }],
  ['vt220 F2', '\x1b[12~', { name: 'f2' }],
  ['vt220 F3', '\x1b[13~', { name: 'f3' }],
  ['vt220 F4', '\x1b[14~', { name: 'f4' }],
  ['F5', '\x1b[15~', { name: 'f5' }],
  ['F6', '\x1b[17~', { name: 'f6' }],
  ['F7', '\x1b[18~', { name: 'f7' }],
  ['F8', '\x1b[19~', { name: 'f8' }],
  ['F9', '\x1b[20~', { name: 'f9' }],
  ['F10', '\x1b[21~', { name: 'f10' }],
  ['F11', '\x1b[23~', { name: 'f11' }],
  ['F12', '\x1b[24~', { name: 'f12' }],
  ['xterm F1', '\x1bOP', { name: 'f1' }],
  ['xterm F2', '\x1bOQ', { name: 'f2' }],
  ['xterm F3', '\x1bOR', { name: 'f3' }],
  ['xterm F4', '\x1bOS', { name: 'f4' }],
  ['linux console F1', '\x1b[[A', { name: 'f1' }],
  ['linux console F2', '\x1b[[B', { name: 'f2' }],
  ['linux console F3', '\x1b[[C', { name: 'f3' }],
  ['linux console F4', '\x1b[[D', { name: 'f4' }],
  ['linux console F5', '\x1b[[E', { name: 'f5' }],
  ['ANSI-BBS end', '\x1b[K', { name: 'end' }],
  ['ANSI-BBS insert', '\x1b[@', { name: 'insert' }],
  ['SyncTERM page up', '\x1b[V', { name: 'pageup' }],
  ['SyncTERM page down', '\x1b[U', { name: 'pagedown' }],
  ['ctrl up', '\x1b[1;5A', { name: 'up', ctrl: true }],
  ['shift right', '\x1b[1;2C', { name: 'right', shift: true }],
  ['alt left', '\x1b[1;3D', { name: 'left', alt: true }],
  ['ctrl shift home', '\x1b[1;6H', { name: 'home', ctrl: true, shift: true }],
  ['ctrl delete', '\x1b[3;5~', { name: 'delete', ctrl: true }],
  ['shift F5', '\x1b[15;2~', { name: 'f5', shift: true }],
  ['ctrl F1', '\x1b[1;5P', { name: 'f1', ctrl: true }],
  ['old xterm ctrl up', '\x1bO5A', { name: 'up', ctrl: true }],
  ['rxvt shift delete', '\x1b[3$', { name: 'delete', shift: true }],
  ['rxvt ctrl delete', '\x1b[3^', { name: 'delete', ctrl: true }],
  ['back tab', '\x1b[Z', { name: 'tab', shift: true }],
  ['keypad enter', '\x1bOM', { name: 'enter' }],
  ['keypad 7', '\x1bOw', { name: 'char', ch: '7' }],
  ['cursor position report', '\x1b[12;40R', { name: 'cpr', row: 12, col: 40 }],
  ['alt x', '\x1bx', { name: 'char', ch: 'x', alt: true }],
  ['alt enter', '\x1b\r', { name: 'enter', alt: true }],
  ['enter', '\r', { name: 'enter' }],
  ['lone line feed', '\n', { name: 'enter' }],
  ['tab', '\t', { name: 'tab' }],
  ['backspace (BS)', '\x08', { name: 'backspace' }],
  ['backspace (DEL)', '\x7f', { name: 'backspace' }],
  ['ctrl a', '\x01', { name: 'char', ch: 'a', ctrl: true }],
  ['ctrl c', '\x03', { name: 'char', ch: 'c', ctrl: true }],
  ['ctrl z', '\x1a', { name: 'char', ch: 'z', ctrl: true }],
  ['ctrl backslash', '\x1c', { name: 'char', ch: '\\', ctrl: true }],
  ['printable', 'q', { name: 'char', ch: 'q' }],
  ['non-ASCII letter', 'é', { name: 'char', ch: 'é' }],
  ['astral character', '😀', { name: 'char', ch: '😀' }],
];

function strip(k: Key): Record<string, unknown> {
  const { raw: _raw, ...rest } = k;
  return rest;
}

function decodeChunks(chunks: string[]): Key[] {
  const d = new KeyDecoder();
  const keys = chunks.flatMap((c) => d.push(c));
  return keys.concat(d.flush());
}

test('every key form decodes to its key, with raw set to the input', () => {
  for (const [label, seq, want] of KEYS) {
    const keys = decodeChunks([seq]);
    assert.equal(keys.length, 1, label);
    assert.deepEqual(strip(keys[0]!), want, label);
    assert.equal(keys[0]!.raw, seq, label);
  }
});

test('every key decodes identically when its text is split at any position', () => {
  for (const [label, seq, want] of KEYS) {
    const chars = [...seq];
    for (let cut = 1; cut < chars.length; cut++) {
      const d = new KeyDecoder();
      const keys = [...d.push(chars.slice(0, cut).join('')), ...d.push(chars.slice(cut).join(''))];
      assert.deepEqual(keys.map(strip), [want], `${label} cut at ${cut}`);
    }
  }
});

test('every key decodes identically one character per read, between other text', () => {
  for (const [label, seq, want] of KEYS) {
    const d = new KeyDecoder();
    const keys = [...'a' + seq + 'b'].flatMap((c) => d.push(c));
    assert.deepEqual(keys.map(strip), [{ name: 'char', ch: 'a' }, want, { name: 'char', ch: 'b' }], label);
  }
});

test('a bare ESC waits for the caller to flush, then is the Escape key', () => {
  const d = new KeyDecoder();
  assert.deepEqual(d.push('\x1b'), []);
  assert.equal(d.pendingEscape, true);
  assert.deepEqual(d.flush().map(strip), [{ name: 'escape' }]);
  assert.equal(d.pendingEscape, false);
  assert.deepEqual(d.flush(), []);
});

test('ESC ESC is an Escape key followed by a new escape', () => {
  const d = new KeyDecoder();
  assert.deepEqual(d.push('\x1b\x1b[A').map(strip), [{ name: 'escape' }, { name: 'up' }]);
});

test('flushing a lone CSI or SS3 introducer gives alt-[ and alt-O; a longer fragment is dropped', () => {
  const d = new KeyDecoder();
  d.push('\x1b[');
  assert.deepEqual(d.flush().map(strip), [{ name: 'char', ch: '[', alt: true }]);
  d.push('\x1bO');
  assert.deepEqual(d.flush().map(strip), [{ name: 'char', ch: 'O', alt: true }]);
  d.push('\x1b[1;');
  assert.deepEqual(d.flush(), []);
  assert.deepEqual(d.push('x').map(strip), [{ name: 'char', ch: 'x' }]);
});

test('CR LF is one Enter, even when the LF arrives in the next read', () => {
  assert.deepEqual(decodeChunks(['\r\n']).map((k) => k.name), ['enter']);
  assert.deepEqual(decodeChunks(['\r', '\n']).map((k) => k.name), ['enter']);
  assert.deepEqual(decodeChunks(['\r\r']).map((k) => k.name), ['enter', 'enter']);
  assert.deepEqual(decodeChunks(['\n\n']).map((k) => k.name), ['enter', 'enter']);
  assert.deepEqual(decodeChunks(['\ra\n']).map((k) => k.name), ['enter', 'char', 'enter']);
});

test('DEL is Delete when the caller says the terminal is SyncTERM', () => {
  const d = new KeyDecoder({ del: 'delete' });
  assert.deepEqual(d.push('\x7f\x08').map(strip), [{ name: 'delete' }, { name: 'backspace' }]);
});

test('NUL and C1 controls are dropped', () => {
  assert.deepEqual(decodeChunks(['a\x00\u0085b']).map(strip), [{ name: 'char', ch: 'a' }, { name: 'char', ch: 'b' }]);
});

test('unknown CSI sequences and terminal replies are consumed and never echoed as text', () => {
  for (const seq of ['\x1b[?1;2c', '\x1b[=67;84;101;114;109;1.2c', '\x1b[200~', '\x1b[99~', '\x1b[<0;10;5M', '\x1b[5A', '\x1b[2;3;4A', '\x1b[E', '\x1bOz']) {
    assert.deepEqual(decodeChunks(['x', seq, 'y']).map(strip), [{ name: 'char', ch: 'x' }, { name: 'char', ch: 'y' }], JSON.stringify(seq));
  }
});

test('an X10 mouse report is consumed with its three bytes', () => {
  assert.deepEqual(decodeChunks(['\x1b[M !!', 'z']).map(strip), [{ name: 'char', ch: 'z' }]);
});

test('an endless CSI parameter string is discarded without being echoed', () => {
  const d = new KeyDecoder();
  const keys = d.push('\x1b[' + '1;'.repeat(50_000));
  assert.deepEqual(keys, []);
  assert.deepEqual(d.push('Ab').map(strip), [{ name: 'char', ch: 'b' }]);
});

test('a control character ends a broken sequence and still counts as a key', () => {
  assert.deepEqual(decodeChunks(['\x1b[1\r']).map(strip), [{ name: 'enter' }]);
  assert.deepEqual(decodeChunks(['\x1b[12\x1b[A']).map(strip), [{ name: 'up' }]);
  assert.deepEqual(decodeChunks(['\x1bO\x03']).map(strip), [{ name: 'char', ch: 'c', ctrl: true }]);
});

test('a position report with one number is not a report', () => {
  assert.deepEqual(decodeChunks(['\x1b[5R']), []);
  assert.deepEqual(decodeChunks(['\x1b[R']).map(strip), [{ name: 'f3' }]);
});

test('no input makes the decoder throw or return text carrying ESC', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('\x1b', '\x1b[', '\x1bO', '[', ';', '1', '~', 'R', '\r', '\n')), { maxLength: 30 }), (chunks) => {
      const keys = decodeChunks(chunks);
      for (const k of keys) {
        if (k.name === 'char') {
          assert.ok(k.ch !== undefined && !/[\x00-\x1f\x7f]/.test(k.ch));
        }
      }
    }),
    { numRuns: 3000 },
  );
});

test('decoding does not depend on how the text was split', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...KEYS.map(([, seq]) => seq), 'a', ' ', 'Z'), { maxLength: 12 }),
      fc.array(fc.nat(200), { maxLength: 6 }),
      (parts, cuts) => {
        const text = parts.join('');
        const chars = [...text];
        const points = [...new Set(cuts.map((c) => c % (chars.length + 1)))].sort((a, b) => a - b);
        const chunks: string[] = [];
        let from = 0;
        for (const p of [...points, chars.length]) {
          chunks.push(chars.slice(from, p).join(''));
          from = p;
        }
        assert.deepEqual(decodeChunks(chunks), decodeChunks([text]));
      },
    ),
    { numRuns: 2000 },
  );
});

test('a sequence whose ESC was decided before it arrived (a slow link) is still its key, marked late', () => {
  const d = new KeyDecoder();
  assert.deepEqual(d.push('\x1b', 1000), []);
  assert.deepEqual(d.flush(1080), [{ name: 'escape', raw: '\x1b' }]);
  assert.deepEqual(d.push('[A', 1300), [{ name: 'up', raw: '\x1b[A', late: true }]);
  // Only the very next text: a later `[A` is typed.
  assert.deepEqual(d.push('[A', 1310).map((k) => k.raw), ['[', 'A']);
  // SS3 and tilde keys too, split anywhere after the `[`.
  d.push('\x1b', 2000);
  d.flush(2080);
  assert.deepEqual(d.push('O', 2200), []);
  assert.deepEqual(d.push('B', 2210), [{ name: 'down', raw: '\x1bOB', late: true }]);
  d.push('\x1b', 3000);
  d.flush(3080);
  assert.deepEqual(d.push('[5~x', 3200), [{ name: 'pageup', raw: '\x1b[5~', late: true }, { name: 'char', ch: 'x', raw: 'x' }]);
});

test('after a decided ESC, what is not a key sequence, or comes too late, is typed text', () => {
  const d = new KeyDecoder();
  const chars = (keys: Key[]): string[] => keys.map((k) => (k.name === 'char' ? k.ch! : k.name));
  d.push('\x1b', 0);
  d.flush(80);
  assert.deepEqual(chars(d.push(`[A`, 80 + LATE_SEQUENCE_MS + 1)), ['[', 'A']);
  d.push('\x1b', 0);
  d.flush(80);
  assert.deepEqual(chars(d.push('[hello', 200)), ['[', 'h', 'e', 'l', 'l', 'o']);
  d.push('\x1b', 0);
  d.flush(80);
  assert.deepEqual(chars(d.push('[1\r', 200)), ['[', '1', 'enter']);
  d.push('\x1b', 0);
  d.flush(80);
  assert.deepEqual(chars(d.push('[', 200)), []);
  assert.deepEqual(chars(d.flush(300)), ['['], 'an unfinished late `[` is the character, not Alt-[');
  d.push('\x1b', 0);
  d.flush(80);
  assert.deepEqual(chars(d.push('[M abc', 200)), ['[', 'M', ' ', 'a', 'b', 'c'], 'not taken as a mouse report');
  // Without a clock (a decoder whose caller keeps no time) nothing is late.
  const plain = new KeyDecoder();
  plain.push('\x1b');
  plain.flush();
  assert.deepEqual(chars(plain.push('[A')), ['[', 'A']);
  // An ESC that was part of a key, not decided alone, opens no window.
  d.push('\x1b[B', 0);
  assert.deepEqual(chars(d.push('[A', 10)), ['[', 'A']);
});
