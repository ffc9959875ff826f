// Hostile input 13 of PROTOCOL-NOTES against a running carrier's ssh front end, with
// ssh2's own Client for protocol-level abuse and raw sockets for version-line abuse.
// (Items 1, 2, 9, 14 and 15 on ssh are in connections.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Attacker } from './support/attacker.js';
import { ACCOUNTS, DEADLINES, SLACK_MS, startBattery, type Battery } from './support/battery.js';
import { openShell, reader, ssh2, sshAttempt, sshConnect, type SshClient } from './support/ssh.js';

const mallory = ACCOUNTS.find((a) => a.handle === 'mallory')!;
const GRACE_DEADLINE = DEADLINES.sshGraceMs + SLACK_MS;

describe('hostile ssh clients (PROTOCOL-NOTES item 13)', { timeout: 120_000 }, () => {
  let battery: Battery;
  const open: { close(): void }[] = [];
  const track = <T extends { close(): void }>(x: T): T => (open.push(x), x);
  const logged = (event: string, remote: string, timeoutMs = 5000) =>
    battery.waitForLog((l) => l['event'] === event && l['remote'] === remote, timeoutMs);
  /** Mallory, logged in over ssh from a fresh attacker address. */
  const loggedIn = async (): Promise<{ client: SshClient; from: string; closed: Promise<void>; isClosed(): boolean }> => {
    const from = battery.attacker();
    const s = await sshConnect(battery.ports.ssh!, from, { username: mallory.handle, password: mallory.password });
    track({ close: () => s.client.end() });
    return { ...s, from };
  };

  before(async () => {
    battery = await startBattery();
  });
  after(async () => {
    for (const x of open) x.close();
    await battery?.stop();
  });

  it('13: closes lines before the version line and an 8 KiB version line well before the grace time', async () => {
    await battery.survives('item 13 (version line)', { deadlineMs: GRACE_DEADLINE, caller: 'ssh' }, async () => {
      await Promise.all(
        [Buffer.from('hello\r\nworld\r\nSSH-2.0-OpenSSH_9.6\r\n'), Buffer.from(`SSH-2.0-${'A'.repeat(8192)}\r\n`)].map(async (line) => {
          const a = track(await Attacker.connect(battery.ports.ssh!, battery.attacker()));
          a.write(line);
          assert.ok((await a.waitClosed(GRACE_DEADLINE)) < DEADLINES.sshGraceMs, 'closed by the protocol, not by the grace timer');
        }),
      );
    });
  });

  it('13: survives 11 parallel auth requests, method cycling and an unanswered keyboard-interactive prompt', async () => {
    await battery.survives('item 13 (authentication)', { deadlineMs: GRACE_DEADLINE + SLACK_MS, caller: 'ssh' }, async () => {
      const key = ssh2.utils.generateKeyPairSync('ed25519');
      await Promise.all([
        (async () => {
          // Eleven password requests back to back, as a bot pipelines them.
          const from = battery.attacker();
          const { client, closed } = sshAttempt(battery.ports.ssh!, from, {
            username: mallory.handle,
            authHandler: (_left, _partial, next) => {
              const proto = (client as unknown as { _protocol: { authPassword(u: string, p: string): void } })._protocol;
              for (let i = 0; i < 11; i++) proto.authPassword(mallory.handle, `guess-${i}`);
              next({ type: 'password', username: mallory.handle, password: 'guess-11' });
            },
          });
          await closed;
          const asked = battery.logsFrom(from).filter((l) => l['event'] === 'ssh.auth_failed').length;
          assert.ok(asked <= 6, `the store was asked ${asked} times`);
        })(),
        (async () => {
          // none, password, keyboard-interactive, publickey, round and round.
          const from = battery.attacker();
          let turn = 0;
          const methods = ['none', 'password', 'keyboard-interactive', 'publickey'] as const;
          const { client, closed } = sshAttempt(battery.ports.ssh!, from, {
            username: mallory.handle,
            tryKeyboard: true,
            authHandler: (_left, _partial, next) => {
              const type = methods[turn++ % methods.length]!;
              if (type === 'password') next({ type, username: mallory.handle, password: `cycle-${turn}` });
              else if (type === 'publickey') next({ type, username: mallory.handle, key: key.private });
              else next({ type, username: mallory.handle } as Parameters<typeof next>[0]);
            },
          });
          client.on('keyboard-interactive', (_n, _i, _l, _p, finish) => finish(['wrong']));
          await closed;
          assert.ok(turn <= 12, `${turn} attempts before the server hung up`);
          await logged('ssh.auth_too_many', from);
        })(),
        (async () => {
          const from = battery.attacker();
          const { client, closed } = sshAttempt(battery.ports.ssh!, from, { username: mallory.handle, tryKeyboard: true, authHandler: ['keyboard-interactive'] });
          client.on('keyboard-interactive', () => undefined);
          const started = Date.now();
          await closed;
          assert.ok(Date.now() - started <= GRACE_DEADLINE);
          assert.equal((await logged('ssh.grace_expired', from))['stage'], 'auth');
        })(),
      ]);
    });
  });

  it('13: gives a pty of 0 or 65535 columns and a 4 KiB TERM a sane terminal, and the board', async () => {
    await battery.survives('item 13 (pty)', { deadlineMs: 15_000, caller: 'ssh' }, async () => {
      await Promise.all(
        [
          { term: 'x'.repeat(4096), cols: 0, rows: 0 },
          { term: 'ansi', cols: 65535, rows: 65535 },
        ].map(async (pty) => {
          const s = await loggedIn();
          const ch = await openShell(s.client, pty);
          const out = reader(ch);
          await out.waitForNext('Command:');
          const next = out.waitForNext('Command:');
          ch.write('?');
          await next;
          s.client.end();
          const conn = (await logged('disconnect', s.from))['conn'];
          // The nonsense size was left to the probe (which this client never answers).
          const probe = battery.board.logs.find((l) => l['event'] === 'session.probed' && l['conn'] === conn);
          assert.ok(probe, 'the size was probed');
          assert.equal(probe['cols'], undefined);
        }),
      );
    });
  });

  it('13: disconnects window-change and env floods', async () => {
    await battery.survives('item 13 (request floods)', { deadlineMs: 15_000, caller: 'ssh' }, async () => {
      await Promise.all([
        (async () => {
          const s = await loggedIn();
          const ch = await openShell(s.client, { term: 'xterm', cols: 80, rows: 25 });
          await reader(ch).waitForNext('Command:');
          for (let i = 0; i < 10_000; i++) ch.setWindow(25, 80 + (i % 2), 0, 0);
          await s.closed;
          await logged('ssh.flood', s.from);
          const conn = (await logged('disconnect', s.from))['conn'];
          const resizes = battery.board.logs.filter((l) => l['event'] === 'session.resize' && l['conn'] === conn);
          assert.ok(resizes.length >= 1 && resizes.length <= 300, `${resizes.length} of 10,000 window changes reached the session`);
        })(),
        (async () => {
          const s = await loggedIn();
          const env = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`VAR${i}`, 'x']));
          openShell(s.client, { term: 'xterm', cols: 80, rows: 25 }, env).catch(() => undefined);
          await s.closed;
          await logged('ssh.flood', s.from);
        })(),
      ]);
    });
  });

  it('13: refuses exec and port forwarding both ways (sftp is the file areas), then still opens the shell; disconnects a channel flood', async () => {
    await battery.survives('item 13 (channels)', { deadlineMs: 15_000, caller: 'ssh' }, async () => {
      await Promise.all([
        (async () => {
          const s = await loggedIn();
          const exec = await new Promise<{ code: number | undefined; stderr: string }>((resolve, reject) =>
            s.client.exec('cat /etc/passwd', (err, stream) => {
              if (err) return reject(err);
              let stderr = '';
              let code: number | undefined;
              stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
              stream.on('exit', (c: number) => (code = c));
              stream.on('close', () => resolve({ code, stderr }));
              stream.resume();
            }),
          );
          assert.equal(exec.code, 1);
          assert.match(exec.stderr, /interactive shell only/);
          // SFTP is served on the same login (the file areas, issue 15); it opens and closes cleanly.
          const sftp = await new Promise<{ end(): void }>((resolve, reject) => s.client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp))));
          sftp.end();
          await assert.rejects(new Promise((resolve, reject) => s.client.forwardOut('127.0.0.1', 5000, '127.0.0.1', 22, (err, ch) => (err ? reject(err) : resolve(ch)))));
          await assert.rejects(new Promise<void>((resolve, reject) => s.client.forwardIn('127.0.0.1', 0, (err) => (err ? reject(err) : resolve()))));
          const ch = await openShell(s.client, { term: 'xterm', cols: 80, rows: 25 });
          await reader(ch).waitForNext('Command:');
        })(),
        (async () => {
          const s = await loggedIn();
          const opened = await Promise.allSettled(
            Array.from({ length: 500 }, () => new Promise((resolve, reject) => s.client.exec('true', (err, ch) => (err ? reject(err) : resolve(ch))))),
          );
          assert.ok(opened.filter((r) => r.status === 'fulfilled').length <= 4, 'at most four session channels at once');
          await s.closed;
          await logged('ssh.flood', s.from);
        })(),
      ]);
    });
  });

  it('keeps every account able to log in after the battery', async () => {
    await battery.assertStoreIntact();
  });
});
