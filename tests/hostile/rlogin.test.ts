// Hostile input 12 of PROTOCOL-NOTES against a running carrier's rlogin front end: broken
// handshakes and in-band window-size reports. (Items 1, 2 and 11 on the rlogin port are in
// connections.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Attacker, sleep } from './support/attacker.js';
import { ACCOUNTS, DEADLINES, SLACK_MS, startBattery, type Battery } from './support/battery.js';
import { rloginHandshake } from './support/moves.js';

const mallory = ACCOUNTS.find((a) => a.handle === 'mallory')!;
/** `FF FF s s` + rows, cols, xpixels, ypixels, 16-bit big-endian (RFC 1282). */
function windowReport(rows: number, cols: number): Buffer {
  const b = Buffer.alloc(12);
  b.set([0xff, 0xff, 0x73, 0x73]);
  b.writeUInt16BE(rows, 4);
  b.writeUInt16BE(cols, 6);
  return b;
}

describe('hostile rlogin handshakes and window sizes (PROTOCOL-NOTES item 12)', { timeout: 120_000 }, () => {
  let battery: Battery;
  const open: Attacker[] = [];
  const rlogin = async (): Promise<Attacker> => {
    const a = await Attacker.connect(battery.ports.rlogin!, battery.attacker());
    open.push(a);
    return a;
  };
  const logged = (event: string, remote: string, timeoutMs = 5000) =>
    battery.waitForLog((l) => l['event'] === event && l['remote'] === remote, timeoutMs);
  const HANDSHAKE_DEADLINE = DEADLINES.rloginHandshakeMs + SLACK_MS;

  before(async () => {
    battery = await startBattery();
  });
  after(async () => {
    for (const a of open) a.close();
    await battery?.stop();
  });

  it('12: closes missing and over-long fields, settles a handshake without its final NUL, and reads a second handshake as typing', async () => {
    await battery.survives('item 12 (handshakes)', { deadlineMs: HANDSHAKE_DEADLINE + 2 * SLACK_MS, caller: 'rlogin' }, async () => {
      await Promise.all([
        ...[rloginHandshake('x', 'mallory', '').subarray(0, 3), Buffer.from([0, 0, 0])].map(async (partial) => {
          // Fields missing: the handshake deadline closes it, whatever arrived.
          const a = await rlogin();
          a.write(partial);
          await a.waitClosed(HANDSHAKE_DEADLINE);
          await logged('rlogin.handshake_timeout', a.from);
        }),
        (async () => {
          // Three empty fields: a complete (if useless) handshake; login: is not pre-filled.
          const a = await rlogin();
          a.write(Buffer.from([0, 0, 0, 0]));
          await a.waitFor('login:', HANDSHAKE_DEADLINE);
          assert.equal(a.received[0], 0, 'the handshake was acknowledged with one NUL');
        })(),
        ...[Buffer.concat([Buffer.from([0]), Buffer.alloc(300, 0x41)]), Buffer.concat([rloginHandshake('a', 'b', '').subarray(0, 5), Buffer.alloc(300, 0x61)])].map(
          async (long) => {
            const a = await rlogin();
            a.write(long);
            await a.waitClosed(SLACK_MS);
            assert.equal((await logged('rlogin.handshake_invalid', a.from))['code'], 'RLOGIN_FIELD_TOO_LONG');
            assert.equal(a.receivedBytes, 0);
          },
        ),
        (async () => {
          // Old SyncTERM omits the final NUL: settled after a short wait, then the login the
          // handshake named goes straight to its password.
          const a = await rlogin();
          a.write(rloginHandshake('x', mallory.handle, 'ansi/115200').subarray(0, -1));
          await a.waitFor('password:', HANDSHAKE_DEADLINE);
          assert.match(a.received.toString('latin1'), /login: (\x1b\[[\d;]*m)*mallory/);
          const from = a.received.length;
          a.write(`${mallory.password}\r`);
          await a.waitFor('Command:', 5000, from);
        })(),
        (async () => {
          // Two handshakes in one write: the first is the handshake, the second only typing.
          const a = await rlogin();
          a.write(Buffer.concat([rloginHandshake('x', 'nobody', 'ansi/9600'), rloginHandshake('x', 'mallory', 'ansi/9600')]));
          await a.waitFor('login:', HANDSHAKE_DEADLINE);
          await sleep(200);
          assert.equal(battery.logsFrom(a.from).filter((l) => l['event'] === 'rlogin.handshake').length, 1);
          assert.ok(!a.received.includes('Command:'), 'the second handshake logged nobody in');
        })(),
      ]);
    });
  });

  it('12: ignores window sizes of 0 and 65535, takes a report split across reads, and passes a stray FF FF through as typing', async () => {
    await battery.survives('item 12 (window sizes)', { deadlineMs: HANDSHAKE_DEADLINE + 2 * SLACK_MS, caller: 'rlogin' }, async () => {
      /** At login: on an ANSI (CP437) terminal; resolves with the connection id. */
      const atLogin = async (): Promise<{ a: Attacker; conn: unknown }> => {
        const a = await rlogin();
        a.write(rloginHandshake('x', '', 'ansi/38400'));
        const conn = (await logged('rlogin.handshake', a.from))['conn'];
        await a.waitFor('login:', HANDSHAKE_DEADLINE);
        return { a, conn };
      };
      const resizes = (conn: unknown) => battery.board.logs.filter((l) => l['event'] === 'session.resize' && l['conn'] === conn);
      await Promise.all([
        ...[
          [0, 0],
          [65535, 65535],
          [0, 80],
        ].map(async ([rows, cols]) => {
          const { a, conn } = await atLogin();
          const from = a.received.length;
          a.write(Buffer.concat([windowReport(rows!, cols!), Buffer.from('ok')]));
          await a.waitFor('ok', 5000, from);
          assert.deepEqual(resizes(conn), [], `${rows}x${cols} was taken as a size`);
          assert.ok(!a.received.subarray(from).includes(0x73), 'the report was not echoed as typing');
        }),
        (async () => {
          const { a, conn } = await atLogin();
          const report = windowReport(40, 100);
          for (const piece of [report.subarray(0, 1), report.subarray(1, 3), report.subarray(3, 7), report.subarray(7)]) {
            a.write(piece);
            await sleep(30);
          }
          const resized = await battery.waitForLog((l) => l['event'] === 'session.resize' && l['conn'] === conn);
          assert.deepEqual([resized['cols'], resized['rows']], [100, 40]);
        })(),
        (async () => {
          const { a } = await atLogin();
          const from = a.received.length;
          // 0xFF is a character in CP437 (a non-breaking space): FF FF not followed by ss is typing.
          a.write(Buffer.from([0x61, 0xff, 0xff, 0x62]));
          await a.waitFor(Buffer.from([0x61, 0xff, 0xff, 0x62]), 5000, from);
        })(),
      ]);
    });
  });

  it('keeps every account able to log in after the battery', async () => {
    await battery.assertStoreIntact();
  });
});
