import type { Knex } from 'knex';
import { fitColumn } from './db-errors.js';
import { escapeLike } from './like.js';

/** One file in an area's index (the folder on disk is the truth; `carrier files scan` syncs). */
export interface FileEntry {
  readonly id: number;
  readonly area: string;
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly description: string;
  readonly uploaderId: number | null;
  /** when it entered the area (ms since the epoch) */
  readonly addedAt: number;
  /** the file's own modification time (ms) */
  readonly mtime: number;
  readonly downloads: number;
}

export interface NewFileEntry {
  area: string;
  name: string;
  size: number;
  sha256: string;
  description?: string;
  uploaderId?: number | null;
  mtime: number;
  addedAt?: number;
}

/** An upload waiting in quarantine for the sysop. */
export interface QuarantinedUpload {
  readonly id: number;
  readonly userId: number;
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly description: string;
  /** file name inside the quarantine folder */
  readonly stored: string;
  readonly uploadedAt: number;
  readonly status: 'pending' | 'approved' | 'rejected';
  readonly area: string | null;
}

export interface NewUpload {
  userId: number;
  name: string;
  size: number;
  sha256: string;
  description?: string;
  stored: string;
}

export interface FileSearch {
  /** areas the caller may list */
  areas: readonly string[];
  /** matched against name and description, case-insensitively */
  text?: string;
  /** only files added after this (ms) */
  since?: number;
  offset?: number;
  limit?: number;
}

export interface FilesRepository {
  /** Add or replace (by area + name) an index entry. */
  upsert(entry: NewFileEntry): Promise<FileEntry>;
  find(area: string, name: string): Promise<FileEntry | undefined>;
  list(area: string, opts?: { offset?: number; limit?: number }): Promise<FileEntry[]>;
  count(area: string): Promise<number>;
  search(q: FileSearch): Promise<FileEntry[]>;
  /** Every indexed name in an area (for a scan to drop vanished files). */
  names(area: string): Promise<string[]>;
  remove(area: string, name: string): Promise<boolean>;
  countDownload(id: number): Promise<void>;
  /** Is a file with this SHA-256 in any area or pending in quarantine? */
  hashKnown(sha256: string): Promise<boolean>;

  addUpload(input: NewUpload): Promise<QuarantinedUpload>;
  upload(id: number): Promise<QuarantinedUpload | undefined>;
  /** Oldest first, at most MAX_FILE_PAGE; `afterId` pages on. */
  pendingUploads(opts?: { userId?: number; afterId?: number }): Promise<QuarantinedUpload[]>;
  /** Does a pending upload keep its bytes in the quarantine under this file name? */
  isPendingStored(stored: string): Promise<boolean>;
  setUploadStatus(id: number, status: 'approved' | 'rejected', area?: string): Promise<void>;
  removeUpload(id: number): Promise<void>;
  /** Bytes a user uploaded since `since` (ms), for the daily quota. */
  uploadedBytesSince(userId: number, since: number): Promise<number>;

  /** When the user last looked at new files (ms), 0 if never. */
  lastScan(userId: number): Promise<number>;
  setLastScan(userId: number, at: number): Promise<void>;
}

/** Column lengths of migration 0020_files. */
export const FILE_COLUMNS = { area: 32, name: 255, description: 512, stored: 255, sha256: 64 } as const;
export const MAX_FILE_PAGE = 1000;

interface EntryRow {
  id: number;
  area: string;
  name: string;
  size: number | string;
  sha256: string;
  description: string;
  uploader_id: number | null;
  added_at: number | string;
  mtime: number | string;
  downloads: number | string;
}

interface UploadRow {
  id: number;
  user_id: number;
  name: string;
  size: number | string;
  sha256: string;
  description: string;
  stored: string;
  uploaded_at: number | string;
  status: string;
  area: string | null;
}

const toEntry = (r: EntryRow): FileEntry => ({
  id: Number(r.id),
  area: r.area,
  name: r.name,
  size: Number(r.size),
  sha256: r.sha256,
  description: r.description,
  uploaderId: r.uploader_id === null ? null : Number(r.uploader_id),
  addedAt: Number(r.added_at),
  mtime: Number(r.mtime),
  downloads: Number(r.downloads),
});

const toUpload = (r: UploadRow): QuarantinedUpload => ({
  id: Number(r.id),
  userId: Number(r.user_id),
  name: r.name,
  size: Number(r.size),
  sha256: r.sha256,
  description: r.description,
  stored: r.stored,
  uploadedAt: Number(r.uploaded_at),
  status: r.status === 'approved' || r.status === 'rejected' ? r.status : 'pending',
  area: r.area,
});

const page = (n: number | undefined, max: number): number => (n !== undefined && Number.isFinite(n) ? Math.min(Math.max(Math.trunc(n), 0), max) : max);

export function createFilesRepository(deps: { knex: Knex; clock: () => number }): FilesRepository {
  const { knex, clock } = deps;
  const entries = (): Knex.QueryBuilder => knex('file_entries');
  const uploads = (): Knex.QueryBuilder => knex('file_uploads');
  const key = (name: string): string => fitColumn(name.toLowerCase(), FILE_COLUMNS.name);
  const repo: FilesRepository = {
    async upsert(e) {
      const row = {
        area: fitColumn(e.area, FILE_COLUMNS.area),
        name: fitColumn(e.name, FILE_COLUMNS.name),
        name_key: key(e.name),
        size: e.size,
        sha256: fitColumn(e.sha256, FILE_COLUMNS.sha256),
        description: fitColumn(e.description ?? '', FILE_COLUMNS.description),
        uploader_id: e.uploaderId ?? null,
        mtime: Math.trunc(e.mtime),
      };
      const existing = (await entries().where({ area: row.area, name_key: row.name_key }).first('id')) as { id: number } | undefined;
      if (existing) await entries().where({ id: existing.id }).update(row);
      else await entries().insert({ ...row, added_at: e.addedAt ?? clock(), downloads: 0 });
      return (await repo.find(row.area, row.name))!;
    },
    async find(area, name) {
      const r = (await entries().where({ area, name_key: key(name) }).first('*')) as EntryRow | undefined;
      return r ? toEntry(r) : undefined;
    },
    async list(area, opts = {}) {
      const rows = (await entries()
        .where({ area })
        .orderBy('name_key')
        .offset(page(opts.offset, Number.MAX_SAFE_INTEGER))
        .limit(page(opts.limit, MAX_FILE_PAGE))
        .select('*')) as EntryRow[];
      return rows.map(toEntry);
    },
    async count(area) {
      const r = (await entries().where({ area }).count({ n: '*' }).first()) as { n: number | string } | undefined;
      return Number(r?.n ?? 0);
    },
    async search(q) {
      if (q.areas.length === 0) return [];
      let b = entries().whereIn('area', [...q.areas]);
      if (q.text !== undefined && q.text !== '') {
        const like = `%${escapeLike(q.text.toLowerCase())}%`;
        b = b.andWhere((w: Knex.QueryBuilder) => {
          void w.whereRaw("name_key like ? escape '\\'", [like]).orWhereRaw("lower(description) like ? escape '\\'", [like]);
        });
      }
      if (q.since !== undefined) b = b.andWhere('added_at', '>', q.since);
      const rows = (await b
        .orderBy([{ column: 'added_at', order: 'desc' }, { column: 'name_key' }])
        .offset(page(q.offset, Number.MAX_SAFE_INTEGER))
        .limit(page(q.limit, MAX_FILE_PAGE))
        .select('*')) as EntryRow[];
      return rows.map(toEntry);
    },
    async names(area) {
      const rows = (await entries().where({ area }).select('name')) as Array<{ name: string }>;
      return rows.map((r) => r.name);
    },
    async remove(area, name) {
      return (await entries().where({ area, name_key: key(name) }).delete()) > 0;
    },
    async countDownload(id) {
      await entries().where({ id }).increment('downloads', 1);
    },
    async hashKnown(sha256) {
      const a = await entries().where({ sha256 }).first('id');
      if (a) return true;
      const b = await uploads().where({ sha256, status: 'pending' }).first('id');
      return b !== undefined;
    },
    async addUpload(u) {
      const row = {
        user_id: u.userId,
        name: fitColumn(u.name, FILE_COLUMNS.name),
        size: u.size,
        sha256: u.sha256,
        description: fitColumn(u.description ?? '', FILE_COLUMNS.description),
        stored: fitColumn(u.stored, FILE_COLUMNS.stored),
        uploaded_at: clock(),
        status: 'pending',
        area: null,
      };
      const inserted = (await uploads().insert(row).returning('id')) as Array<{ id: number | string }>;
      return toUpload({ id: Number(inserted[0]?.id), ...row });
    },
    async upload(id) {
      const r = (await uploads().where({ id }).first('*')) as UploadRow | undefined;
      return r ? toUpload(r) : undefined;
    },
    async pendingUploads(opts = {}) {
      let b = uploads().where({ status: 'pending' });
      if (opts.userId !== undefined) b = b.andWhere({ user_id: opts.userId });
      if (opts.afterId !== undefined) b = b.andWhere('id', '>', opts.afterId);
      const rows = (await b.orderBy('id').limit(MAX_FILE_PAGE).select('*')) as UploadRow[];
      return rows.map(toUpload);
    },
    async isPendingStored(stored) {
      return (await uploads().where({ stored, status: 'pending' }).first('id')) !== undefined;
    },
    async setUploadStatus(id, status, area) {
      await uploads().where({ id }).update({ status, area: area ?? null });
    },
    async removeUpload(id) {
      await uploads().where({ id }).delete();
    },
    async uploadedBytesSince(userId, since) {
      const r = (await uploads().where({ user_id: userId }).andWhere('uploaded_at', '>=', since).sum({ n: 'size' }).first()) as
        | { n: number | string | null }
        | undefined;
      return Number(r?.n ?? 0);
    },
    async lastScan(userId) {
      const r = (await knex('file_scans').where({ user_id: userId }).first('scanned_at')) as { scanned_at: number | string } | undefined;
      return r ? Number(r.scanned_at) : 0;
    },
    async setLastScan(userId, at) {
      await knex('file_scans').insert({ user_id: userId, scanned_at: at }).onConflict('user_id').merge();
    },
  };
  return repo;
}
