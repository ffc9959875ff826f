import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
// node-pty (and its native binding) is loaded on the first door run, not when the board
// starts (issue 18: idle memory).
import type { IPty } from '@lydell/node-pty';
import { CarrierError, ErrorCodes } from '@carrier/core';

/**
 * One door program in a pseudo-terminal. node-pty forks the child with setsid() and the
 * PTY as its controlling terminal, so the door leads its own session and process group
 * (pgid = pid): one kill(-pid) reaches everything it started that did not leave the
 * group on purpose. The argument vector is the sysop's, run through prlimit(1) for the
 * CPU-time and address-space limits; there is no shell anywhere.
 */

export interface DoorSpawnOptions {
  /** the sysop's argument vector; [0] is an absolute path */
  command: readonly string[];
  cwd: string;
  /** the whole environment the door gets (build it with doorEnvironment) */
  env: Readonly<Record<string, string>>;
  cols: number;
  rows: number;
  /** TERM for the PTY */
  term: string;
  cpuSeconds: number;
  memoryMiB: number;
  /** prlimit from util-linux; default /usr/bin/prlimit */
  prlimit?: string | undefined;
  /** between SIGHUP/SIGTERM and SIGKILL; default 2 s */
  killGraceMs?: number | undefined;
}

export interface DoorExit {
  exitCode: number;
  /** the signal number that ended it, 0 when it exited */
  signal: number;
}

export const DEFAULT_PRLIMIT = '/usr/bin/prlimit';
export const DEFAULT_KILL_GRACE_MS = 2_000;
/** Seconds between the soft CPU limit (SIGXCPU, which a door may catch to save) and the hard one (SIGKILL). */
const CPU_HARD_MARGIN_S = 5;

/** DOOR_MISSING: the program (or prlimit) is not an executable file. */
export const DOOR_MISSING = 'DOOR_MISSING';

/** The argv actually spawned: prlimit with the limits, `--`, then the door's own vector untouched. */
export function limitedArgv(opts: Pick<DoorSpawnOptions, 'command' | 'cpuSeconds' | 'memoryMiB' | 'prlimit'>): string[] {
  const bytes = opts.memoryMiB * 1024 * 1024;
  return [
    opts.prlimit ?? DEFAULT_PRLIMIT,
    `--cpu=${opts.cpuSeconds}:${opts.cpuSeconds + CPU_HARD_MARGIN_S}`,
    `--as=${bytes}:${bytes}`,
    // A crashing door must not leave a core file of the caller's game in the node dir.
    '--core=0:0',
    '--',
    ...opts.command,
  ];
}

async function executable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export class DoorProcess {
  readonly pid: number;
  /** resolves once the door's main process has exited and its group has been swept */
  readonly exited: Promise<DoorExit>;
  private readonly pty: IPty;
  private readonly graceMs: number;
  private exitInfo: DoorExit | undefined;
  private killing: Promise<void> | undefined;
  private paused = false;

  private constructor(pty: IPty, graceMs: number) {
    this.pty = pty;
    this.pid = pty.pid;
    this.graceMs = graceMs;
    this.exited = new Promise<DoorExit>((resolve) => {
      pty.onExit(({ exitCode, signal }) => {
        this.exitInfo = { exitCode, signal: signal ?? 0 };
        // The leader is gone; anything it left in its group (a forked helper) goes with it.
        signalGroup(this.pid, 'SIGKILL');
        resolve(this.exitInfo);
      });
    });
  }

  /** Start the door; rejects DOOR_MISSING when the program or prlimit cannot be run. */
  static async spawn(opts: DoorSpawnOptions): Promise<DoorProcess> {
    const argv = limitedArgv(opts);
    for (const file of [argv[0]!, opts.command[0]!]) {
      if (!(await executable(file))) {
        throw new CarrierError(ErrorCodes.NOT_FOUND, `${file} is not an executable file`, { reason: DOOR_MISSING, file });
      }
    }
    const { spawn: spawnPty } = await import('@lydell/node-pty');
    const pty = spawnPty(argv[0]!, argv.slice(1), {
      name: opts.term,
      cols: opts.cols,
      rows: opts.rows,
      cwd: opts.cwd,
      env: { ...opts.env },
      // Bytes, not strings: the door's encoding is translated by the caller of this class.
      encoding: null,
    });
    return new DoorProcess(pty, opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  onData(fn: (bytes: Buffer) => void): void {
    // encoding: null makes node-pty hand over Buffers; its typings say string.
    this.pty.onData((data: unknown) => fn(typeof data === 'string' ? Buffer.from(data, 'utf8') : (data as Buffer)));
  }

  write(bytes: Buffer): void {
    if (!this.running || bytes.length === 0) return;
    (this.pty.write as (data: string | Buffer) => void)(bytes);
  }

  resize(cols: number, rows: number): void {
    if (!this.running) return;
    try {
      this.pty.resize(cols, rows);
    } catch {
      // the PTY closed between the check and the ioctl
    }
  }

  /** Stop reading the door's output: the PTY fills, and the door blocks in write(). */
  pause(): void {
    if (this.paused || !this.running) return;
    this.paused = true;
    this.pty.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pty.resume();
  }

  /**
   * End the door and everything in its process group: SIGHUP (what a modem hang-up
   * sent), SIGTERM, and SIGKILL after the grace period. Resolves when the leader is gone.
   */
  kill(): Promise<void> {
    this.killing ??= (async () => {
      if (!this.running) return;
      // A paused PTY would keep a door blocked in write() from ever seeing the signal's effect.
      this.resume();
      signalGroup(this.pid, 'SIGHUP');
      signalGroup(this.pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.graceMs)));
      const result = await Promise.race([this.exited.then(() => 'done' as const), late]);
      clearTimeout(timer);
      if (result === 'late') {
        signalGroup(this.pid, 'SIGKILL');
        await this.exited;
      }
    })();
    return this.killing;
  }
}

/** kill(-pgid): ESRCH (the group is already empty) is the normal end, not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Processes whose process group is `pgid`, from /proc (Linux): what the tests and the orphan check read. */
export async function groupMembers(pgid: number): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) start after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // rest[0] state, rest[1] ppid, rest[2] pgrp
      if (Number(rest[2]) === pgid && rest[0] !== 'Z') out.push(Number(entry));
    } catch {
      // gone while we looked
    }
  }
  return out;
}
