// Hostile inputs 1, 2, 9, 11, 14 and 15 of PROTOCOL-NOTES against a running carrier, on
// every front end each applies to: silent and trickling connections, every way of pressing
// Enter, the wrong protocol on a port, a caller who stops reading, and lying or missing
// cursor-position replies. Each runs inside battery.survives (support/battery.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Attacker, sleep } from './support/attacker.js';
import { ACCOUNTS, DEADLINES, SLACK_MS, startBattery, type Battery } from './support/battery.js';
import { MiB } from './support/memory.js';
import { answerProbes, loginWith, rloginHandshake, tlsClientHello } from './support/moves.js';
import { openShell, reader, sshConnect } from './support/ssh.js';
import { answerTtype, negotiated, typeAtLogin } from './support/telnet.js';

const mallory = ACCOUNTS.find((a) => a.handle === 'mallory')!;
/** A silent telnet caller is shown `login:` after negotiation, then gets the login timeout. */
const TELNET_LOGIN_DEADLINE = DEADLINES.negotiationMs + DEADLINES.loginMs + SLACK_MS;

describe('hostile connections on every front end (PROTOCOL-NOTES items 1, 2, 9, 11, 14, 15)', { timeout: 180_000 }, () => {
  let battery: Battery;
  const open: { close(): void }[] = [];
  const telnet = async (): Promise<Attacker> => track(await Attacker.connect(battery.ports.telnet!, battery.attacker()));
  const rlogin = async (): Promise<Attacker> => track(await Attacker.connect(battery.ports.rlogin!, battery.attacker()));
  const ssh = async (): Promise<Attacker> => track(await Attacker.connect(battery.ports.ssh!, battery.attacker()));
  function track<T extends { close(): void }>(x: T): T {
    open.push(x);
    return x;
  }
  const logged = (event: string, remote: string, timeoutMs = 5000) =>
    battery.waitForLog((l) => l['event'] === event && l['remote'] === remote, timeoutMs);

  before(async () => {
    battery = await startBattery();
  });
  after(async () => {
    for (const x of open) x.close();
    await battery?.stop();
  });

  it('1: closes a caller who connects and sends nothing, on every port, at that port\'s deadline', async () => {
    await battery.survives('item 1', { deadlineMs: TELNET_LOGIN_DEADLINE + SLACK_MS }, async () => {
      const [t, r, s] = await Promise.all([telnet(), rlogin(), ssh()]);
      await Promise.all([
        (async () => {
          assert.ok((await t.waitClosed(TELNET_LOGIN_DEADLINE)) <= TELNET_LOGIN_DEADLINE);
          assert.match(t.received.toString('latin1'), /login:[\s\S]*Login timeout/);
        })(),
        (async () => {
          await r.waitClosed(DEADLINES.rloginHandshakeMs + SLACK_MS);
          await logged('rlogin.handshake_timeout', r.from);
          assert.equal(r.receivedBytes, 0, 'rlogin says nothing before the handshake');
        })(),
        (async () => {
          await s.waitClosed(DEADLINES.sshGraceMs + SLACK_MS);
          assert.match(s.received.toString('latin1'), /^SSH-2\.0-/);
          assert.equal((await logged('ssh.grace_expired', s.from))['stage'], 'version');
        })(),
      ]);
    });
  });

  it('2: closes a slowloris at the same deadlines: typing a byte a second, an rlogin handshake and an SSH version line byte by byte', async () => {
    // One byte a second is ten times the note's one per 10 s: an idle timer that input
    // resets would never fire, so only an absolute deadline closes these.
    await battery.survives('item 2', { deadlineMs: TELNET_LOGIN_DEADLINE + SLACK_MS }, async () => {
      const [t, r, s] = await Promise.all([telnet(), rlogin(), ssh()]);
      await Promise.all([
        (async () => {
          await t.waitFor('login:', DEADLINES.negotiationMs + SLACK_MS);
          await t.trickle(Buffer.alloc(60, 0x61), 1000);
          assert.ok((await t.waitClosed(0)) <= TELNET_LOGIN_DEADLINE);
          assert.match(t.received.toString('latin1'), /Login timeout/);
        })(),
        (async () => {
          const sent = await r.trickle(rloginHandshake('mallory', 'mallory', 'ansi/38400'), 1000);
          assert.ok(sent < 10, `the handshake deadline let ${sent} bytes trickle in`);
          await logged('rlogin.handshake_timeout', r.from);
        })(),
        (async () => {
          const sent = await s.trickle(Buffer.from('SSH-2.0-OpenSSH_9.6 slowloris\r\n'), 1000);
          assert.ok(sent < 10, `the grace time let ${sent} bytes trickle in`);
          assert.equal((await logged('ssh.grace_expired', s.from))['stage'], 'version');
        })(),
      ]);
    });
  });

  it('9: takes CR NUL, CR LF, bare CR, bare LF and a CR at the end of a read as one Enter, and drops a NUL flood at the prompt, on telnet and rlogin', async () => {
    await battery.survives('item 9', { deadlineMs: 20_000 }, async () => {
      const endings: [string, string][] = [
        ['CR NUL', '\r\0'],
        ['CR LF', '\r\n'],
        ['bare CR', '\r'],
        ['bare LF', '\n'],
      ];
      const connectors: [string, () => Promise<Attacker>][] = [
        ['telnet', telnet],
        [
          'rlogin',
          async () => {
            const a = await rlogin();
            a.write(rloginHandshake('x', '', 'vt100/38400'));
            return a;
          },
        ],
      ];
      await Promise.all([
        (async () => {
          // A flood before the board listens: core holds at most 64 KiB of type-ahead, then hangs up.
          const a = await telnet();
          await a.flood(MiB, (n) => Buffer.alloc(n, 0));
          await a.waitClosed(SLACK_MS);
          assert.ok(!a.received.includes('login:'), 'closed before the board started');
        })(),
        ...connectors.flatMap(([protocol, connect]) => [
          ...endings.map(async ([name, enter]) => {
            const a = await connect();
            await loginWith(a, mallory, enter);
            assert.doesNotMatch(a.received.toString('latin1'), /Login incorrect/, `${protocol} ${name}: one Enter, not two`);
          }),
          (async () => {
            // CR ends one read, LF starts the next: still one Enter (an LF taken as a second
            // Enter would submit an empty password).
            const a = await connect();
            await a.waitFor('login:', 10_000);
            a.write(`${mallory.handle}\r`);
            await a.waitFor('password:', 10_000);
            await sleep(100);
            a.write('\n');
            await sleep(100);
            a.write(`${mallory.password}\r\n`);
            await a.waitFor('Command:', 10_000);
            assert.doesNotMatch(a.received.toString('latin1'), /Login incorrect/, `${protocol}: CR at the end of a read`);
          })(),
          (async () => {
            const a = await connect();
            await a.waitFor('login:', 10_000);
            const sent = await a.flood(MiB, (n) => Buffer.alloc(n, 0));
            assert.equal(sent, MiB, `${protocol}: closed during a NUL flood at the prompt`);
            await loginWith(a, mallory, '\r\n');
          })(),
        ]),
      ]);
    });
  });

  it('9: takes CR LF, bare LF, CR NUL and bare CR as one Enter on ssh', async () => {
    await battery.survives('item 9 (ssh)', { deadlineMs: 15_000, caller: 'ssh' }, async () => {
      const session = track({ ...(await sshConnect(battery.ports.ssh!, battery.attacker(), { username: mallory.handle, password: mallory.password })), close() {} });
      const ch = await openShell(session.client, { term: 'xterm', cols: 80, rows: 25 });
      const out = reader(ch);
      await out.waitForNext('Command:');
      const menus = (): number => out.text().split('Command:').length - 1;
      // Bare CR last: a CR ending one write and an LF starting the next are one Enter by design.
      for (const enter of ['\r\n', '\n', '\r\0', '\r']) {
        const before = menus();
        ch.write(enter);
        await out.waitForNext('Command:');
        await sleep(300);
        assert.equal(menus(), before + 1, `${JSON.stringify(enter)} is one Enter`);
      }
      session.client.end();
    });
  });

  it('11: closes a TLS ClientHello, an HTTP GET and an SSH version line on the rlogin port at once, and within the login deadline on telnet', async () => {
    const hello = await tlsClientHello();
    const strangers: [string, Buffer][] = [
      ['TLS ClientHello', hello],
      ['HTTP GET', Buffer.from('GET / HTTP/1.1\r\nHost: bbs.example\r\nUser-Agent: scanner/1.0\r\nAccept: */*\r\n\r\n')],
      ['SSH version line', Buffer.from('SSH-2.0-OpenSSH_9.6\r\n')],
    ];
    await battery.survives('item 11', { deadlineMs: TELNET_LOGIN_DEADLINE + SLACK_MS }, async () => {
      await Promise.all([
        ...strangers.map(async ([name, bytes]) => {
          const a = await rlogin();
          a.write(bytes);
          await a.waitClosed(SLACK_MS);
          assert.equal((await logged('rlogin.handshake_invalid', a.from))['code'], 'RLOGIN_NOT_A_HANDSHAKE', name);
          assert.equal(a.receivedBytes, 0, `${name}: rlogin answered nothing`);
        }),
        ...strangers.map(async ([name, bytes]) => {
          const a = await telnet();
          a.write(bytes);
          assert.ok((await a.waitClosed(TELNET_LOGIN_DEADLINE)) <= TELNET_LOGIN_DEADLINE, name);
        }),
      ]);
    });
  });

  it('14: closes a caller who stops reading mid-output once its unsent output passes the cap, on every front end', async () => {
    /**
     * Ask for the main menu again and again (each `?` redraws its 1.3 KB) until the server
     * hangs up. About 2,000 a second: fast enough to fill the caps in a few seconds, slow
     * enough that the redraws (a fraction of a millisecond of server CPU each) leave the
     * event loop room for the caller logging in meanwhile.
     */
    async function demandOutput(write: (s: string) => void, closed: () => boolean): Promise<void> {
      const until = Date.now() + 25_000;
      while (!closed() && Date.now() < until) {
        write('?'.repeat(20));
        await sleep(10);
      }
      assert.ok(closed(), 'a caller who never reads was never closed');
    }
    // Three callers at once, each allowed its front end's output cap (1 MiB on each) plus
    // the garbage of a few thousand redraws: measured 27-41 MiB (ssh's cap was 4 MiB then).
    await battery.survives('item 14', { deadlineMs: 35_000, maxGrowthBytes: 96 * MiB }, async () => {
      await Promise.all([
        (async () => {
          const a = await telnet();
          await loginWith(a, mallory, '\r');
          a.stopReading();
          await demandOutput((s) => a.write(s), () => a.closed);
          await logged('telnet.output_overflow', a.from);
        })(),
        (async () => {
          const a = await rlogin();
          a.write(rloginHandshake('x', '', 'vt100/38400'));
          await loginWith(a, mallory, '\r');
          a.stopReading();
          await demandOutput((s) => a.write(s), () => a.closed);
          assert.equal((await logged('disconnect', a.from))['reason'], 'caller stopped reading');
        })(),
        (async () => {
          const from = battery.attacker();
          const session = await sshConnect(battery.ports.ssh!, from, { username: mallory.handle, password: mallory.password });
          track({ close: () => session.client.end() });
          const ch = await openShell(session.client, { term: 'xterm', cols: 80, rows: 25 });
          await reader(ch).waitForNext('Command:');
          // Stop reading the TCP stream: the server's channel window and socket fill up.
          (session.client as unknown as { _sock: { pause(): void } })._sock.pause();
          await demandOutput((s) => ch.write(s), session.isClosed);
          assert.equal((await logged('ssh.output_overflow', from))['limit'], 1024 * 1024);
          assert.equal((await logged('disconnect', from))['reason'], 'caller stopped reading');
        })(),
      ]);
    });
  });

  it('15: ignores fake cursor-position replies (999;999, 0;0), waits out missing ones, and keeps typing around a reply mid-input, on every front end', async () => {
    /** The probe result logged for the connection `conn`. */
    const probed = (conn: unknown) => battery.waitForLog((l) => l['event'] === 'session.probed' && l['conn'] === conn);
    /** An ANSI terminal with no size, so the board probes; `reply` answers its questions. */
    const ansiTelnet = async (reply?: string): Promise<{ a: Attacker; conn: unknown }> => {
      const a = await telnet();
      answerTtype(a, [Buffer.from('ANSI')]);
      if (reply) answerProbes(a, reply);
      return { a, conn: (await negotiated(battery, a.from))['conn'] };
    };
    const ansiRlogin = async (reply?: string): Promise<{ a: Attacker; conn: unknown }> => {
      const a = await rlogin();
      if (reply) answerProbes(a, reply);
      a.write(rloginHandshake('x', '', 'ansi/38400'));
      return { a, conn: (await logged('rlogin.handshake', a.from))['conn'] };
    };
    const PROBE_DEADLINE = DEADLINES.negotiationMs + 400 + SLACK_MS;
    await battery.survives('item 15', { deadlineMs: 20_000 }, async () => {
      await Promise.all([
        ...[ansiTelnet, ansiRlogin].flatMap((connect) => [
          ...['\x1b[999;999R', '\x1b[0;0R'].map(async (lie) => {
            const { a, conn } = await connect(lie);
            const p = await probed(conn);
            assert.ok(a.received.includes('\x1b[6n'), 'the size was probed');
            assert.equal(p['cols'], undefined, `${JSON.stringify(lie)} was not taken as a size`);
            await typeAtLogin(a, 'ok', 'ok');
          }),
          (async () => {
            const { a, conn } = await connect();
            const started = Date.now();
            await probed(conn);
            await a.waitFor('login:', PROBE_DEADLINE);
            assert.ok(Date.now() - started <= PROBE_DEADLINE, 'a terminal that never answers waits out one short deadline');
          })(),
          (async () => {
            // Typing around the reply: the reply is taken, the keys reach login:.
            const { a, conn } = await connect('xy\x1b[30;100Rz');
            const p = await probed(conn);
            assert.deepEqual([p['cols'], p['rows']], [100, 30]);
            await a.waitFor('xyz', PROBE_DEADLINE);
          })(),
          (async () => {
            // A reply nobody asked for, in the middle of typing: dropped.
            const { a } = await connect();
            await typeAtLogin(a, 'ab\x1b[12;40Rcd', 'abcd', PROBE_DEADLINE);
          })(),
        ]),
        (async () => {
          // ssh: a pty of 0x0 leaves the size to the probe, which gets a lie.
          const from = battery.attacker();
          const session = await sshConnect(battery.ports.ssh!, from, { username: mallory.handle, password: mallory.password });
          const ch = await openShell(session.client, { term: 'ansi', cols: 0, rows: 0 });
          const out = reader(ch);
          let answered = false;
          ch.on('data', (d: Buffer) => {
            if (!answered && d.includes('\x1b[6n')) {
              answered = true;
              ch.write('\x1b[999;999R');
            }
          });
          await out.waitForNext('Command:');
          ch.write('?\x1b[5;5R');
          await out.waitForNext('Command:');
          session.client.end();
          const conn = (await logged('disconnect', from))['conn'];
          const p = battery.board.logs.find((l) => l['event'] === 'session.probed' && l['conn'] === conn);
          assert.ok(answered && p, 'the ssh size was probed');
          assert.equal(p['cols'], undefined);
        })(),
      ]);
    });
  });

  it('keeps every account able to log in after the battery', async () => {
    await battery.assertStoreIntact();
  });
});
