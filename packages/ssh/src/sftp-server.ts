// SFTP on the board's SSH login (ssh2's server side). The board's rules come in through
// SftpBackend, which the server wires (this package depends on core only): which folders
// exist, what may be read, where writes go and how big they may get. This module owns
// the protocol side: paths resolved against a virtual root, handles (capped), and a
// refusal for everything else (rename, chmod, mkdir, symlinks).
import { open, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { client, type Logger } from '@carrier/core';
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

type Handle =
  | { kind: 'read'; fh: FileHandle; source: SftpDownloadSource; size: number; replies: Promise<void>; read: ReadProgress }
  | { kind: 'write'; fh: FileHandle; target: SftpUploadTarget; failed: string | undefined; replies: Promise<void> }
  | { kind: 'dir'; entries: SftpEntry[]; next: number };

/**
 * How much of a download went out over one handle: the bytes sent, and the run sent
 * without a gap from where the handle's first read started (OpenSSH's clients read in
 * order, 64 requests in flight, answered in order here). A plain `get` starts at 0; a
 * resumed one (`reget`, `get -a`) at the size of the caller's partial copy. The handle
 * completed a download when that run reached the file's end having sent something, as a
 * ZMODEM resume (ZRPOS past 0) counts when its last byte is acknowledged. A read of a
 * range already sent adds nothing, so one handle counts once, never per READ request,
 * and a resume that found the copy already whole (its one read at the end: EOF) counts
 * nothing. An empty file counts when a read reached its end.
 */
interface ReadProgress {
  start: number | undefined;
  sent: number;
  contiguous: number;
  reachedEnd: boolean;
}

function noteRead(p: ReadProgress, offset: number, n: number, size: number): void {
  if (p.start === undefined) {
    p.start = offset;
    p.contiguous = offset;
  }
  p.sent += n;
  if (offset >= p.start && offset <= p.contiguous) p.contiguous = Math.max(p.contiguous, offset + n);
  if (p.contiguous >= size && (p.sent > 0 || size === 0)) p.reachedEnd = true;
}

/** Report a read handle's end to the board, once. */
function endDownload(h: { source: SftpDownloadSource; read: ReadProgress }): void {
  h.source.done({ complete: h.read.reachedEnd, bytes: h.read.sent, via: 'sftp' });
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

/** Serve one SFTP channel until it closes. */
export function serveSftp(sftp: SFTPWrapper, backend: SftpBackend, log: Logger): void {
  const handles = new Map<number, Handle>();
  let nextHandle = 1;
  let capLogged = false;
  const status = (reqid: number, r: SftpRefusal): void => {
    const code = r.error === 'no-such-file' ? STATUS_CODE.NO_SUCH_FILE : r.error === 'denied' ? STATUS_CODE.PERMISSION_DENIED : STATUS_CODE.FAILURE;
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
        newHandle(reqid, { kind: 'read', fh, source: r, size: r.size, replies: Promise.resolve(), read: { start: undefined, sent: 0, contiguous: 0, reachedEnd: false } });
        return;
      }
      if (flags & OPEN_MODE.READ) return sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, 'uploads are write-only');
      const r = await backend.openWrite(s);
      if (isRefusal(r)) return status(reqid, r);
      if (full(reqid)) {
        await r.finish(false);
        return;
      }
      const fh = await open(r.path, 'wx');
      newHandle(reqid, { kind: 'write', fh, target: r, failed: undefined, replies: Promise.resolve() });
    });
  });
  sftp.on('READ', (reqid, buf, offset, length) => {
    const [, h] = getHandle(buf);
    if (!h || h.kind !== 'read') return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
    // Answered in the order asked, as OpenSSH's own server does: OpenSSH's client keeps
    // 64 reads in flight, and an EOF (for a read past the end) overtaking the data of an
    // earlier read made scp and sftp end the download short with no error.
    const reply = async (): Promise<void> => {
      if (offset >= h.size) {
        noteRead(h.read, offset, 0, h.size);
        return sftp.status(reqid, STATUS_CODE.EOF);
      }
      const n = Math.min(length, MAX_READ, h.size - offset);
      const data = Buffer.allocUnsafe(n);
      const { bytesRead } = await h.fh.read(data, 0, n, offset);
      if (bytesRead === 0) return sftp.status(reqid, STATUS_CODE.EOF);
      sftp.data(reqid, data.subarray(0, bytesRead));
      noteRead(h.read, offset, bytesRead, h.size);
    };
    const next = h.replies.then(reply);
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
      return sftp.status(reqid, STATUS_CODE.FAILURE, h.failed);
    }
    const next = h.replies.then(async () => {
      await h.fh.write(data, 0, data.length, offset);
      sftp.status(reqid, STATUS_CODE.OK);
    });
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
      const problem = (await h.target.finish(h.failed === undefined)) ?? h.failed;
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
    sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, `${what} is not allowed on this board`);
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
    for (const h of handles.values()) {
      if (h.kind === 'dir') continue;
      void h.fh.close().catch(() => undefined);
      if (h.kind === 'write') void h.target.finish(false).catch(() => undefined);
      else endDownload(h);
    }
    handles.clear();
  });
}
