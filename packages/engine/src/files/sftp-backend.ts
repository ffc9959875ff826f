// The board's rules for one caller's SFTP session (the ssh package's SftpBackend, matched
// structurally: the engine does not depend on ssh). The root holds one folder per area
// the caller may list (by tag) and `pending`: the caller's own uploads waiting for the
// sysop, where every write goes (a write at the root lands there too). Area folders hold
// only approved files, `pending` only the caller's quarantined ones, so ls, get, rm and
// put of a name always mean one file.
import { rm, stat } from 'node:fs/promises';
import { client } from '@carrier/core';
import type { User } from '@carrier/store';
import { canDownload, PENDING_FOLDER } from './areas.js';
import type { BoardFiles } from './board-files.js';

export interface SftpEntryLike {
  name: string;
  size: number;
  mtimeMs: number;
  directory: boolean;
}
export type SftpRefusalLike = { error: 'no-such-file' | 'denied' | 'failure'; message: string };
export interface SftpUploadTargetLike {
  path: string;
  maxBytes: number;
  finish(ok: boolean): Promise<string | undefined>;
}
export interface SftpDownloadSourceLike {
  path: string;
  size: number;
  done(outcome: { complete: boolean; bytes: number; via: 'sftp' | 'scp' }): void;
}
export interface SftpBackendLike {
  list(dir: readonly string[]): Promise<SftpEntryLike[] | SftpRefusalLike>;
  stat(path: readonly string[]): Promise<SftpEntryLike | SftpRefusalLike>;
  openRead(path: readonly string[]): Promise<SftpDownloadSourceLike | SftpRefusalLike>;
  openWrite(path: readonly string[]): Promise<SftpUploadTargetLike | SftpRefusalLike>;
  remove(path: readonly string[]): Promise<true | SftpRefusalLike>;
}

/** Entries one folder listing shows; an area bigger than this is browsed on the board. */
const MAX_LISTED = 10_000;

const missing: SftpRefusalLike = { error: 'no-such-file', message: 'no such file' };

export function sftpBackendFor(files: BoardFiles, handle: string): SftpBackendLike {
  let userPromise: Promise<User | null> | undefined;
  const user = async (): Promise<User> => {
    const u = await (userPromise ??= files.store.users.findByHandle(handle));
    if (!u) throw new Error('no such user');
    return u;
  };
  const dir = (name: string): SftpEntryLike => ({ name, size: 0, mtimeMs: Date.now(), directory: true });
  const folders = async (): Promise<string[]> => [...(await files.areasFor((await user()).level)).map((a) => a.tag), PENDING_FOLDER];
  const ownPending = async (): Promise<SftpEntryLike[]> =>
    (await files.store.files.pendingUploads({ userId: (await user()).id })).map((u) => ({ name: u.name, size: u.size, mtimeMs: u.uploadedAt, directory: false }));
  const areaEntries = async (tag: string): Promise<SftpEntryLike[]> => {
    const out: SftpEntryLike[] = [];
    for (let offset = 0; offset < MAX_LISTED; offset += 1000) {
      const page = await files.store.files.list(tag, { offset, limit: 1000 });
      for (const e of page) out.push({ name: e.name, size: e.size, mtimeMs: e.mtime, directory: false });
      if (page.length < 1000) break;
    }
    return out;
  };
  const folderEntries = async (tag: string): Promise<SftpEntryLike[] | undefined> => {
    if (tag === PENDING_FOLDER) return ownPending();
    if (!(await folders()).includes(tag)) return undefined;
    return areaEntries(tag);
  };
  const notHere: SftpRefusalLike = { error: 'denied', message: `uploads go into /${PENDING_FOLDER}, where they wait for the sysop` };
  const onlyOwn: SftpRefusalLike = { error: 'denied', message: `only your own uploads waiting for the sysop (in /${PENDING_FOLDER}) may be removed` };

  return {
    async list(path) {
      if (path.length === 0) return (await folders()).map(dir);
      if (path.length > 1) return missing;
      return (await folderEntries(path[0]!)) ?? missing;
    },
    async stat(path) {
      if (path.length === 0) return dir('/');
      if (path.length === 1) return (await folders()).includes(path[0]!) ? dir(path[0]!) : missing;
      if (path.length > 2) return missing;
      const entries = await folderEntries(path[0]!);
      return entries?.find((e) => e.name === path[1]) ?? missing;
    },
    async openRead(path) {
      if (path.length !== 2) return missing;
      const [tag, name] = path as [string, string];
      const u = await user();
      if (tag === PENDING_FOLDER) {
        const own = (await files.store.files.pendingUploads({ userId: u.id })).find((p) => p.name === name);
        if (!own) return missing;
        const at = await files.quarantinePath(own);
        // the caller's own upload, read back: not a download of the board's files
        return { path: at, size: (await stat(at)).size, done: () => undefined };
      }
      const r = await files.resolveDownload(u.level, tag, name);
      if (r.ok) {
        const { entry } = r.value;
        return {
          path: r.value.path,
          size: entry.size,
          done({ complete, bytes, via }) {
            if (!complete) {
              files.opts.log.info('files.download_partial', { user: u.handle, via, area: entry.area, name: client(entry.name), bytes, size: entry.size });
              return;
            }
            files.downloaded(u, entry, via, bytes).catch((err: unknown) => files.opts.log.warn('files.count_failed', { err }));
          },
        };
      }
      const area = await files.area(tag);
      if (area && (await files.areasFor(u.level)).includes(area) && !canDownload(area, u.level)) return { error: 'denied', message: r.reason };
      return missing;
    },
    async openWrite(path) {
      // `put file` at the root (and `scp file bbs:`) is an upload too: it waits in /pending.
      const atRoot = path.length === 1 && !(await folders()).includes(path[0]!);
      if (!atRoot && (path.length !== 2 || path[0] !== PENDING_FOLDER)) return notHere;
      const name = path[path.length - 1]!;
      const u = await user();
      const r = await files.reserveUpload(u, name);
      if (!r.ok) {
        files.opts.log.info('sftp.upload_refused', { user: u.handle, name: client(name), reason: r.reason });
        return { error: 'denied', message: r.reason };
      }
      const slot = r.value;
      return {
        path: slot.path,
        maxBytes: slot.maxBytes,
        async finish(ok) {
          if (!ok) {
            await rm(slot.path, { force: true });
            slot.release();
            return undefined;
          }
          const done = await files.finishUpload(u, slot);
          return done.ok ? undefined : done.reason;
        },
      };
    },
    async remove(path) {
      if (path.length !== 2 || path[0] !== PENDING_FOLDER) return onlyOwn;
      const u = await user();
      const own = (await files.store.files.pendingUploads({ userId: u.id })).find((p) => p.name === path[1]);
      if (!own) return missing;
      await files.reject(own.id);
      return true;
    },
  };
}
