import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Charset, Cmd, Env, Opt, Ttype } from './constants.js';
import { TelnetDecoder, type TelnetEvent } from './decoder.js';
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
import { ServerNegotiator, type NegotiationNote } from './negotiator.js';
import { parseNewEnviron } from './options/new-environ.js';
import { rawDecoder } from './test-helpers.js';

/**
 * A scripted telnet client: it reads what the server sends and answers the way a given
 * real client does. Option state is tracked so it answers each question once, like the
 * clients it stands for.
 */
interface ClientProfile {
  /** options it performs when asked DO (anything else: WONT) */
  will?: number[];
  /** options it lets the server perform when offered WILL (anything else: DONT) */
  do?: number[];
  /** its terminal types, in cycling order */
  ttypes?: (string | Buffer)[];
  /** after the last type: repeat it (RFC 1091) or start over (MS telnet) */
  ttypeEnd?: 'repeat-last' | 'wrap';
  /** NAWS report sent right after WILL NAWS */
  naws?: [number, number] | Buffer;
  /** values for requested variables; requested names it lacks are answered undefined */
  env?: Record<string, string>;
  /** charsets it accepts from a server REQUEST, in its own order of preference */
  charsets?: string[];
  /** answers DO TIMING-MARK (WILL TM) or refuses it (WONT TM) */
  timingMark?: 'will' | 'wont' | 'silent';
  /** bytes it sends on connect, before reading anything */
  opening?: Buffer[];
}

interface Run {
  n: ServerNegotiator;
  /** everything the server sent, decoded */
  sent: TelnetEvent[];
  notes: NegotiationNote[];
  sizes: { cols: number; rows: number }[];
  /** feed more client bytes after the scripted exchange */
  send(bytes: Buffer): TelnetEvent[];
}

function simulate(profile: ClientProfile): Run {
  const n = new ServerNegotiator();
  const serverSide = new TelnetDecoder();
  const clientSide = rawDecoder();
  const sent: TelnetEvent[] = [];
  const notes: NegotiationNote[] = [];
  const sizes: { cols: number; rows: number }[] = [];
  const answered = new Set<string>();
  let typeIndex = 0;

  const clientReact = (ev: TelnetEvent): Buffer[] => {
    if (ev.type === 'command' && ev.option !== undefined) {
      const o = ev.option;
      const k = `${ev.command}:${o}`;
      if (ev.command === Cmd.DO && o === Opt.TIMING_MARK) {
        const tm = profile.timingMark ?? 'will';
        return tm === 'silent' ? [] : [encodeCommand(tm === 'will' ? Cmd.WILL : Cmd.WONT, o)];
      }
      if (answered.has(k)) return [];
      answered.add(k);
      if (ev.command === Cmd.DO) {
        if (!profile.will?.includes(o)) return [encodeCommand(Cmd.WONT, o)];
        const out = [encodeCommand(Cmd.WILL, o)];
        if (o === Opt.NAWS && profile.naws) {
          const [c, r] = Array.isArray(profile.naws) ? profile.naws : [0, 0];
          out.push(Array.isArray(profile.naws) ? encodeNaws(c, r) : profile.naws);
        }
        return out;
      }
      if (ev.command === Cmd.WILL) return [encodeCommand(profile.do?.includes(o) ? Cmd.DO : Cmd.DONT, o)];
      return [];
    }
    if (ev.type !== 'subnegotiation') return [];
    if (ev.option === Opt.TTYPE && ev.data[0] === Ttype.SEND) {
      const list = profile.ttypes ?? [];
      if (list.length === 0) return [];
      let i = typeIndex++;
      i = profile.ttypeEnd === 'wrap' ? i % list.length : Math.min(i, list.length - 1);
      const t = list[i]!;
      return [Buffer.isBuffer(t) ? encodeSubnegotiation(Opt.TTYPE, Buffer.concat([Buffer.from([Ttype.IS]), t])) : encodeTtypeIs(t)];
    }
    if (ev.option === Opt.NEW_ENVIRON && ev.data[0] === Env.SEND) {
      const msg = parseNewEnviron(ev.data);
      const entries: EnvEntry[] = [];
      const seen = new Set<string>();
      for (const v of msg?.kind === 'send' ? msg.vars : []) {
        if (seen.has(v.name)) continue;
        seen.add(v.name);
        entries.push({ kind: v.kind, name: v.name, value: profile.env?.[v.name] });
      }
      return [encodeNewEnvironIs(entries)];
    }
    if (ev.option === Opt.CHARSET && ev.data[0] === Charset.REQUEST) {
      const offered = ev.data.subarray(2).toString('latin1').split(String.fromCharCode(ev.data[1]!));
      const pick = profile.charsets?.find((c) => offered.includes(c));
      return [pick ? encodeCharsetAccepted(pick) : encodeCharsetRejected()];
    }
    return [];
  };

  const toServer = (bytes: Buffer): Buffer[] => {
    const out: Buffer[] = [];
    for (const ev of serverSide.push(bytes)) {
      if (ev.type !== 'subnegotiation' && !(ev.type === 'command' && ev.option !== undefined)) continue;
      const step = n.handle(ev.type === 'command' ? { type: 'command', command: ev.command, option: ev.option! } : ev);
      out.push(...step.send);
      notes.push(...step.notes);
      if (step.size) sizes.push(step.size);
    }
    return out;
  };

  const exchange = (first: Buffer[], fromClient: boolean): TelnetEvent[] => {
    const seenByClient: TelnetEvent[] = [];
    let toClient = fromClient ? first.flatMap(toServer) : first;
    for (let round = 0; toClient.length > 0 && round < 100; round++) {
      const replies: Buffer[] = [];
      for (const b of toClient) {
        for (const ev of clientSide.push(b)) {
          sent.push(ev);
          seenByClient.push(ev);
          replies.push(...clientReact(ev));
        }
      }
      toClient = replies.flatMap(toServer);
    }
    return seenByClient;
  };

  exchange([...(profile.opening ?? []).flatMap(toServer), n.start()], false);
  return { n, sent, notes, sizes, send: (bytes) => exchange([bytes], true) };
}

const commandsSent = (run: Run, command: number): number[] =>
  run.sent.flatMap((e) => (e.type === 'command' && e.command === command && e.option !== undefined ? [e.option] : []));
const sbSent = (run: Run, option: number): Buffer[] =>
  run.sent.flatMap((e) => (e.type === 'subnegotiation' && e.option === option ? [e.data] : []));
const envRequested = (run: Run): string[] =>
  sbSent(run, Opt.NEW_ENVIRON).flatMap((d) => {
    const msg = parseNewEnviron(d);
    return msg?.kind === 'send' ? msg.vars.map((v) => v.name) : [];
  });

describe('what carrier asks on connect', () => {
  it('sends WILL ECHO, WILL SGA, DO SGA, WILL/DO BINARY, DO TTYPE, NAWS, NEW-ENVIRON, CHARSET, then DO TM last', () => {
    const n = new ServerNegotiator();
    const events = new TelnetDecoder().push(n.start());
    assert.deepEqual(
      events.map((e) => (e.type === 'command' ? [e.command, e.option] : e.type)),
      [
        [Cmd.WILL, Opt.ECHO],
        [Cmd.WILL, Opt.SGA],
        [Cmd.DO, Opt.SGA],
        [Cmd.WILL, Opt.BINARY],
        [Cmd.DO, Opt.BINARY],
        [Cmd.DO, Opt.TTYPE],
        [Cmd.DO, Opt.NAWS],
        [Cmd.DO, Opt.NEW_ENVIRON],
        [Cmd.DO, Opt.CHARSET],
        [Cmd.WILL, Opt.CHARSET],
        [Cmd.DO, Opt.TIMING_MARK],
      ],
    );
    assert.equal(n.complete, false);
  });
});

describe('negotiating with real clients', () => {
  it('inetutils telnet: cycles TTYPE to the repeat, reads NAWS and LANG, refuses LINEMODE without reading its SLC table', () => {
    const slc = Buffer.alloc(3 * 1000, 3);
    const run = simulate({
      will: [Opt.TTYPE, Opt.NAWS, Opt.NEW_ENVIRON, Opt.SGA, Opt.BINARY],
      do: [Opt.ECHO, Opt.SGA, Opt.BINARY],
      ttypes: ['XTERM-256COLOR'],
      naws: [120, 40],
      env: { LANG: 'en_US.UTF-8', TERM: 'xterm-256color' },
      opening: [encodeCommand(Cmd.WILL, Opt.LINEMODE), encodeSubnegotiation(Opt.LINEMODE, Buffer.concat([Buffer.from([3]), slc]))],
    });
    assert.equal(run.n.complete, true);
    assert.deepEqual(commandsSent(run, Cmd.DONT).filter((o) => o === Opt.LINEMODE), [Opt.LINEMODE]);
    assert.ok(run.notes.some((x) => x.event === 'telnet.sb_ignored'));
    assert.equal(sbSent(run, Opt.TTYPE).length, 2, 'asked twice: the second answer repeated the first');
    assert.ok(envRequested(run).includes('USER'));
    assert.deepEqual(run.n.handOver(), {
      type: 'xterm-256color',
      types: ['xterm-256color'],
      cols: 120,
      rows: 40,
      sizeSource: 'naws',
      encoding: 'utf8',
      encodingSource: 'lang',
      env: { LANG: 'en_US.UTF-8', TERM: 'xterm-256color' },
    });
  });

  it('SyncTERM: one type, no env, CHARSET refused, CP437 from the terminal type table', () => {
    const run = simulate({
      will: [Opt.TTYPE, Opt.NAWS, Opt.SGA, Opt.BINARY],
      do: [Opt.ECHO, Opt.SGA, Opt.BINARY],
      ttypes: ['syncterm'],
      naws: [80, 25],
    });
    assert.equal(run.n.complete, true);
    assert.deepEqual(envRequested(run), []);
    assert.deepEqual(run.n.handOver(), {
      type: 'syncterm',
      types: ['syncterm'],
      cols: 80,
      rows: 25,
      sizeSource: 'naws',
      encoding: 'cp437',
      encodingSource: 'ttype',
      env: {},
    });
  });

  it('SyncTERM with a width of 255 sent undoubled: the size still reads 255', () => {
    const run = simulate({
      will: [Opt.TTYPE, Opt.NAWS],
      ttypes: ['syncterm'],
      naws: Buffer.from([Cmd.IAC, Cmd.SB, Opt.NAWS, 0, 0xff, 0, 50, Cmd.IAC, Cmd.SE]),
    });
    assert.deepEqual(run.sizes, [{ cols: 255, rows: 50 }]);
    assert.equal(run.n.handOver().cols, 255);
  });

  it('MS telnet: walks ANSI, VT100, VT52, VTNT back to ANSI, and is never asked for USER', () => {
    const run = simulate({
      will: [Opt.TTYPE, Opt.NAWS, Opt.NEW_ENVIRON],
      do: [Opt.ECHO, Opt.SGA],
      ttypes: ['ANSI', 'VT100', 'VT52', 'VTNT'],
      ttypeEnd: 'wrap',
      naws: [80, 24],
    });
    assert.equal(run.n.complete, true);
    assert.equal(sbSent(run, Opt.TTYPE).length, 5);
    assert.ok(envRequested(run).length > 0, 'the env is still asked for');
    assert.equal(envRequested(run).includes('USER'), false, 'asking USER crashes Windows telnet');
    const t = run.n.handOver();
    assert.equal(t.type, 'ansi');
    assert.deepEqual(t.types, ['ansi', 'vt100', 'vt52', 'vtnt']);
    assert.equal(t.encoding, 'cp437');
    assert.equal(t.encodingSource, 'ttype');
  });

  it('waits for the first TTYPE answer before asking for the env', () => {
    const n = new ServerNegotiator();
    n.start();
    const willEnv = n.handle({ type: 'command', command: Cmd.WILL, option: Opt.NEW_ENVIRON });
    assert.deepEqual(willEnv.send, [], 'TTYPE is still unanswered');
    const willTtype = n.handle({ type: 'command', command: Cmd.WILL, option: Opt.TTYPE });
    assert.equal(willTtype.send.length, 1, 'only TTYPE SEND');
    const first = n.handle({ type: 'subnegotiation', option: Opt.TTYPE, data: Buffer.from('\x00VT100') });
    const env = first.send.filter((b) => b[2] === Opt.NEW_ENVIRON);
    assert.equal(env.length, 1, 'the env request follows the first answer');
    assert.ok(env[0]!.includes(Buffer.from('USER')), 'a vt100 is asked for USER');
  });

  it('asks for the env at once when the client refuses TTYPE', () => {
    const n = new ServerNegotiator();
    n.start();
    n.handle({ type: 'command', command: Cmd.WILL, option: Opt.NEW_ENVIRON });
    const step = n.handle({ type: 'command', command: Cmd.WONT, option: Opt.TTYPE });
    assert.equal(step.send.filter((b) => b[2] === Opt.NEW_ENVIRON).length, 1);
  });

  it('an MTTS client: stops at "MTTS <bits>" and takes UTF-8 from the bits over the type table', () => {
    const run = simulate({
      will: [Opt.TTYPE, Opt.NAWS],
      ttypes: ['MUDLET', 'ANSI-256COLOR', 'MTTS 141'],
      naws: [100, 30],
    });
    assert.equal(run.n.complete, true);
    const t = run.n.handOver();
    assert.equal(t.type, 'ansi-256color');
    assert.deepEqual(t.types, ['mudlet', 'ansi-256color', 'mtts 141']);
    assert.equal(t.encoding, 'utf8');
    assert.equal(t.encodingSource, 'ttype');
  });

  it('an MTTS client without the UTF-8 bit falls back to the type table', () => {
    const run = simulate({ will: [Opt.TTYPE], ttypes: ['MUDLET', 'ANSI-256COLOR', 'MTTS 137'] });
    assert.equal(run.n.handOver().encoding, 'cp437');
  });

  it('a client that accepts CHARSET: UTF-8 from its answer beats the type table', () => {
    const run = simulate({
      will: [Opt.TTYPE, Opt.NAWS],
      do: [Opt.CHARSET],
      ttypes: ['ANSI'],
      naws: [80, 25],
      charsets: ['UTF-8'],
    });
    assert.equal(run.n.complete, true);
    const req = sbSent(run, Opt.CHARSET);
    assert.equal(req.length, 1);
    assert.equal(req[0]!.subarray(1).toString('latin1'), ';UTF-8;CP437;IBM437');
    const t = run.n.handOver();
    assert.equal(t.encoding, 'utf8');
    assert.equal(t.encodingSource, 'charset');
  });

  it('a client that accepts CHARSET with CP437 gets CP437 even though LANG says UTF-8', () => {
    const run = simulate({ will: [Opt.NEW_ENVIRON], do: [Opt.CHARSET], charsets: ['CP437'], env: { LANG: 'C.UTF-8' } });
    const t = run.n.handOver();
    assert.equal(t.encoding, 'cp437');
    assert.equal(t.encodingSource, 'charset');
  });

  it('telnetlib-like: refuses everything, settles as soon as the refusals are in, with defaults', () => {
    const run = simulate({ timingMark: 'wont' });
    assert.equal(run.n.complete, true);
    assert.deepEqual(run.n.handOver(), {
      type: 'unknown',
      types: [],
      cols: 80,
      rows: 25,
      sizeSource: 'default',
      encoding: 'cp437',
      encodingSource: 'default',
      env: {},
    });
  });

  it('a client that refuses TTYPE but tells TERM in its env gets that as its type', () => {
    const run = simulate({ will: [Opt.NEW_ENVIRON], env: { TERM: 'Linux' } });
    const t = run.n.handOver();
    assert.equal(t.type, 'linux');
    assert.equal(t.encoding, 'utf8');
  });

  it('a silent client never completes, and handing over gives the defaults', () => {
    const n = new ServerNegotiator({ defaultEncoding: 'utf8' });
    n.start();
    assert.equal(n.complete, false);
    const t = n.handOver();
    assert.equal(t.encoding, 'utf8');
    assert.equal(t.encodingSource, 'default');
    assert.equal(t.sizeSource, 'default');
  });

  it('is not complete until the TIMING-MARK barrier comes back', () => {
    const run = simulate({ will: [Opt.NAWS], naws: [80, 25], timingMark: 'silent' });
    assert.equal(run.n.complete, false);
    run.send(encodeCommand(Cmd.WONT, Opt.TIMING_MARK));
    assert.equal(run.n.complete, true);
  });

  it('is not complete until the first NAWS report after WILL NAWS', () => {
    const run = simulate({ will: [Opt.NAWS] });
    assert.equal(run.n.complete, false);
    run.send(encodeNaws(90, 30));
    assert.equal(run.n.complete, true);
  });
});

describe('hostile and odd clients', () => {
  const everything = { will: [Opt.TTYPE, Opt.NAWS, Opt.NEW_ENVIRON], ttypes: ['ANSI'], naws: [80, 25] as [number, number] };

  it('refuses a client WILL ECHO with DONT, and goes on', () => {
    const run = simulate({ ...everything, opening: [encodeCommand(Cmd.WILL, Opt.ECHO)] });
    assert.ok(commandsSent(run, Cmd.DONT).includes(Opt.ECHO));
    assert.equal(run.n.complete, true);
  });

  it('answers a client DO TIMING-MARK with WILL TIMING-MARK, a bounded number of times', () => {
    const run = simulate(everything);
    const before = commandsSent(run, Cmd.WILL).filter((o) => o === Opt.TIMING_MARK).length;
    run.send(encodeCommand(Cmd.DO, Opt.TIMING_MARK));
    assert.equal(commandsSent(run, Cmd.WILL).filter((o) => o === Opt.TIMING_MARK).length, before + 1);
    for (let i = 0; i < 1000; i++) run.send(encodeCommand(Cmd.DO, Opt.TIMING_MARK));
    assert.ok(commandsSent(run, Cmd.WILL).filter((o) => o === Opt.TIMING_MARK).length <= 32);
  });

  it('refuses DO and WILL for every option it does not support', () => {
    const run = simulate({});
    const supportedUs = [Opt.ECHO, Opt.SGA, Opt.BINARY, Opt.CHARSET];
    const supportedHim = [Opt.SGA, Opt.BINARY, Opt.TTYPE, Opt.NAWS, Opt.NEW_ENVIRON, Opt.CHARSET];
    const wontBefore = commandsSent(run, Cmd.WONT).length;
    const dontBefore = commandsSent(run, Cmd.DONT).length;
    for (let o = 0; o < 256; o++) {
      if (o === Opt.TIMING_MARK) continue;
      run.send(Buffer.concat([encodeCommand(Cmd.DO, o), encodeCommand(Cmd.WILL, o)]));
    }
    const wont = commandsSent(run, Cmd.WONT).slice(wontBefore);
    const dont = commandsSent(run, Cmd.DONT).slice(dontBefore);
    for (const o of [Opt.LINEMODE, Opt.ENVIRON, Opt.STATUS, Opt.XDISPLOC, Opt.ENCRYPT, Opt.AUTHENTICATION, Opt.LFLOW, Opt.TSPEED, 200]) {
      assert.ok(wont.includes(o) && dont.includes(o), `option ${o} refused both ways`);
    }
    for (const o of supportedUs) assert.equal(wont.includes(o), false, `DO ${o} accepted`);
    for (const o of supportedHim) assert.equal(dont.includes(o), false, `WILL ${o} accepted`);
  });

  it('accepts a NAWS report without a prior WILL', () => {
    const run = simulate({});
    run.send(encodeNaws(132, 43));
    assert.deepEqual(run.sizes, [{ cols: 132, rows: 43 }]);
    assert.deepEqual([run.n.result().cols, run.n.result().rows, run.n.result().sizeSource], [132, 43, 'naws']);
  });

  it('reports a 0x0 or 65535x65535 NAWS but keeps the default size', () => {
    for (const [c, r] of [[0, 0], [65535, 65535]] as const) {
      const run = simulate({ will: [Opt.NAWS], naws: [c, r] });
      assert.equal(run.n.complete, true, 'a nonsense size still answers the question');
      const t = run.n.handOver();
      assert.deepEqual([t.cols, t.rows, t.sizeSource], [80, 25, 'default']);
    }
  });

  it('ignores a 3-byte NAWS body', () => {
    const run = simulate({ will: [Opt.NAWS], naws: encodeSubnegotiation(Opt.NAWS, [0, 80, 0]) });
    assert.deepEqual(run.sizes, []);
    assert.equal(run.n.complete, false);
    assert.ok(run.notes.some((x) => x.event === 'telnet.naws_malformed'));
  });

  it('ignores an unsolicited TTYPE IS and a second answer to one SEND', () => {
    const run = simulate({});
    run.send(encodeTtypeIs('EVIL'));
    assert.equal(run.n.result().type, 'unknown');
    assert.ok(run.notes.some((x) => x.event === 'telnet.ttype_unsolicited'));
  });

  it('stops a TTYPE cycle of more than 8 distinct values', () => {
    const run = simulate({ will: [Opt.TTYPE], ttypes: Array.from({ length: 50 }, (_, i) => `TYPE${i}`) });
    assert.equal(sbSent(run, Opt.TTYPE).length, 8);
    assert.equal(run.n.complete, true);
  });

  it('takes an unsolicited NEW-ENVIRON IS and INFO, escapes and all, into env only', () => {
    const run = simulate({});
    run.send(encodeNewEnvironIs([{ kind: 'var', name: 'USER', value: '-f root' }]));
    run.send(encodeNewEnvironIs([{ kind: 'uservar', name: 'x\x01y', value: 'v\x02' }], 'info'));
    const t = run.n.result();
    assert.deepEqual(t.env, { USER: '-f root', XY: 'v' });
    assert.equal('identity' in t, false);
    assert.equal(t.type, 'unknown');
  });

  it('keeps at most 64 of 10,000 env variables', () => {
    const run = simulate({});
    // Short names so the 10,000 fit in one SB under the 64 KiB cap.
    const entries = Array.from({ length: 10_000 }, (_, i) => ({ kind: 'var' as const, name: i.toString(36), value: '' }));
    run.send(encodeNewEnvironIs(entries));
    assert.equal(Object.keys(run.n.result().env).length, 64);
    assert.ok(run.notes.some((x) => x.event === 'telnet.env_truncated'));
  });

  it('rejects a client CHARSET REQUEST of 10,000 names', () => {
    const run = simulate({ will: [Opt.CHARSET] });
    const names = Array.from({ length: 10_000 }, (_, i) => i.toString(36)).concat('UTF-8');
    const seen = run.send(encodeCharsetRequest(names));
    assert.deepEqual(
      seen.filter((e) => e.type === 'subnegotiation').map((e) => e.type === 'subnegotiation' && [...e.data]),
      [[Charset.REJECTED]],
    );
    assert.equal(run.n.result().encodingSource, 'default');
  });

  it('accepts a client CHARSET REQUEST that names CP437', () => {
    const run = simulate({ will: [Opt.CHARSET] });
    const seen = run.send(encodeCharsetRequest(['KOI8-R', 'CP437']));
    const sb = seen.find((e) => e.type === 'subnegotiation');
    assert.equal(sb?.type === 'subnegotiation' && sb.data.toString('latin1'), '\x02CP437');
    assert.deepEqual([run.n.result().encoding, run.n.result().encodingSource], ['cp437', 'charset']);
  });

  it('ignores a CHARSET ACCEPTED nobody asked for', () => {
    const run = simulate({});
    run.send(encodeCharsetAccepted('UTF-8'));
    assert.equal(run.n.result().encodingSource, 'default');
  });

  it('after hand-over: asks nothing more, ignores late env, still reports NAWS and answers options', () => {
    const run = simulate({ will: [Opt.TTYPE, Opt.NAWS], ttypes: ['A', 'B', 'C'], naws: [80, 25], timingMark: 'silent' });
    const n = run.n;
    const sends = sbSent(run, Opt.TTYPE).length;
    n.handOver();
    run.send(encodeTtypeIs('LATE'));
    run.send(encodeNewEnvironIs([{ kind: 'var', name: 'LANG', value: 'C.UTF-8' }]));
    assert.equal(sbSent(run, Opt.TTYPE).length, sends, 'no new TTYPE SEND');
    assert.deepEqual(n.result().env, {});
    run.send(encodeNaws(100, 40));
    assert.deepEqual(run.sizes.at(-1), { cols: 100, rows: 40 });
    const before = commandsSent(run, Cmd.DONT).length;
    run.send(encodeCommand(Cmd.WILL, Opt.LINEMODE));
    assert.equal(commandsSent(run, Cmd.DONT).length, before + 1);
  });
});
