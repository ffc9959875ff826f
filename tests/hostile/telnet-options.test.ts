// Hostile inputs 3-8 and 10 of PROTOCOL-NOTES against a running carrier's telnet front end:
// malformed, oversized and flooding option negotiation. Each item runs its variants at
// once from their own attacker addresses while a well-behaved caller logs in, and checks
// the outcome, the deadline, the server's memory and the caller (support/battery.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sleep, type Attacker } from './support/attacker.js';
import { DEADLINES, SLACK_MS, startBattery, type Battery } from './support/battery.js';
import { MiB } from './support/memory.js';
import { answerTtype, assertNoControlsIn, negotiated, telnetAttacker, typeAtLogin } from './support/telnet.js';
import {
  bytes,
  CHARSET_REQUEST,
  CHARSET_REJECTED,
  cmd,
  DM,
  DO,
  DONT,
  ENV_ESC,
  ENV_INFO,
  ENV_IS,
  ENV_VALUE,
  ENV_VAR,
  IAC,
  LINEMODE_SLC,
  naws,
  Opt,
  SB,
  sb,
  SE,
  TTYPE_IS,
  WILL,
  WONT,
} from './support/telnet-bytes.js';

/** An answer that comes during negotiation: the negotiation deadline plus slack. */
const NEGOTIATION_DEADLINE = DEADLINES.negotiationMs + SLACK_MS;
/** An answer that needs the caller at `login:` first. */
const LOGIN_DEADLINE = DEADLINES.negotiationMs + 2 * SLACK_MS;

describe('hostile telnet negotiation (PROTOCOL-NOTES items 3-8, 10)', { timeout: 120_000 }, () => {
  let battery: Battery;
  const open: Attacker[] = [];
  /** A telnet attacker from a fresh address, closed after its item. */
  const attacker = async (): Promise<Attacker> => {
    const a = await telnetAttacker(battery);
    open.push(a);
    return a;
  };

  before(async () => {
    battery = await startBattery();
  });
  after(async () => {
    for (const a of open) a.close();
    await battery?.stop();
  });

  it('3: closes an unterminated 10 MiB SB at the subnegotiation cap, drops an SB cut short by IAC WILL, ignores SE without SB', async () => {
    // Kept whole, the 10 MiB would cost at least 10 MiB (more, as a buffer doubles); the
    // cap keeps it to 64 KiB, so the attack must cost far less than the 10 MiB it sends.
    await battery.survives('item 3', { deadlineMs: 20_000, maxGrowthBytes: 10 * MiB }, async () => {
      const huge = await attacker();
      const cut = await attacker();
      const stray = await attacker();
      await Promise.all([
        (async () => {
          huge.write(bytes(IAC, SB, Opt.TTYPE, TTYPE_IS));
          void huge.flood(10 * MiB, (n) => Buffer.alloc(n, 0x41));
          await huge.waitClosed(15_000);
          const overflow = await battery.waitForLog((l) => l['event'] === 'telnet.sb_overflow' && l['remote'] === huge.from);
          assert.equal(overflow['limit'], 65536);
        })(),
        (async () => {
          // The client's WILL ECHO inside the broken SB is still read, and refused (DONT).
          cut.write(bytes(IAC, SB, Opt.TTYPE, TTYPE_IS, 'xterm', cmd(WILL, Opt.ECHO)));
          await cut.waitFor(cmd(DONT, Opt.ECHO), NEGOTIATION_DEADLINE);
          const n = await negotiated(battery, cut.from);
          assert.equal(n['type'], 'unknown', 'the abandoned TTYPE IS was not taken');
          await typeAtLogin(cut, 'abc', 'abc');
        })(),
        (async () => {
          stray.write(bytes(IAC, SE));
          await typeAtLogin(stray, bytes('ab', IAC, SE, 'c'), 'abc');
        })(),
      ]);
    });
  });

  it('4: takes NAWS with a doubled or undoubled 255, clamps 0x0 and 65535x65535, ignores a 3-byte body, accepts one without WILL, and lives through 10,000 a second', async () => {
    await battery.survives('item 4', { deadlineMs: 20_000 }, async () => {
      const cases: { name: string; send: Buffer; cols: number; rows: number; source: string }[] = [
        { name: 'doubled 255 (PuTTY)', send: bytes(cmd(WILL, Opt.NAWS), naws(255, 40)), cols: 255, rows: 40, source: 'naws' },
        { name: 'undoubled 255 (SyncTERM)', send: bytes(cmd(WILL, Opt.NAWS), IAC, SB, Opt.NAWS, 0, 255, 0, 40, IAC, SE), cols: 255, rows: 40, source: 'naws' },
        { name: '0x0', send: bytes(cmd(WILL, Opt.NAWS), naws(0, 0)), cols: 80, rows: 25, source: 'default' },
        { name: '65535x65535', send: bytes(cmd(WILL, Opt.NAWS), naws(65535, 65535)), cols: 80, rows: 25, source: 'default' },
        { name: '3-byte body', send: bytes(cmd(WILL, Opt.NAWS), IAC, SB, Opt.NAWS, 0, 100, 0, IAC, SE), cols: 80, rows: 25, source: 'default' },
        { name: 'no WILL first', send: naws(100, 40), cols: 100, rows: 40, source: 'naws' },
      ];
      const flood = await attacker();
      await Promise.all([
        ...cases.map(async (c) => {
          const a = await attacker();
          a.write(c.send);
          const n = await negotiated(battery, a.from, NEGOTIATION_DEADLINE);
          assert.deepEqual([n['cols'], n['rows'], n['sizeSource']], [c.cols, c.rows, c.source], c.name);
          await typeAtLogin(a, 'ok', 'ok');
        }),
        (async () => {
          flood.write(cmd(WILL, Opt.NAWS));
          await flood.waitFor('login:', LOGIN_DEADLINE);
          // 10,000 resizes in about a second: 20 bursts of 500, alternating two sizes.
          for (let burst = 0; burst < 20 && !flood.closed; burst++) {
            flood.write(Buffer.concat(Array.from({ length: 500 }, (_, i) => naws(100 + (i % 2), 40))));
            await sleep(50);
          }
          assert.equal(flood.closed, false, 'a resize flood is handled, not a reason to hang up');
          await typeAtLogin(flood, 'still', 'still');
        })(),
      ]);
    });
  });

  it('5: answers DO and WILL for all 256 options once each, and a peer flipping DO/DONT 10,000 times gets a bounded number of replies', async () => {
    await battery.survives('item 5', { deadlineMs: 15_000 }, async () => {
      const all = await attacker();
      const flip = await attacker();
      await Promise.all([
        (async () => {
          const asks = Buffer.concat(Array.from({ length: 256 }, (_, o) => bytes(cmd(DO, o), cmd(WILL, o))));
          all.write(asks);
          await typeAtLogin(all, 'ok', 'ok', LOGIN_DEADLINE);
          const replies = countCommands(all.received);
          // At most one reply per question, plus carrier's own opening questions.
          assert.ok(replies <= 2 * 256 + 16, `${replies} negotiation commands for 512 questions`);
          assert.ok(all.received.indexOf(cmd(DONT, Opt.LINEMODE)) >= 0, 'LINEMODE refused (its SLC table is CVE-2026-32746)');
          assert.equal(all.received.indexOf(cmd(DO, Opt.LINEMODE)), -1);
          assert.ok(all.received.indexOf(cmd(WONT, 5)) >= 0, 'STATUS refused');
        })(),
        (async () => {
          // DO/DONT flips what carrier performs, WILL/WONT what the client does.
          const toggles = Buffer.concat(Array.from({ length: 10_000 }, () => bytes(cmd(DO, Opt.SGA), cmd(DONT, Opt.SGA), cmd(WILL, Opt.BINARY), cmd(WONT, Opt.BINARY))));
          flip.write(toggles);
          await typeAtLogin(flip, 'ok', 'ok', LOGIN_DEADLINE);
          const replies = countCommands(flip.received);
          // carrier stops answering an option after 32 replies (qmethod.ts); plus its opening questions.
          assert.ok(replies <= 2 * 32 + 16, `${replies} negotiation commands for 40,000 flips`);
        })(),
      ]);
    });
  });

  it('6: reads IAC as the last byte of a read, an SB split across reads, IAC IAC inside SB; drops IAC + an undefined command and a lone DM', async () => {
    await battery.survives('item 6', { deadlineMs: LOGIN_DEADLINE + 2000 }, async () => {
      await Promise.all([
        (async () => {
          const a = await attacker();
          a.write(bytes(IAC));
          await sleep(100);
          a.write(bytes(DO, 5));
          await a.waitFor(cmd(WONT, 5), NEGOTIATION_DEADLINE);
        })(),
        (async () => {
          const a = await attacker();
          for (const piece of [bytes(IAC, SB, Opt.NAWS), bytes(0, 100, 0), bytes(40, IAC), bytes(SE)]) {
            a.write(piece);
            await sleep(60);
          }
          const n = await negotiated(battery, a.from, NEGOTIATION_DEADLINE);
          assert.deepEqual([n['cols'], n['rows']], [100, 40]);
        })(),
        (async () => {
          const a = await attacker();
          a.write(bytes(IAC, SB, Opt.NAWS, 0, IAC, IAC, 0, IAC, IAC, IAC, SE));
          const n = await negotiated(battery, a.from, NEGOTIATION_DEADLINE);
          assert.deepEqual([n['cols'], n['rows']], [255, 255]);
        })(),
        (async () => {
          const a = await attacker();
          await typeAtLogin(a, bytes('ab', IAC, 0x01, 'cd', IAC, 0x7f, 'ef'), 'abcdef');
        })(),
        (async () => {
          const a = await attacker();
          // inetutils "send synch": Linux drops the urgent IAC, so DM (0xF2) arrives alone.
          // Echoed as 'ghij' in one piece: the DM was not taken as a character (CP437 '≥').
          await typeAtLogin(a, bytes('gh', DM, 'ij'), 'ghij');
        })(),
      ]);
    });
  });

  it('7: bounds TTYPE answers: more than 8 distinct, empty, 1 KiB, invalid UTF-8, NUL-terminated, and ESC or newlines aimed at the log', async () => {
    await battery.survives('item 7', { deadlineMs: LOGIN_DEADLINE + 2000 }, async () => {
      const ansi = Buffer.from('ANSI', 'latin1');
      const cases: { name: string; answers: Buffer[]; check(n: Record<string, unknown>, asked: number): void }[] = [
        {
          name: 'twenty distinct types',
          answers: Array.from({ length: 20 }, (_, i) => Buffer.from(`TERM-${i}`)),
          check: (n, asked) => {
            assert.ok(asked <= 8, `the server asked ${asked} times`);
            assert.equal(n['type'], 'term-7');
          },
        },
        { name: 'empty', answers: [Buffer.alloc(0)], check: (n) => assert.equal(n['type'], 'unknown') },
        { name: '1 KiB', answers: [Buffer.alloc(1024, 0x58)], check: (n) => assert.equal(n['type'], 'x'.repeat(40)) },
        { name: 'invalid UTF-8', answers: [Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff, 0xfe, 0x61])], check: (n) => assert.equal(n['type'], '(a') },
        { name: 'NUL-terminated (NetRunner)', answers: [Buffer.from('ansi\0', 'latin1'), Buffer.from('ansi\0', 'latin1')], check: (n) => assert.equal(n['type'], 'ansi') },
        {
          name: 'ESC and newlines',
          answers: [Buffer.from('xterm\x1b[2J\r\n{"event":"FAKE"}\x1b]0;owned\x07', 'latin1'), ansi],
          check: (n) => assert.match(String(n['type']), /^[!-~]{1,40}$/),
        },
      ];
      await Promise.all(
        cases.map(async (c) => {
          const a = await attacker();
          const asked = answerTtype(a, c.answers);
          const n = await negotiated(battery, a.from, NEGOTIATION_DEADLINE);
          c.check(n, asked());
          await typeAtLogin(a, 'ok', 'ok');
          assertNoControlsIn(battery.logsFrom(a.from));
        }),
      );
      assert.equal(battery.board.logs.filter((l) => l['event'] === 'FAKE').length, 0, 'no log line was injected');
    });
  });

  it('8: takes NEW-ENVIRON only as hints: unsolicited IS/INFO, VALUE before VAR, ESC escapes, USER="-f root", 10,000 variables, keys differing in case', async () => {
    await battery.survives('item 8', { deadlineMs: LOGIN_DEADLINE + 2000 }, async () => {
      const env = (kind: number, ...parts: (string | number | Buffer)[]): Buffer => sb(Opt.NEW_ENVIRON, kind, ...parts);
      const cases: { name: string; send: Buffer; type: string }[] = [
        { name: 'unsolicited IS', send: env(ENV_IS, ENV_VAR, 'TERM', ENV_VALUE, 'xterm'), type: 'xterm' },
        { name: 'unsolicited INFO', send: env(ENV_INFO, ENV_VAR, 'TERM', ENV_VALUE, 'vt100'), type: 'vt100' },
        { name: 'VALUE before VAR', send: env(ENV_IS, ENV_VALUE, 'junk', ENV_VAR, 'TERM', ENV_VALUE, 'ansi'), type: 'ansi' },
        { name: 'ESC escapes', send: env(ENV_IS, ENV_VAR, 'TE', ENV_ESC, ENV_ESC, 'RM', ENV_VALUE, 'xte', ENV_ESC, ENV_VALUE, 'rm'), type: 'xterm' },
        { name: 'keys differing in case', send: env(ENV_IS, ENV_VAR, 'term', ENV_VALUE, 'vt100', ENV_VAR, 'Term', ENV_VALUE, 'vt52', ENV_VAR, 'TERM', ENV_VALUE, 'linux'), type: 'linux' },
      ];
      await Promise.all([
        ...cases.map(async (c) => {
          const a = await attacker();
          a.write(c.send);
          const n = await negotiated(battery, a.from, NEGOTIATION_DEADLINE);
          assert.equal(n['type'], c.type, c.name);
          await typeAtLogin(a, 'ok', 'ok');
        }),
        (async () => {
          // CVE-2026-24061: inetutils telnetd took USER="-f root" as "log in root, no password".
          const a = await attacker();
          a.write(bytes(cmd(WILL, Opt.NEW_ENVIRON), env(ENV_IS, ENV_VAR, 'USER', ENV_VALUE, '-f root')));
          await typeAtLogin(a, 'ok', 'ok');
          await sleep(300);
          const conn = (await negotiated(battery, a.from))['conn'];
          assert.ok(!a.received.includes('Command:'), 'no menu without a password');
          assert.equal(battery.board.logs.filter((l) => l['event'] === 'session.login' && l['conn'] === conn).length, 0);
        })(),
        (async () => {
          const a = await attacker();
          const names = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
          const vars = Array.from({ length: 10_000 }, (_, i) => bytes(ENV_VAR, names[i % 62]!, names[Math.floor(i / 62) % 62]!, ENV_VALUE, 'x'));
          a.write(env(ENV_IS, ...vars));
          await battery.waitForLog((l) => l['event'] === 'telnet.env_truncated' && l['remote'] === a.from, NEGOTIATION_DEADLINE);
          await typeAtLogin(a, 'ok', 'ok');
        })(),
      ]);
    });
  });

  it('10: refuses LINEMODE and ignores an SLC table of 1,000 triplets; rejects a CHARSET REQUEST of 10,000 names', async () => {
    await battery.survives('item 10', { deadlineMs: LOGIN_DEADLINE + 2000 }, async () => {
      await Promise.all([
        (async () => {
          const a = await attacker();
          // Triplets of function, modifier, value; 0xFF appears in them and is doubled by sb().
          const slc = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 97 + 13) % 256));
          a.write(bytes(cmd(WILL, Opt.LINEMODE), sb(Opt.LINEMODE, LINEMODE_SLC, slc)));
          await a.waitFor(cmd(DONT, Opt.LINEMODE), NEGOTIATION_DEADLINE);
          await typeAtLogin(a, 'ok', 'ok');
        })(),
        (async () => {
          const a = await attacker();
          const names = Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(';');
          a.write(sb(Opt.CHARSET, CHARSET_REQUEST, `;${names}`));
          await a.waitFor(sb(Opt.CHARSET, CHARSET_REJECTED), NEGOTIATION_DEADLINE);
          await typeAtLogin(a, 'ok', 'ok');
        })(),
      ]);
    });
  });

  it('keeps every account able to log in after the battery', async () => {
    await battery.assertStoreIntact();
  });
});

/** IAC WILL/WONT/DO/DONT commands in what the server sent. */
function countCommands(received: Buffer): number {
  let n = 0;
  for (let i = 0; i + 2 < received.length; i++) {
    if (received[i] === IAC && received[i + 1]! >= WILL && received[i + 1]! <= DONT) {
      n++;
      i += 2;
    } else if (received[i] === IAC && received[i + 1] === IAC) {
      i++;
    }
  }
  return n;
}
