import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { client, decodeBytes, isCarrierError, isPlainTerminal } from '@carrier/core';
import {
  bridgeDoor,
  doorEnvironment,
  doorTerm,
  DoorProcess,
  DOOR_MISSING,
  dropFile,
  TERMINAL_RESET,
  type DoorDefinition,
  type DoorEndpoint,
  type DoorExit,
  type DropInfo,
} from '@carrier/doors';
import { clipAnsiRow } from '@carrier/terminal';
import type { Session } from '../session-api.js';
import { noticeLine, type Notice } from '../social/notice.js';
import { printWords } from '../prompt-fit.js';
import type { BoardDoors } from './board-doors.js';
import { DoorReplay } from './door-replay.js';

/**
 * A caller runs a door: checks (level, busy, daily time), drop files in the node
 * directory, the program in a PTY bridged to the connection, and afterwards the
 * terminal reset and the caller back where they were. Every way it can end (the door
 * exits or crashes, its time runs out, the caller hangs up, the program is missing)
 * gives the caller one clear line and the log one `door.*` line, and leaves no process
 * of the door's group behind.
 */

export type DoorOutcome =
  | 'exited'
  | 'crashed'
  | 'time limit'
  | 'hangup'
  | 'missing'
  | 'no such door'
  | 'no access'
  | 'needs ansi'
  | 'busy'
  | 'daily limit'
  | 'no doors'
  | 'failed';

/**
 * An Enter this soon after a door starts, before any other key, is the tail of the key
 * that picked it (bridge pickEnterMs): a caller typing the door's number and Enter out of
 * habit sends the Enter a few hundred ms after the number, while the door starts.
 */
const PICK_ENTER_MS = 750;
/** A door that ends this soon with a failure status "crashed at once". */
const CRASH_AT_ONCE_MS = 3_000;
/** Text every presence entry of a caller in a door carries; maxCallers counts it across processes. */
export const DOOR_ACTIVITY_PREFIX = 'In a door: ';

export function doorsOf(s: Session): BoardDoors | undefined {
  return (s.board as { doors?: BoardDoors | undefined }).doors;
}

/** Doors this caller may run (enabled, level high enough). */
export async function doorsFor(s: Session): Promise<DoorDefinition[]> {
  return (await doorsByLevel(s)).open;
}

/**
 * The enabled doors split by the caller's level: those they may run, and how many are
 * above it (so an empty list can say why: no doors at all, or none for this level yet).
 */
export async function doorsByLevel(s: Session): Promise<{ open: DoorDefinition[]; aboveLevel: number }> {
  const doors = doorsOf(s);
  if (!doors) return { open: [], aboveLevel: 0 };
  const level = s.user?.level ?? 0;
  const all = await doors.list();
  const open = all.filter((d) => level >= d.level);
  return { open, aboveLevel: all.length - open.length };
}

async function othersInside(s: Session, door: DoorDefinition, doors: BoardDoors): Promise<number> {
  const here = doors.callersHere(door.name);
  try {
    const activity = `${DOOR_ACTIVITY_PREFIX}${door.name}`;
    const board = (await s.who()).filter((e) => e.activity === activity && e.sessionId !== s.id).length;
    return Math.max(here, board);
  } catch {
    return here;
  }
}

export async function runDoor(s: Session, name: string): Promise<DoorOutcome> {
  const doors = doorsOf(s);
  const say = (text: string): void => {
    s.println();
    printWords(s, `|07${text}`);
  };
  if (!doors) {
    say('This board has no doors.');
    return 'no doors';
  }
  const door = await doors.get(name);
  const user = s.user;
  if (!door) {
    say(`There is no door named ${name}.`);
    s.log.warn('door.unknown', { door: client(name) });
    return 'no such door';
  }
  if (!user || user.level < door.level) {
    say(`${door.description} needs level ${door.level}.`);
    s.log.info('door.refused', { door: door.name, why: 'level', level: user?.level ?? 0 });
    return 'no access';
  }
  if (door.terminal === 'ansi' && isPlainTerminal(s.terminal.type)) {
    // Its screens would reach a terminal without cursor control as escape codes and jumbled text.
    say(`${door.description} needs a terminal with cursor control (ANSI), and yours says it has none.`);
    s.log.info('door.refused', { door: door.name, why: 'plain terminal', term: client(s.terminal.type) });
    return 'needs ansi';
  }
  if (door.maxCallers !== undefined && (await othersInside(s, door, doors)) >= door.maxCallers) {
    say(`${door.description} is busy: ${door.maxCallers === 1 ? 'someone else is in it' : `${door.maxCallers} callers are in it`}. Try again later.`);
    s.log.info('door.busy', { door: door.name, maxCallers: door.maxCallers });
    return 'busy';
  }
  let limitMs = door.timeLimitMs;
  let dailyLeftMs: number | undefined;
  if (door.dailyLimitMs !== undefined) {
    const used = (await s.store.doorUsage.secondsOn(user.id, door.name)) * 1000;
    dailyLeftMs = door.dailyLimitMs - used;
    if (dailyLeftMs < 1000) {
      say(`You have used today's time in ${door.description}. It comes back at midnight (UTC).`);
      s.log.info('door.refused', { door: door.name, why: 'daily limit', usedSeconds: used / 1000 });
      return 'daily limit';
    }
    limitMs = Math.min(limitMs, dailyLeftMs);
  }

  // Count the caller in before anything slow, so two callers racing for a one-caller door cannot both get in.
  const release = doors.enter(door.name, s.id);
  const previousActivity = s.activity;
  try {
    // The sysop broke in to chat as the door was picked: nothing of the door starts (drop
    // files, program, its time) until the chat ends; the caller keeps their place in it.
    await s.whenInputFree();
    const callLeftMs = s.startedAt + s.board.config.maxDurationMs - Date.now();
    return await runInside(s, doors, door, Math.max(1000, Math.min(limitMs, callLeftMs)));
  } finally {
    release();
    s.setActivity(previousActivity);
  }
}

/** Remove everything in a node directory: drop files hold the caller's handle and level. */
async function emptyNodeDir(dir: string): Promise<void> {
  for (const entry of await readdir(dir)) await rm(join(dir, entry), { recursive: true, force: true });
}

async function writeDropFiles(s: Session, doors: BoardDoors, door: DoorDefinition, dir: string, limitMs: number): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // The last caller's drop files must never reach this one's door (a crash may have left them).
  await emptyNodeDir(dir);
  const user = s.user!;
  const info: DropInfo = {
    boardName: s.board.name,
    software: doors.opts.software ?? 'carrier',
    sysopName: doors.opts.sysopName ?? 'Sysop',
    userId: user.id,
    handle: user.handle,
    realName: user.handle,
    location: user.location ?? '',
    level: user.level,
    secondsLeft: Math.floor(limitMs / 1000),
    // A caller's terminal is ANSI unless it said it is a dumb one.
    ansi: !/^(dumb|unknown)$/i.test(s.terminal.type),
    node: s.node,
    rows: s.terminal.rows,
    cols: s.terminal.cols,
    callStartedAt: s.startedAt,
    lastCallAt: user.lastLoginAt ?? undefined,
    totalCalls: user.callCount,
  };
  for (const kind of door.dropFiles) {
    const file = dropFile(kind, info);
    await writeFile(join(dir, file.name), file.bytes, { mode: 0o600 });
  }
}

async function runInside(s: Session, doors: BoardDoors, door: DoorDefinition, limitMs: number): Promise<DoorOutcome> {
  const dir = doors.nodeDir(s.node);
  const log = s.log;
  try {
    await writeDropFiles(s, doors, door, dir, limitMs);
  } catch (err) {
    s.println();
    printWords(s, '|07The door could not be prepared. The sysop has been told.');
    log.error('door.prepare_failed', { door: door.name, dir, err });
    return 'failed';
  }
  const term = doorTerm(s.terminal.type, s.terminal.encoding);
  let proc: DoorProcess;
  try {
    proc = await DoorProcess.spawn({
      command: door.command,
      cwd: door.cwd ?? dir,
      env: doorEnvironment({ term, cols: s.terminal.cols, rows: s.terminal.rows, encoding: door.encoding, nodeDir: dir, node: s.node, sysop: door.env }),
      cols: s.terminal.cols,
      rows: s.terminal.rows,
      term,
      cpuSeconds: door.cpuSeconds,
      memoryMiB: door.memoryMiB,
      prlimit: doors.opts.prlimit,
      killGraceMs: doors.opts.killGraceMs,
    });
  } catch (err) {
    if (isCarrierError(err) && err.details?.['reason'] === DOOR_MISSING) {
      s.println();
      printWords(s, `|07${door.description} is not installed on this board. The sysop has been told.`);
      log.error('door.missing', { door: door.name, file: err.details['file'] });
      return 'missing';
    }
    s.println();
    printWords(s, `|07${door.description} could not be started. The sysop has been told.`);
    log.error('door.spawn_failed', { door: door.name, err });
    return 'failed';
  }

  // The sysop broke in to chat while the door was being prepared: the door reads the
  // connection itself, so it waits for the chat to end (its output waits in its pty), and
  // its time limit counts from then.
  try {
    await s.whenInputFree();
  } catch (err) {
    await proc.kill();
    throw err;
  }
  const startedAt = Date.now();
  s.setActivity(`${DOOR_ACTIVITY_PREFIX}${door.name}`);
  // childPid, not pid: every log line's pid is the board process's.
  log.info('door.start', { door: door.name, childPid: proc.pid, limitMs, cols: s.terminal.cols, rows: s.terminal.rows, term });
  const release = s.holdInput();
  s.discardInput();
  // The door's screen (since its last clear, else its last lines or its positioned drawing, after the modes in force there), for a sysop's spy that starts while it runs.
  const replay = new DoorReplay();
  const endpoint: DoorEndpoint = {
    onData: (fn) => proc.onData((bytes) => {
      replay.feed(bytes);
      fn(bytes);
    }),
    write: (bytes) => proc.write(bytes),
    pause: () => proc.pause(),
    resume: () => proc.resume(),
    resize: (cols, rows) => proc.resize(cols, rows),
  };
  const unReplay = s.social.drawsAgain(() => {
    const bytes = replay.bytes(s.terminal.rows);
    if (bytes.length > 0) s.write(decodeBytes(bytes, door.encoding));
  });
  const bridge = bridgeDoor(s.conn, endpoint, { encoding: door.encoding, pickEnterMs: PICK_ENTER_MS });
  // The door owns the screen: pages and chat requests wait for its end, but a system
  // notice (the idle warning), a broadcast or a sysop's message (a restart coming) is
  // drawn over its bottom row, between two of its sequences.
  const unNotice = s.social.onNotice((n) => bridge.overlay(overNotice(n, s.terminal.cols, s.terminal.rows)), { answersKey: false, kinds: ['system', 'broadcast', 'message'] });
  let ended: 'time limit' | 'hangup' | undefined;
  const timer = setTimeout(() => {
    ended ??= 'time limit';
    void proc.kill();
  }, limitMs);
  const onClose = (): void => {
    ended ??= 'hangup';
    void proc.kill();
  };
  s.conn.on('close', onClose);
  let exit: DoorExit;
  try {
    if (s.conn.closed) onClose();
    exit = await proc.exited;
  } finally {
    clearTimeout(timer);
    s.conn.off('close', onClose);
    unNotice();
    unReplay();
    bridge.stop();
    // Whatever the door left running in its group goes too (DoorProcess sweeps it on exit; this covers a throw).
    await proc.kill();
    release();
    s.discardInput();
    // The door is gone with its whole group: its drop files go too.
    await emptyNodeDir(dir).catch((err: unknown) => log.warn('door.cleanup_failed', { door: door.name, dir, err }));
  }
  const seconds = Math.round((Date.now() - startedAt) / 1000);
  const fields = {
    door: door.name,
    childPid: proc.pid,
    exitCode: exit.exitCode,
    signal: exit.signal,
    seconds,
    bytesOut: bridge.stats.bytesOut,
    bytesIn: bridge.stats.bytesIn,
    pauses: bridge.stats.pauses,
    ...(bridge.stats.pickEnter > 0 ? { pickEnterDropped: bridge.stats.pickEnter } : {}),
  };
  try {
    await s.store.doorUsage.add(s.user!.id, door.name, seconds);
  } catch (err) {
    log.warn('door.usage_not_recorded', { door: door.name, err });
  }
  if (ended === 'hangup' || s.closed) {
    log.info('door.hangup', fields);
    return 'hangup';
  }
  s.write(TERMINAL_RESET);
  if (ended === 'time limit') {
    log.info('door.time_limit', { ...fields, limitMs });
    s.println('\r\n');
    printWords(s, `|07Time is up in ${door.description}.`);
    return 'time limit';
  }
  const failed = exit.signal !== 0 || exit.exitCode !== 0;
  if (failed && Date.now() - startedAt < CRASH_AT_ONCE_MS) {
    log.warn('door.crashed', fields);
    s.println('\r\n');
    printWords(s, `|07${door.description} ended at once (${exit.signal ? `signal ${exit.signal}` : `exit status ${exit.exitCode}`}). The sysop has been told.`);
    return 'crashed';
  }
  log.info('door.exit', fields);
  s.println('\r\n');
  return failed ? 'crashed' : 'exited';
}

/**
 * A notice drawn over a running door's bottom row: the cursor and colours saved (DECSC)
 * and put back (DECRC), the line cut short of the last column so nothing scrolls. The
 * door's next redraw of that row replaces it.
 */
function overNotice(n: Notice, cols: number, rows: number): string {
  return `\x1b7\x1b[${rows};1H\x1b[0m\x1b[K${clipAnsiRow(noticeLine(n), Math.max(1, cols - 1))}\x1b8`;
}
