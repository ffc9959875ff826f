import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { isCarrierError } from '@carrier/core';
import { eventually } from '@carrier/core/testing';
import { DoorProcess, groupMembers, limitedArgv, type DoorSpawnOptions } from './runner.js';

const base = (command: string[], extra: Partial<DoorSpawnOptions> = {}): DoorSpawnOptions => ({
  command,
  cwd: tmpdir(),
  env: { PATH: '/usr/bin:/bin' },
  cols: 100,
  rows: 30,
  term: 'ansi',
  cpuSeconds: 60,
  memoryMiB: 512,
  killGraceMs: 1_000,
  ...extra,
});

/** How eventually() polls here: the door's output or process group, every 25 ms. */
const POLL = { timeoutMs: 20_000, intervalMs: 25 };

function collect(door: DoorProcess): { text: () => string } {
  const chunks: Buffer[] = [];
  door.onData((b) => chunks.push(b));
  return { text: () => Buffer.concat(chunks).toString('latin1') };
}

describe('door runner', () => {
  it('spawns through prlimit with the sysop argv untouched after --', () => {
    assert.deepEqual(limitedArgv({ command: ['/usr/games/robots', '-s'], cpuSeconds: 10, memoryMiB: 64 }), [
      '/usr/bin/prlimit', '--cpu=10:15', `--as=${64 * 1024 * 1024}:${64 * 1024 * 1024}`, '--core=0:0', '--', '/usr/games/robots', '-s',
    ]);
  });

  it('runs in a PTY of the caller size, leads its own process group, and follows a resize', async () => {
    const door = await DoorProcess.spawn(base(['/bin/sh', '-c', 'stty size; read x; stty size; echo "got $x"']));
    const out = collect(door);
    // The child calls setsid() right after fork, so the group is polled, not read once.
    const pgid = async () => {
      const stat = await readFile(`/proc/${door.pid}/stat`, 'utf8').catch(() => '');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    };
    await eventually(() => out.text().includes('30 100'), 'first size', POLL);
    assert.equal(await pgid(), door.pid, 'pgid is the door pid');
    door.resize(120, 40);
    door.write(Buffer.from('hello\r'));
    const exit = await door.exited;
    assert.equal(exit.exitCode, 0);
    assert.match(out.text(), /40 120/);
    assert.match(out.text(), /got hello/);
  });

  it('kill() ends the whole group, a background child included', async () => {
    const door = await DoorProcess.spawn(base(['/bin/sh', '-c', 'sleep 1000 & sleep 1000 & echo started; wait']));
    const out = collect(door);
    await eventually(() => out.text().includes('started'), 'started', POLL);
    assert.ok((await groupMembers(door.pid)).length >= 3, 'sh and two sleeps');
    await door.kill();
    await eventually(async () => (await groupMembers(door.pid)).length === 0, 'empty group', POLL);
  });

  it('a door that ignores SIGHUP and SIGTERM is SIGKILLed after the grace period', async () => {
    const door = await DoorProcess.spawn(base(['/bin/sh', '-c', "trap '' HUP TERM; echo armed; while :; do sleep 1; done"], { killGraceMs: 300 }));
    const out = collect(door);
    await eventually(() => out.text().includes('armed'), 'armed', POLL);
    await door.kill();
    assert.equal((await door.exited).signal, 9);
    await eventually(async () => (await groupMembers(door.pid)).length === 0, 'empty group', POLL);
  });

  it('the CPU-time limit ends a spinning door (SIGXCPU)', async () => {
    const door = await DoorProcess.spawn(base(['/bin/sh', '-c', 'while :; do :; done'], { cpuSeconds: 1 }));
    const exit = await door.exited;
    assert.ok(exit.signal === 24 || exit.signal === 9, `signal ${exit.signal}`);
  });

  it('the memory limit stops a door from growing past it', async () => {
    const grow = ['/bin/sh', '-c', 'x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo "grew ${#x}"'];
    const limited = await DoorProcess.spawn(base(grow, { memoryMiB: 64 }));
    const out = collect(limited);
    await limited.exited;
    assert.doesNotMatch(out.text(), /grew 100000000/);
    const free = await DoorProcess.spawn(base(grow, { memoryMiB: 1024 }));
    const freeOut = collect(free);
    await free.exited;
    assert.match(freeOut.text(), /grew 100000000/, 'the same door fits under a larger limit');
  });

  it('a missing program is DOOR_MISSING before anything is spawned', async () => {
    await assert.rejects(DoorProcess.spawn(base(['/usr/games/no-such-door'])), (err) => isCarrierError(err) && err.details?.['reason'] === 'DOOR_MISSING');
  });
});
