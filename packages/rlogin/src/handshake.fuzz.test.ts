// Fuzzing the rlogin handshake reader (PROTOCOL-NOTES hostile inputs 2, 11 and 12 at the
// byte level): any bytes in any reads give the same verdict, nothing throws, no field
// grows past its cap, the parser decides within a bounded number of bytes, and a
// handshake written by a client comes back field for field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cutPoints, fuzz, splitAt } from '../../../tools/fuzz/fuzz-settings.js';
import { RLOGIN_MAX_FIELD_BYTES, RloginHandshakeParser, type RloginHandshakeStep } from './handshake.js';

/**
 * The most a handshake can take before the parser must decide: a leading NUL, a
 * duplicate NUL, three full fields with their NULs and a full fourth field.
 */
const DECIDED_WITHIN = 2 + 4 * (RLOGIN_MAX_FIELD_BYTES + 1);

/** Push reads until the parser decides; the step, and how many input bytes it consumed. */
function feed(chunks: readonly Buffer[]): { step: RloginHandshakeStep; consumed: number; parser: RloginHandshakeParser } {
  const parser = new RloginHandshakeParser();
  let step: RloginHandshakeStep = { done: false };
  let pushed = 0;
  for (const c of chunks) {
    step = parser.push(c);
    pushed += c.length;
    if (step.done || step.error) break;
  }
  // A finished handshake hands back the rest of its last read as the caller's first input.
  return { step, consumed: step.done ? pushed - step.rest.length : pushed, parser };
}

/** Bytes biased to NUL, slash, digits and controls: the handshake's own alphabet. */
const handshakeByte = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 255 }) },
  { weight: 3, arbitrary: fc.constantFrom(0x00, 0x00, 0x2f, 0x30, 0x39, 0x0d, 0x0a, 0x7f, 0x61) },
);
/** Starting with NUL most of the time, or the parser stops at the first byte. */
const hostileHandshake = fc
  .tuple(fc.boolean(), fc.array(handshakeByte, { maxLength: 1500 }))
  .map(([lead, body]) => Buffer.from(lead ? [0, ...body] : body));

describe('RloginHandshakeParser under fuzzing', () => {
  it('throws nothing and reaches the same verdict, fields and first input however the bytes are cut', () => {
    fuzz(
      fc.property(hostileHandshake, cutPoints, (input, cuts) => {
        const whole = feed([input]);
        const split = feed(splitAt(input, cuts));
        assert.equal(split.step.error, whole.step.error);
        assert.equal(split.step.done, whole.step.done);
        if (whole.step.done && split.step.done) {
          const { rest: _a, ...fieldsWhole } = whole.step;
          const { rest: _b, ...fieldsSplit } = split.step;
          assert.deepEqual(fieldsSplit, fieldsWhole);
          assert.equal(split.consumed, whole.consumed);
        }
        if (!whole.step.done && !whole.step.error) assert.equal(split.parser.canFinishWithoutFinalNul, whole.parser.canFinishWithoutFinalNul);
      }),
      200,
    );
  });

  it('decides within a bounded number of bytes and never keeps a field past its cap', () => {
    fuzz(
      fc.property(hostileHandshake, cutPoints, (input, cuts) => {
        const { step, consumed, parser } = feed(splitAt(input, cuts));
        if (input.length >= DECIDED_WITHIN) assert.ok(step.done || step.error, `undecided after ${input.length} bytes`);
        let final = step;
        if (!step.done && !step.error) final = parser.finishWithoutFinalNul();
        if (final.done) {
          for (const f of [final.clientUser, final.serverUser, final.terminalField]) {
            assert.ok(Buffer.byteLength(f, 'latin1') <= RLOGIN_MAX_FIELD_BYTES, `a ${f.length}-character field`);
            assert.doesNotMatch(f, /[\x00-\x1f\x7f]/);
          }
          assert.ok(consumed <= DECIDED_WITHIN);
        }
      }),
      200,
    );
  });

  /** A field a client may send: printable, no NUL, at most the cap. */
  const field = (min: number) => fc.stringMatching(new RegExp(`^[ -~]{${min},${RLOGIN_MAX_FIELD_BYTES}}$`));
  const termSpeed = fc.tuple(fc.stringMatching(/^[!-.0-~]{0,40}$/), fc.integer({ min: 0, max: 999_999_999 })).map(([t, s]) => `${t}/${s}`);
  /** A server-user that cannot be mistaken for a terminal field (see the duplicate-NUL rule). */
  const serverUser = field(0).filter((s) => !/^[^/]*\/\d+$/.test(s));

  it('reads back what a client wrote: NUL client-user NUL server-user NUL term/speed NUL, then input', () => {
    fuzz(
      fc.property(field(1), field(0), fc.oneof(termSpeed, field(0)), fc.uint8Array({ maxLength: 50 }), cutPoints, (clientUser, server, terminal, rest, cuts) => {
        const wire = Buffer.concat([Buffer.from(`\0${clientUser}\0${server}\0${terminal}\0`, 'latin1'), Buffer.from(rest)]);
        const { step, consumed } = feed(splitAt(wire, cuts));
        assert.ok(step.done, `not done: ${JSON.stringify(step)}`);
        assert.deepEqual([step.clientUser, step.serverUser, step.terminalField], [clientUser, server, terminal]);
        assert.equal(consumed, wire.length - rest.length);
      }),
      200,
    );
  });

  it('reads the same fields behind a door server connector\'s leading duplicate NUL', () => {
    fuzz(
      fc.property(field(0), serverUser, fc.oneof(termSpeed, field(0)), cutPoints, (clientUser, server, terminal, cuts) => {
        const plain = `\0${clientUser}\0${server}\0${terminal}\0`;
        fc.pre(clientUser !== '' || !/^[^/]*\/\d+$/.test(server));
        const { step } = feed(splitAt(Buffer.from(`\0${plain}`, 'latin1'), cuts));
        assert.ok(step.done, `not done: ${JSON.stringify(step)}`);
        assert.deepEqual([step.clientUser, step.serverUser, step.terminalField], [clientUser, server, terminal]);
      }),
      200,
    );
  });
});
