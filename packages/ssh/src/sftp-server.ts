// SFTP on the board's SSH login (ssh2's server side). The board's rules come in through
// SftpBackend, which the server wires (this package depends on core only): which folders
// exist, what may be read, where writes go and how big they may get. This module owns
// the protocol side: paths resolved against a virtual root, handles (capped), and a
// refusal for everything else (rename, chmod, mkdir, symlinks).
import { open, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { client, escapeClientText, type Logger } from '@carrier/core';
import { ReadProgress } from './read-progress.js';
import * as ssh2 from './ssh2-lib.js';

const { STATUS_CODE, OPEN_MODE } = ssh2.utils.sftp;

export interface SftpEntry {
  name: string;
  size: number;
  mtimeMs: number;
  directory: boolean;
}

export type SftpRefusal = { error: 'no-such-file' | 'denied' | 'failure'; message: string };

export interface SftpUploadTarget {
  /** a new file on disk the bytes go to */
  path: string;
  maxBytes: number;
  /** the handle closed: ok = every write landed; the message to return when it did not work out */
  finish(ok: boolean): Promise<string | undefined>;
}

/** Which front end sent a file (SFTP, or legacy scp on the same backend). */
export type DownloadVia = 'sftp' | 'scp';

export interface SftpDownloadSource {
  /** an existing file on disk to read */
  path: string;
  size: number;
  /**
   * Called once, when the download ends (its handle closed, or the channel gone):
   * `complete` = the handle sent the file through its last byte, without a gap, from
   * where its reading started (0, or the size of the caller's partial copy for a resumed
   * download); `bytes` = how many bytes it sent.
   */
  done(outcome: { complete: boolean; bytes: number; via: DownloadVia }): void;
}

/** The board's side of one caller's SFTP session; paths are clean segments under the root. */
export interface SftpBackend {
  list(dir: readonly string[]): Promise<SftpEntry[] | SftpRefusal>;
  stat(path: readonly string[]): Promise<SftpEntry | SftpRefusal>;
  openRead(path: readonly string[]): Promise<SftpDownloadSource | SftpRefusal>;
  openWrite(path: readonly string[]): Promise<SftpUploadTarget | SftpRefusal>;
  remove(path: readonly string[]): Promise<true | SftpRefusal>;
}

/** Open handles (files and folders) one session may hold: OpenSSH's sftp uses a few. */
export const MAX_SFTP_HANDLES = 64;
/** The longest path accepted. */
const MAX_PATH = 1024;
/** The largest READ answered at once (OpenSSH asks for 32 KiB; the spec allows servers to send less). */
const MAX_READ = 64 * 1024;
/** Names per READDIR answer. */
const DIR_BATCH = 100;
/**
 * READ and WRITE requests a session may have waiting for their answer. OpenSSH's sftp and
 * scp keep 64 in flight (`-R`); a client sending requests without end would otherwise
 * queue work (and, for WRITE, its data) without bound.
 */
export const MAX_SFTP_PENDING = 256;
/**
 * Answers ssh2 may hold for a client whose window is shut before more READs are answered:
 * each 30-byte READ asks for up to 64 KiB, so answering every one at once would let a
 * client that never reads make the board queue gigabytes (hostile input 14). Past this a
 * READ waits until the client takes what is queued, as OpenSSH's sftp-server stops
 * reading requests while its output queue is full; the READs waiting are capped by
 * MAX_SFTP_PENDING. OpenSSH's default pipeline (64 reads of 32 KiB) mostly fits its 2 MiB
 * window and never waits; `sftp -R 256 -B 262144` does, and goes on at the client's pace.
 */
export const MAX_SFTP_UNSENT = 4 * 1024 * 1024;

type Handle =
  | { kind: 'read'; fh: FileHandle; source: SftpDownloadSource; size: number; replies: Promise<void>; read: ReadProgress }
  | { kind: 'write'; fh: FileHandle; target: SftpUploadTarget; failed: string | undefined; replies: Promise<void>; path: string }
  | { kind: 'dir'; entries: SftpEntry[]; next: number };

/** Report a read handle's end to the board, once. */
function endDownload(h: { source: SftpDownloadSource; read: ReadProgress }): void {
  h.source.done({ complete: h.read.complete, bytes: h.read.sent, via: 'sftp' });
}

function isRefusal(v: unknown): v is SftpRefusal {
  return typeof v === 'object' && v !== null && 'error' in v;
}

/**
 * A client path as segments under the virtual root; undefined for a NUL or an absurd
 * length. ".." is resolved (it can never climb above the root), so "/../../etc/passwd"
 * is the root's "etc" folder, which does not exist.
 */
export function sftpSegments(raw: string): string[] | undefined {
  if (raw.length > MAX_PATH || raw.includes('\0')) return undefined;
  const norm = posix.normalize(posix.join('/', raw));
  return norm.split('/').filter((p) => p.length > 0 && p !== '.');
}

function attrs(e: SftpEntry): { mode: number; uid: number; gid: number; size: number; atime: number; mtime: number } {
  const t = Math.floor(e.mtimeMs / 1000);
  return { mode: e.directory ? 0o040755 : 0o100644, uid: 0, gid: 0, size: e.size, atime: t, mtime: t };
}

function longname(e: SftpEntry): string {
  const date = new Date(e.mtimeMs).toISOString().slice(0, 10);
  return `${e.directory ? 'drwxr-xr-x' : '-rw-r--r--'}    1 bbs      bbs      ${String(e.size).padStart(10)} ${date} ${e.name}`;
}

/**
 * exit-status on an SFTP subsystem's channel. ssh2's SFTP object has no exit() (its
 * Channel has); it keeps the channel's protocol and ids, which exit() itself uses.
 */
function sendExitStatus(sftp: SFTPWrapper, status: number): void {
  const inner = sftp as unknown as { _protocol?: { exitStatus?(id: number, status: number): void }; outgoing?: { id: number; state: string } };
  if (inner.outgoing?.state === 'open' && typeof inner._protocol?.exitStatus === 'function') inner._protocol.exitStatus(inner.outgoing.id, status);
}

/** SSH_EXTENDED_DATA_STDERR (RFC 4254 §5.2). */
const EXTENDED_DATA_STDERR = 1;

/**
 * A line on the SFTP channel's standard error. OpenSSH's sftp (and scp over SFTP) prints
 * its own text for a status code ("Failure", "Permission denied") and drops the server's
 * message, but the ssh it runs writes the channel's stderr to the caller's terminal: so a
 * refusal's reason goes there too. ssh2's SFTP object has no stderr of its own; the line
 * goes through its protocol as extended data and is counted against the client's window
 * as SFTP's own answers are (one that does not fit now is left out: the status code
 * still tells).
 */
function tellStderr(sftp: SFTPWrapper, text: string): void {
  const inner = sftp as unknown as {
    _protocol?: { channelExtData?(id: number, data: Buffer, type: number): void };
    outgoing?: { id: number; state: string; window: number; packetSize: number };
  };
  const out = inner.outgoing;
  const line = Buffer.from(`${text}\n`, 'utf8');
  if (!out || out.state !== 'open' || typeof inner._protocol?.channelExtData !== 'function') return;
  if (line.length > out.window || line.length > out.packetSize) return;
  out.window -= line.length;
  inner._protocol.channelExtData(out.id, line, EXTENDED_DATA_STDERR);
}

/**
 * Bytes of answers ssh2 keeps for this channel because the client's window is shut
 * (SFTPWrapper has no public count; `_buffer` is where its sendOrBuffer() queues them).
 */
function unsentBytes(sftp: SFTPWrapper): number {
  const queued = (sftp as unknown as { _buffer?: Buffer[] })._buffer;
  let n = 0;
  if (Array.isArray(queued)) for (const b of queued) n += b.length;
  return n;
}

/**
 * Call `fn` after ssh2 has sent what it held once the client opened its window again.
 * ssh2 has no event for it: on CHANNEL_WINDOW_ADJUST it calls the channel's `_chunkcb`
 * (the SFTP object's drainBuffer), which is wrapped here.
 */
function afterWindowOpens(sftp: SFTPWrapper, fn: () => void): void {
  const inner = sftp as unknown as { _chunkcb?: (() => void) | undefined };
  let current = inner._chunkcb;
  Object.defineProperty(inner, '_chunkcb', {
    configurable: true,
    get: () =>
      current === undefined
        ? undefined
        : function (this: unknown) {
            current?.call(this);
            fn();
          },
    set: (v: (() => void) | undefined) => {
      current = v;
    },
  });
}

/** Serve one SFTP channel until it closes; `disconnect` ends the whole SSH connection (a request flood). */
export function serveSftp(sftp: SFTPWrapper, backend: SftpBackend, log: Logger, disconnect?: () => void): void {
  const handles = new Map<number, Handle>();
  let nextHandle = 1;
  let capLogged = false;
  /** READ and WRITE requests not answered yet */
  let pending = 0;
  /** the session is over (a flood, or the channel closed): nothing more is answered */
  let overrun = false;
  const giveUp = (fields: Record<string, number>): void => {
    if (overrun) return;
    overrun = true;
    log.warn('sftp.flood', fields);
    sftp.end();
    // The answers ssh2 holds go with the connection; a client that reads nothing would never confirm the close.
    disconnect?.();
    wakeWaiting();
  };
  /** READs waiting for ssh2 to send what it holds (over MAX_SFTP_UNSENT). */
  let waitingForRoom: Array<() => void> = [];
  const wakeWaiting = (): void => {
    if (waitingForRoom.length === 0 || (unsentBytes(sftp) > MAX_SFTP_UNSENT && !overrun)) return;
    const waiting = waitingForRoom;
    waitingForRoom = [];
    for (const wake of waiting) wake();
  };
  afterWindowOpens(sftp, wakeWaiting);
  let waitLogged = false;
  /** the most answers ssh2 held at once, logged at the end (sftp.end) */
  let peakUnsent = 0;
  /**
   * Returns once the answers ssh2 holds are under MAX_SFTP_UNSENT (or the session is over).
   * Each handle answers in order, so at most one answer per open handle can cross it.
   */
  const room = async (): Promise<void> => {
    for (let unsent = unsentBytes(sftp); unsent > MAX_SFTP_UNSENT && !overrun; unsent = unsentBytes(sftp)) {
      if (!waitLogged) {
        waitLogged = true;
        log.debug('sftp.waiting', { unsent, limit: MAX_SFTP_UNSENT });
      }
      await new Promise<void>((resolve) => waitingForRoom.push(resolve));
    }
  };
  /** Count a READ or WRITE in; false (and the session closed) past MAX_SFTP_PENDING. */
  const admit = (): boolean => {
    if (overrun) return false;
    if (pending >= MAX_SFTP_PENDING) {
      giveUp({ pending, limit: MAX_SFTP_PENDING, unsent: unsentBytes(sftp) });
      return false;
    }
    pending++;
    return true;
  };
  /** The board's reason for refusing what the client did with `path`, on the caller's terminal. */
  const tell = (path: string, reason: string): void => tellStderr(sftp, `${escapeClientText(path)}: ${reason}`);
  const status = (reqid: number, r: SftpRefusal, path?: string): void => {
    const code = r.error === 'no-such-file' ? STATUS_CODE.NO_SUCH_FILE : r.error === 'denied' ? STATUS_CODE.PERMISSION_DENIED : STATUS_CODE.FAILURE;
    // "No such file" says it all (and sftp stats paths that may not exist, as put does).
    if (path !== undefined && r.error !== 'no-such-file') tell(path, r.message);
    sftp.status(reqid, code, r.message);
  };
  const newHandle = (reqid: number, h: Handle): void => {
    const id = nextHandle++;
    handles.set(id, h);
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(id);
    sftp.handle(reqid, buf);
  };
  const getHandle = (buf: Buffer): [number, Handle | undefined] => {
    if (buf.length !== 4) return [0, undefined];
    const id = buf.readUInt32BE(0);
    return [id, handles.get(id)];
  };
  const full = (reqid: number): boolean => {
    if (handles.size < MAX_SFTP_HANDLES) return false;
    if (!capLogged) {
      capLogged = true;
      log.warn('sftp.handles_capped', { limit: MAX_SFTP_HANDLES });
    }
    sftp.status(reqid, STATUS_CODE.FAILURE, `too many open handles (at most ${MAX_SFTP_HANDLES})`);
    return true;
  };
  const segments = (reqid: number, raw: string): string[] | undefined => {
    const s = sftpSegments(raw);
    if (!s) {
      log.info('sftp.bad_path', { path: client(raw.slice(0, 200)) });
      sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, 'no such file');
    }
    return s;
  };
  const guard = (reqid: number, work: () => Promise<void>): void => {
    work().catch((err: unknown) => {
      log.warn('sftp.failed', { err });
      try {
        sftp.status(reqid, STATUS_CODE.FAILURE, 'failure');
      } catch {
        // channel gone
      }
    });
  };

  sftp.on('REALPATH', (reqid, raw) => {
    const s = segments(reqid, raw);
    if (!s) return;
    const path = `/${s.join('/')}`;
    sftp.name(reqid, [{ filename: path, longname: path, attrs: {} as never }]);
  });
  const statHandler = (reqid: number, raw: string): void => {
    const s = segments(reqid, raw);
    if (!s) return;
    guard(reqid, async () => {
      const r = await backend.stat(s);
      if (isRefusal(r)) status(reqid, r);
      else sftp.attrs(reqid, attrs(r));
    });
  };
  sftp.on('STAT', statHandler);
  sftp.on('LSTAT', statHandler);
  sftp.on('FSTAT', (reqid, buf) => {
    const [, h] = getHandle(buf);
    if (!h || h.kind === 'dir') return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
    guard(reqid, async () => {
      const st = await h.fh.stat();
      sftp.attrs(reqid, attrs({ name: '', size: st.size, mtimeMs: st.mtimeMs, directory: false }));
    });
  });
  sftp.on('OPENDIR', (reqid, raw) => {
    const s = segments(reqid, raw);
    if (!s || full(reqid)) return;
    guard(reqid, async () => {
      const r = await backend.list(s);
      if (isRefusal(r)) return status(reqid, r);
      if (full(reqid)) return;
      newHandle(reqid, { kind: 'dir', entries: r, next: 0 });
    });
  });
  sftp.on('READDIR', (reqid, buf) => {
    const [, h] = getHandle(buf);
    if (!h || h.kind !== 'dir') return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
    if (h.next >= h.entries.length) return sftp.status(reqid, STATUS_CODE.EOF);
    const batch = h.entries.slice(h.next, h.next + DIR_BATCH);
    h.next += batch.length;
    sftp.name(
      reqid,
      batch.map((e) => ({ filename: e.name, longname: longname(e), attrs: attrs(e) as never })),
    );
  });
  sftp.on('OPEN', (reqid, raw, flags) => {
    const s = segments(reqid, raw);
    if (!s || full(reqid)) return;
    const writing = (flags & (OPEN_MODE.WRITE | OPEN_MODE.APPEND | OPEN_MODE.CREAT | OPEN_MODE.TRUNC)) !== 0;
    guard(reqid, async () => {
      if (!writing) {
        const r = await backend.openRead(s);
        if (isRefusal(r)) return status(reqid, r);
        if (full(reqid)) return;
        const fh = await open(r.path, 'r');
        newHandle(reqid, { kind: 'read', fh, source: r, size: r.size, replies: Promise.resolve(), read: new ReadProgress(r.size) });
        return;
      }
      if (flags & OPEN_MODE.READ) return sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, 'uploads are write-only');
      const r = await backend.openWrite(s);
      if (isRefusal(r)) return status(reqid, r, raw);
      if (full(reqid)) {
        await r.finish(false);
        return;
      }
      const fh = await open(r.path, 'wx');
      newHandle(reqid, { kind: 'write', fh, target: r, failed: undefined, replies: Promise.resolve(), path: raw });
    });
  });
  sftp.on('READ', (reqid, buf, offset, length) => {
    const [, h] = getHandle(buf);
    if (!h || h.kind !== 'read') return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
    if (!admit()) return;
    // Answered in the order asked, as OpenSSH's own server does: OpenSSH's client keeps
    // 64 reads in flight, and an EOF (for a read past the end) overtaking the data of an
    // earlier read made scp and sftp end the download short with no error.
    const reply = async (): Promise<void> => {
      await room();
      if (overrun) return;
      if (offset >= h.size) {
        h.read.note(offset, 0);
        return sftp.status(reqid, STATUS_CODE.EOF);
      }
      const n = Math.min(length, MAX_READ, h.size - offset);
      const data = Buffer.allocUnsafe(n);
      const { bytesRead } = await h.fh.read(data, 0, n, offset);
      if (bytesRead === 0) return sftp.status(reqid, STATUS_CODE.EOF);
      sftp.data(reqid, data.subarray(0, bytesRead));
      h.read.note(offset, bytesRead);
      peakUnsent = Math.max(peakUnsent, unsentBytes(sftp));
    };
    const next = h.replies.then(reply).finally(() => pending--);
    h.replies = next.catch(() => undefined);
    guard(reqid, () => next);
  });
  sftp.on('WRITE', (reqid, buf, offset, data) => {
    const [, h] = getHandle(buf);
    if (!h || h.kind !== 'write') return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
    if (h.failed) return sftp.status(reqid, STATUS_CODE.FAILURE, h.failed);
    if (offset + data.length > h.target.maxBytes) {
      h.failed = `the upload went over its limit (${h.target.maxBytes} bytes: the size cap or your daily quota)`;
      log.info('sftp.upload_over_limit', { limit: h.target.maxBytes });
      tell(h.path, h.failed);
      return sftp.status(reqid, STATUS_CODE.FAILURE, h.failed);
    }
    if (!admit()) return;
    const next = h.replies
      .then(async () => {
        if (overrun) return;
        await h.fh.write(data, 0, data.length, offset);
        sftp.status(reqid, STATUS_CODE.OK);
      })
      .finally(() => pending--);
    h.replies = next.catch(() => undefined);
    guard(reqid, () => next);
  });
  sftp.on('CLOSE', (reqid, buf) => {
    const [id, h] = getHandle(buf);
    if (!h) return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
    handles.delete(id);
    guard(reqid, async () => {
      if (h.kind === 'dir') return sftp.status(reqid, STATUS_CODE.OK);
      // Reads and writes still in flight finish first (their replies go out before this one).
      await h.replies;
      await h.fh.close();
      if (h.kind === 'read') {
        endDownload(h);
        return sftp.status(reqid, STATUS_CODE.OK);
      }
      const problem = (await h.target.finish(h.failed === undefined && !overrun)) ?? h.failed;
      if (problem && problem !== h.failed) tell(h.path, problem);
      if (problem) sftp.status(reqid, STATUS_CODE.FAILURE, problem);
      else sftp.status(reqid, STATUS_CODE.OK);
    });
  });
  sftp.on('REMOVE', (reqid, raw) => {
    const s = segments(reqid, raw);
    if (!s) return;
    guard(reqid, async () => {
      const r = await backend.remove(s);
      if (r === true) sftp.status(reqid, STATUS_CODE.OK);
      else status(reqid, r);
    });
  });
  const refuse = (what: string) => (reqid: number): void => {
    log.info('sftp.refused', { request: what });
    const reason = `${what} is not allowed on this board`;
    tellStderr(sftp, reason);
    sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, reason);
  };
  sftp.on('RENAME', refuse('rename'));
  sftp.on('MKDIR', refuse('mkdir'));
  sftp.on('RMDIR', refuse('rmdir'));
  sftp.on('SETSTAT', refuse('setstat'));
  // OpenSSH's scp and sftp set the mode (and with -p the times) of a file they upload on
  // its open handle. The board keeps uploads under its own modes and times, so that is
  // answered OK and changes nothing: refused, every scp upload printed an error though it
  // had worked. Any other handle's attributes stay refused.
  sftp.on('FSETSTAT', (reqid, handle) => {
    if (getHandle(handle)[1]?.kind === 'write') sftp.status(reqid, STATUS_CODE.OK);
    else refuse('setstat')(reqid);
  });
  sftp.on('SYMLINK', refuse('symlink'));
  sftp.on('READLINK', (reqid) => sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, 'no links here'));

  // The client's EOF ends the subsystem: say exit status 0, as OpenSSH's sftp-server does
  // when it exits (OpenSSH 9's scp, which speaks SFTP, fails a copy without it), and close
  // our side so the channel can finish.
  sftp.on('end', () => {
    sendExitStatus(sftp, 0);
    sftp.end();
  });
  sftp.on('close', () => {
    overrun = true;
    wakeWaiting();
    log.debug('sftp.end', { peakUnsent, limit: MAX_SFTP_UNSENT });
    for (const h of handles.values()) {
      if (h.kind === 'dir') continue;
      void h.fh.close().catch(() => undefined);
      if (h.kind === 'write') void h.target.finish(false).catch(() => undefined);
      else endDownload(h);
    }
    handles.clear();
  });
}
