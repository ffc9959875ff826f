// Fuzzing option negotiation (PROTOCOL-NOTES hostile inputs 4, 5, 7, 8 and 10 at the
// protocol level): the RFC 1143 table never loops and both ends agree, a flapping peer
// buys a bounded number of replies, the server negotiator survives any sequence of
// commands and subnegotiations with sane results, and a client that answers every
// question always lets negotiation finish.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { clampSize, sanitizeToken, TERMINAL_LIMITS } from '@carrier/core';
import { fuzz } from '../../../tools/fuzz/fuzz-settings.js';
import { Charset, Cmd, Env, Opt, Ttype, type NegotiationCommand } from './constants.js';
import { TelnetDecoder } from './decoder.js';
import {
  encodeCharsetAccepted,
  encodeCharsetRejected,
  encodeCharsetRequest,
  encodeCommand,
  encodeNaws,
  encodeNewEnvironIs,
  encodeSubnegotiation,
  encodeTtypeIs,
  type EnvEntry,
} from './encoder.js';
import { ServerNegotiator, SERVER_POLICY, type NegotiationInput } from './negotiator.js';
import { parseNewEnviron } from './options/new-environ.js';
import { DEFAULT_MAX_REPLIES_PER_OPTION, QMethod, type OptionPolicy, type Side } from './qmethod.js';
import { rawDecoder } from './test-helpers.js';

const VERBS: readonly NegotiationCommand[] = [Cmd.WILL, Cmd.WONT, Cmd.DO, Cmd.DONT];

/** The commands in some bytes an end sent (each reply is IAC verb option). */
function commandsIn(bytes: Buffer): { command: NegotiationCommand; option: number }[] {
  const out: { command: NegotiationCommand; option: number }[] = [];
  for (const ev of rawDecoder().push(bytes)) {
    if (ev.type === 'command' && ev.option !== undefined) out.push({ command: ev.command as NegotiationCommand, option: ev.option });
  }
  return out;
}

const policyArb = (options: readonly number[]): fc.Arbitrary<OptionPolicy> =>
  fc.record({ us: fc.subarray([...options]), him: fc.subarray([...options]) }).map((p) => ({ us: new Set(p.us), him: new Set(p.him) }));
/** Mostly agreeable ends: a refusal ends an exchange early, and the queue-bit paths need options that turn on. */
const agreeingPolicy = (options: readonly number[]): fc.Arbitrary<OptionPolicy> =>
  fc.oneof({ weight: 3, arbitrary: fc.constant({ us: new Set(options), him: new Set(options) }) }, { weight: 1, arbitrary: policyArb(options) });

describe('the RFC 1143 Q method between two ends', () => {
  /** Two options, so requests and answers about the same option collide often. */
  const OPTIONS = [Opt.ECHO, Opt.SGA];
  type Step =
    | { kind: 'request'; end: 0 | 1; side: Side; option: number; enable: boolean }
    | { kind: 'deliver'; to: 0 | 1 };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({
      kind: fc.constant('request' as const),
      end: fc.constantFrom(0 as const, 1 as const),
      side: fc.constantFrom('us' as const, 'him' as const),
      option: fc.constantFrom(...OPTIONS),
      enable: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('deliver' as const), to: fc.constantFrom(0 as const, 1 as const) }),
  );

  it('settles without a loop, with both ends agreeing on every option, whatever the requests and their timing', () => {
    fuzz(
      fc.property(agreeingPolicy(OPTIONS), agreeingPolicy(OPTIONS), fc.array(step, { maxLength: 80 }), (policyA, policyB, steps) => {
        // No flapping cap here: this is the table's own guarantee, not the cap's.
        const ends = [new QMethod({ maxRepliesPerOption: Infinity }), new QMethod({ maxRepliesPerOption: Infinity })] as const;
        const policies = [policyA, policyB] as const;
        // In flight towards end i, in order (TCP keeps each direction's order).
        type Msg = { command: NegotiationCommand; option: number };
        const wire: [Msg[], Msg[]] = [[], []];
        const send = (to: 0 | 1, bytes: Buffer | null | undefined): void => {
          if (bytes) wire[to].push(...commandsIn(bytes));
        };
        const deliver = (to: 0 | 1): void => {
          const msg = wire[to].shift();
          if (msg) send(to === 0 ? 1 : 0, ends[to].receive(msg.command, msg.option, policies[to]).send);
        };
        for (const s of steps) {
          if (s.kind === 'request') send(s.end === 0 ? 1 : 0, ends[s.end].request(s.side, s.option, s.enable));
          else deliver(s.to);
        }
        // Drain. Each request can cause only a few messages; a loop would run past this.
        let budget = 20 * (steps.length + 1);
        while (wire[0].length + wire[1].length > 0) {
          assert.ok(budget-- > 0, 'negotiation did not settle: the ends are looping');
          deliver(wire[0].length > 0 ? 0 : 1);
        }
        for (const option of OPTIONS) {
          for (const [us, him] of [[0, 1], [1, 0]] as const) {
            const a = ends[us].state('us', option);
            const b = ends[him].state('him', option);
            assert.ok(a === 'YES' || a === 'NO', `option ${option} left ${a} after settling`);
            assert.equal(a, b, `end ${us} performs option ${option}: ${a}, end ${him} thinks ${b}`);
          }
        }
      }),
      300,
    );
  });

  it('gives a peer that flips options at most the capped number of replies per option and side', () => {
    // Mostly three options, so each is flipped hundreds of times and the cap is reached.
    const option = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(Opt.ECHO, Opt.SGA, Opt.LINEMODE) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) });
    const command = fc.record({ command: fc.constantFrom(...VERBS), option });
    fuzz(
      fc.property(fc.array(command, { maxLength: 3000 }), (commands) => {
        const q = new QMethod();
        const replies = new Map<string, number>();
        for (const c of commands) {
          const sent = q.receive(c.command, c.option, SERVER_POLICY).send;
          if (!sent) continue;
          const key = `${c.command === Cmd.WILL || c.command === Cmd.WONT ? 'him' : 'us'}:${c.option}`;
          replies.set(key, (replies.get(key) ?? 0) + 1);
        }
        for (const [key, n] of replies) assert.ok(n <= DEFAULT_MAX_REPLIES_PER_OPTION, `${n} replies about ${key}`);
      }),
      50,
    );
  });
});

/** Options the server cares about, plus a few it refuses, so commands hit real paths. */
const interestingOption = fc.oneof(
  fc.constantFrom(Opt.BINARY, Opt.ECHO, Opt.SGA, Opt.TIMING_MARK, Opt.TTYPE, Opt.NAWS, Opt.LINEMODE, Opt.ENVIRON, Opt.NEW_ENVIRON, Opt.CHARSET),
  fc.integer({ min: 0, max: 255 }),
);
const field = fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a));

/** Subnegotiation bodies: random bytes, and well-formed messages with hostile contents. */
const sbInput: fc.Arbitrary<NegotiationInput> = fc.oneof(
  fc.record({ option: interestingOption, data: field }),
  fc.record({
    option: fc.constant(Opt.TTYPE),
    data: fc.oneof(field, field.map((n) => Buffer.concat([Buffer.from([Ttype.IS]), n]))),
  }),
  fc.record({
    option: fc.constant(Opt.NAWS),
    data: fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })).map(([w, h]) => {
      const b = Buffer.alloc(4);
      b.writeUInt16BE(w, 0);
      b.writeUInt16BE(h, 2);
      return b;
    }),
  }),
  fc.record({
    option: fc.constant(Opt.NEW_ENVIRON),
    data: fc
      .tuple(fc.constantFrom(Env.IS, Env.INFO, Env.SEND), fc.array(fc.oneof(field, fc.constantFrom(Buffer.from([Env.VAR]), Buffer.from([Env.VALUE]), Buffer.from([Env.ESC]), Buffer.from('USER'), Buffer.from('TERM'), Buffer.from('-f root'))), { maxLength: 30 }))
      .map(([kind, parts]) => Buffer.concat([Buffer.from([kind]), ...parts])),
  }),
  fc.record({
    option: fc.constant(Opt.CHARSET),
    data: fc
      .tuple(fc.constantFrom(Charset.REQUEST, Charset.ACCEPTED, Charset.REJECTED, Charset.TTABLE_IS), fc.array(fc.constantFrom('UTF-8', 'CP437', 'KOI8-R', 'x', ''), { maxLength: 50 }))
      .map(([code, names]) => Buffer.concat([Buffer.from([code]), Buffer.from(names.map((n) => `;${n}`).join(''), 'latin1')])),
  }),
).map((sb) => ({ type: 'subnegotiation' as const, ...sb }));

const anyInput: fc.Arbitrary<NegotiationInput | 'handOver'> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ type: fc.constant('command' as const), command: fc.constantFrom(...VERBS), option: interestingOption }) },
  { weight: 5, arbitrary: sbInput },
  { weight: 1, arbitrary: fc.constant('handOver' as const) },
);

describe('ServerNegotiator under fuzzing', () => {
  it('throws nothing, answers each input with a bounded reply, and always resolves a sane terminal', () => {
    fuzz(
      fc.property(fc.array(anyInput, { maxLength: 400 }), (inputs) => {
        const n = new ServerNegotiator();
        const opening = n.start().length;
        let sent = 0;
        let steps = 0;
        for (const input of inputs) {
          if (input === 'handOver') {
            n.handOver();
            continue;
          }
          steps++;
          sent += n.handle(input).send.reduce((sum, b) => sum + b.length, 0);
        }
        // No amplification: the largest single answer is the env request (a few SBs of at
        // most 240 bytes each); everything else is a 3-byte reply or a short SB.
        assert.ok(sent <= 1024 + steps * 64, `${sent} bytes sent for ${steps} inputs after a ${opening}-byte opening`);
        const t = n.result();
        const L = TERMINAL_LIMITS;
        assert.ok(t.cols >= L.minCols && t.cols <= L.maxCols && t.rows >= L.minRows && t.rows <= L.maxRows, `${t.cols}x${t.rows}`);
        assert.match(t.type, /^[!-~]{1,40}$/);
        assert.ok(t.types.length <= L.maxTypeAnswers + 1);
        for (const type of t.types) assert.match(type, /^[!-~ ]{1,40}$/);
        assert.ok(Object.keys(t.env).length <= L.maxEnvEntries);
        for (const [key, value] of Object.entries(t.env)) {
          assert.match(key, /^[!-~]{1,64}$/);
          assert.equal(key, key.toUpperCase());
          assert.match(value, /^[ -~]{0,256}$/);
        }
        assert.ok(t.encoding === 'cp437' || t.encoding === 'utf8');
        // An env never becomes an object with a prototype to pollute.
        assert.equal(Object.getPrototypeOf(t.env), Object.prototype);
        assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
      }),
      150,
    );
  });

  /** A client that answers every question, with random choices of what it supports. */
  interface Client {
    will: number[];
    do: number[];
    ttypes: string[];
    naws: [number, number];
    env: EnvEntry[];
    charset: 'UTF-8' | 'CP437' | 'reject';
    timingMark: 'will' | 'wont';
  }
  const clientArb: fc.Arbitrary<Client> = fc.record({
    will: fc.subarray([Opt.BINARY, Opt.SGA, Opt.TTYPE, Opt.NAWS, Opt.NEW_ENVIRON, Opt.CHARSET, Opt.LINEMODE, Opt.ECHO]),
    do: fc.subarray([Opt.BINARY, Opt.SGA, Opt.ECHO, Opt.CHARSET, Opt.STATUS]),
    ttypes: fc.array(fc.constantFrom('ANSI', 'VT100', 'xterm-256color', 'syncterm', 'MTTS 137', '', 'a'.repeat(300)), { maxLength: 12 }),
    naws: fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })),
    env: fc.array(
      fc.record({ kind: fc.constantFrom('var' as const, 'uservar' as const), name: fc.constantFrom('USER', 'TERM', 'LANG', 'term'), value: fc.option(fc.constantFrom('-f root', 'xterm', 'en_US.UTF-8', ''), { nil: undefined }) }),
      { maxLength: 6 },
    ),
    charset: fc.constantFrom('UTF-8' as const, 'CP437' as const, 'reject' as const),
    timingMark: fc.constantFrom('will' as const, 'wont' as const),
  });

  it('finishes as soon as a client that answers everything has answered, whatever it supports', () => {
    fuzz(
      fc.property(clientArb, (c) => {
        const n = new ServerNegotiator();
        const q = new QMethod();
        const policy: OptionPolicy = { us: new Set(c.will), him: new Set(c.do) };
        const toServer: Buffer[] = [];
        let typeIndex = 0;
        const fromServer = rawDecoder();
        const toClient: Buffer[] = [n.start()];
        let rounds = 0;
        while (toClient.length + toServer.length > 0) {
          assert.ok(rounds++ < 500, 'negotiation is looping');
          for (const ev of fromServer.push(Buffer.concat(toClient.splice(0)))) {
            if (ev.type === 'command' && ev.option === Opt.TIMING_MARK) {
              if (ev.command === Cmd.DO) toServer.push(encodeCommand(c.timingMark === 'will' ? Cmd.WILL : Cmd.WONT, Opt.TIMING_MARK));
            } else if (ev.type === 'command' && ev.option !== undefined) {
              const r = q.receive(ev.command as NegotiationCommand, ev.option, policy);
              if (r.send) toServer.push(r.send);
              if (r.changed?.side === 'us' && r.changed.option === Opt.NAWS && r.changed.enabled) toServer.push(encodeNaws(...c.naws));
            } else if (ev.type === 'subnegotiation' && ev.option === Opt.TTYPE) {
              const name = c.ttypes.length === 0 ? '' : c.ttypes[typeIndex++ % c.ttypes.length]!;
              toServer.push(encodeTtypeIs(name));
            } else if (ev.type === 'subnegotiation' && ev.option === Opt.NEW_ENVIRON) {
              assert.equal(parseNewEnviron(ev.data)?.kind, 'send');
              toServer.push(encodeNewEnvironIs(c.env));
            } else if (ev.type === 'subnegotiation' && ev.option === Opt.CHARSET && ev.data[0] === Charset.REQUEST) {
              toServer.push(c.charset === 'reject' ? encodeCharsetRejected() : encodeCharsetAccepted(c.charset));
            }
          }
          for (const ev of new TelnetDecoder().push(Buffer.concat(toServer.splice(0)))) {
            if (ev.type === 'command' && ev.option !== undefined) toClient.push(...n.handle({ type: 'command', command: ev.command as NegotiationCommand, option: ev.option }).send);
            else if (ev.type === 'subnegotiation') toClient.push(...n.handle({ type: 'subnegotiation', option: ev.option, data: ev.data }).send);
          }
        }
        assert.ok(n.complete, 'every question was answered, yet negotiation is not complete');
        const t = n.handOver();
        const size = clampSize(...c.naws);
        if (c.will.includes(Opt.NAWS) && size.sane) assert.deepEqual([t.cols, t.rows, t.sizeSource], [size.cols, size.rows, 'naws']);
        else assert.deepEqual([t.cols, t.rows, t.sizeSource], [TERMINAL_LIMITS.defaultCols, TERMINAL_LIMITS.defaultRows, 'default']);
        if (!c.will.includes(Opt.TTYPE) && !c.will.includes(Opt.NEW_ENVIRON)) assert.equal(t.type, 'unknown');
        // The type is one the client named (cleaned), its TERM, or unknown: never made up.
        const named = [...c.ttypes, ...c.env.filter((e) => e.name.toUpperCase() === 'TERM').map((e) => e.value ?? '')];
        assert.ok([...named.map((x) => sanitizeToken(x, TERMINAL_LIMITS.maxTypeLength, true)), 'unknown'].includes(t.type), t.type);
      }),
      200,
    );
  });

  it('keeps a subnegotiation of random bytes from ever escaping as an exception, for every option', () => {
    fuzz(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 2000 }), (option, data) => {
        const n = new ServerNegotiator();
        n.start();
        const step = n.handle({ type: 'subnegotiation', option, data: Buffer.from(data) });
        for (const b of step.send) assert.ok(b.length <= 256);
      }),
      200,
    );
  });
});

// A sanity check that the helpers above decode what the encoder writes: a broken helper
// would make every property above pass vacuously.
describe('the fuzz harness itself', () => {
  it('reads back the commands and subnegotiations it builds', () => {
    assert.deepEqual(commandsIn(Buffer.concat([encodeCommand(Cmd.DO, Opt.NAWS), encodeSubnegotiation(Opt.TTYPE, [Ttype.SEND]), encodeCommand(Cmd.WONT, 200)])), [
      { command: Cmd.DO, option: Opt.NAWS },
      { command: Cmd.WONT, option: 200 },
    ]);
    assert.ok(encodeCharsetRequest(['UTF-8']).length > 0);
  });
});
