// The board's file areas: config/files.yaml (re-read when it changes), the index in the
// store, folder scans, downloads resolved safely, and the upload quarantine. Shared by
// the F menu (ZMODEM), SFTP and the `carrier files` commands.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, watch, type FSWatcher } from 'node:fs';
import { lstat, mkdir, readdir, readFile, realpath, rename, rm, stat, link, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CarrierError, client, ErrorCodes, type Logger } from '@carrier/core';
import type { FileEntry, QuarantinedUpload, Store, User } from '@carrier/store';
import { stampOf } from '../file-stamp.js';
import { canDownload, canList, defaultFilesConfig, folderWithin, isSysop, validateFilesConfig, type FileArea, type FilesConfig } from './areas.js';
import { cleanDescription, readFileIdDiz } from './diz.js';
import { describeNameProblem, fileNameProblem } from './safe-name.js';

/** Text -> the parsed YAML with its syntax errors and key lines (the server's parser, as for menus and doors). */
export type FilesParser = (text: string) => {
  value: unknown;
  errors: ReadonlyArray<{ line?: number | undefined; message: string }>;
  lineOf?(path: ReadonlyArray<string | number>): number | undefined;
};

/** One thing wrong with files.yaml, where it is. */
export interface FilesFileProblem {
  file: string;
  line?: number | undefined;
  /** e.g. `areas[1].folder`; '' for the file as a whole */
  key: string;
  message: string;
}

export interface BoardFilesOptions {
  /** config/files.yaml; missing: the default areas (uploads, general) */
  file: string;
  parse: FilesParser;
  dataDir: string;
  store: Store;
  log: Logger;
}

/** A sidecar description beside a file: `name.ext.desc`. */
export const SIDECAR_SUFFIX = '.desc';
const MAX_SIDECAR_BYTES = 4096;
const MAX_FILES_YAML_BYTES = 256 * 1024;
/** A quarantined upload's file name: a random prefix, then the name it was sent as (finishUpload). */
const STORED_NAME = /^[0-9a-f]{12}-/;
/**
 * A quarantined file this old with no pending upload naming it is an orphan (its account was
 * deleted); younger ones may be an upload between its rename and its row (finishUpload).
 */
const ORPHAN_AGE_MS = 10 * 60 * 1000;
/** Files one quarantine sweep looks at. */
const MAX_SWEEP_FILES = 100_000;
/** Files one scan looks at in one area; a folder bigger than this is indexed in part, with a warning. */
export const MAX_SCAN_FILES = 100_000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** An empty file is no upload (a failed copy or a mistake), and would list as a 0B file once approved. */
const EMPTY_UPLOAD = 'the file is empty: nothing was kept';
/** The same caller sending one name twice at once (two SFTP sessions, or a batch naming it twice). */
const UPLOADING_ALREADY = 'you are uploading a file with this name right now';

export interface UploadSlot {
  /** where the bytes go while they arrive (inside the quarantine's incoming folder) */
  path: string;
  name: string;
  maxBytes: number;
  /** call once, whatever happened: frees the name for other callers */
  release(): void;
}

/** How a file left the board. */
export type DownloadVia = 'zmodem' | 'sftp' | 'scp' | 'web';

export type Verdict<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A finished upload's bytes, as checkUpload found them. */
export interface UploadBytes {
  size: number;
  sha256: string;
}

/** Makes expiring HTTP download links (DownloadLinks, when the web front end is on). */
export interface LinkMaker {
  create(user: User, tag: string, name: string): Promise<Verdict<{ url: string; expiresAt: number }>>;
}

export interface ScanResult {
  area: string;
  added: number;
  updated: number;
  removed: number;
  /**
   * Entries of the folder left out of the index, each with why (a name a caller could not
   * be served safely, a symlink, a folder); at most MAX_SKIPPED_LISTED, `skippedCount` counts all.
   */
  skipped: Array<{ name: string; reason: string }>;
  skippedCount: number;
  /** why the area was not scanned at all */
  refused?: string;
}

/** Entries of one area a scan names as left out (the rest are counted). */
export const MAX_SKIPPED_LISTED = 20;

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Read, parse and validate files.yaml: the one loader the board (at start and on every
 * change), `carrier check` and the `carrier files` verbs use. A missing file is the
 * default areas; `config` is undefined when there is any problem.
 */
export async function loadFilesFile(file: string, parse: FilesParser, dataDir: string): Promise<{ config: FilesConfig | undefined; problems: FilesFileProblem[] }> {
  let text: string;
  try {
    const bytes = await readFile(file);
    if (bytes.length > MAX_FILES_YAML_BYTES) return { config: undefined, problems: [{ file, key: '', message: `${bytes.length} bytes; a files file is at most ${MAX_FILES_YAML_BYTES}` }] };
    text = bytes.toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { config: defaultFilesConfig(dataDir), problems: [] };
    return { config: undefined, problems: [{ file, key: '', message: `cannot read: ${(err as Error).message}` }] };
  }
  const parsed = parse(text);
  if (parsed.errors.length > 0) return { config: undefined, problems: parsed.errors.map((e) => ({ file, line: e.line, key: '', message: e.message })) };
  const { config, problems } = validateFilesConfig(parsed.value, dataDir);
  if (problems.length === 0) return { config, problems: [] };
  return { config: undefined, problems: problems.map((p) => ({ file, line: parsed.lineOf?.(p.path), key: p.key, message: p.message })) };
}

export class BoardFiles {
  private cfg: FilesConfig;
  private stamp: string | undefined = 'never read';
  private loading: Promise<void> | undefined;
  /** what was wrong with files.yaml at the last read; the last good config (or the defaults) stays meanwhile */
  private lastProblems: FilesFileProblem[] = [];
  /**
   * Uploads running right now on this process, by `userId/name` (lowercased): the bytes
   * each holds of its uploader's daily quota until it is stored (its row then counts) or
   * given up. A ZMODEM batch stores its files only after the last one, and SFTP may have
   * many files open at once: the quota counts these too.
   */
  private readonly incoming = new Map<string, number>();
  private readonly watchers: FSWatcher[] = [];
  private readonly scanTimers = new Map<string, NodeJS.Timeout>();
  /** Download links over HTTP; set by the server when the web front end listens. */
  links: LinkMaker | undefined;

  constructor(readonly opts: BoardFilesOptions) {
    this.cfg = defaultFilesConfig(opts.dataDir);
  }

  get store(): Store {
    return this.opts.store;
  }

  async config(): Promise<FilesConfig> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    await this.loading;
    return this.cfg;
  }

  /**
   * files.yaml's problems as it is on disk now (none: it is in use). A board refuses to
   * start, and the `carrier files` verbs to run, on any.
   */
  async problems(): Promise<FilesFileProblem[]> {
    await this.config();
    return this.lastProblems;
  }

  /** Areas this level may list, in file order. */
  async areasFor(level: number): Promise<FileArea[]> {
    return (await this.config()).areas.filter((a) => canList(a, level));
  }

  async area(tag: string): Promise<FileArea | undefined> {
    return (await this.config()).areas.find((a) => a.tag === tag.toLowerCase());
  }

  /** Create every area folder and the quarantine (start-up, `carrier files scan`). */
  async ensureFolders(): Promise<void> {
    const cfg = await this.config();
    for (const a of cfg.areas) await mkdir(a.folder, { recursive: true });
    await mkdir(join(cfg.quarantine, 'incoming'), { recursive: true });
  }

  // ---- index -------------------------------------------------------------------------

  /** Index what is in the area folders (one area, or all): new and changed files in, vanished files out. */
  async scan(tag?: string): Promise<ScanResult[]> {
    const cfg = await this.config();
    const areas = tag === undefined ? cfg.areas : cfg.areas.filter((a) => a.tag === tag);
    if (tag !== undefined && areas.length === 0) throw new CarrierError(ErrorCodes.VALIDATION, `no file area "${tag}"`);
    const results: ScanResult[] = [];
    for (const area of areas) results.push(await this.scanArea(area));
    return results;
  }

  private async scanArea(area: FileArea): Promise<ScanResult> {
    const result: ScanResult = { area: area.tag, added: 0, updated: 0, removed: 0, skipped: [], skippedCount: 0 };
    const skip = (name: string, reason: string): void => {
      if (result.skippedCount++ < MAX_SKIPPED_LISTED) result.skipped.push({ name, reason });
    };
    await mkdir(area.folder, { recursive: true });
    // files.yaml cannot name the quarantine as an area's folder, but a symlink can lead
    // there: compare where both really are, and never index what waits for the sysop.
    const quarantine = (await this.config()).quarantine;
    const [folderReal, quarantineReal] = await Promise.all([realpath(area.folder), realpath(quarantine).catch(() => quarantine)]);
    if (folderWithin(folderReal, quarantineReal) || folderWithin(quarantineReal, folderReal)) {
      result.refused = `its folder ${folderReal} and the quarantine ${quarantineReal} are one folder or inside one another`;
      this.opts.log.warn('files.scan_refused', { area: area.tag, folder: folderReal, quarantine: quarantineReal });
      return result;
    }
    const dirents = await readdir(area.folder, { withFileTypes: true });
    if (dirents.length > MAX_SCAN_FILES) this.opts.log.warn('files.scan_truncated', { area: area.tag, files: dirents.length, limit: MAX_SCAN_FILES });
    const present = new Set<string>();
    for (const d of dirents.slice(0, MAX_SCAN_FILES)) {
      // Hidden files and description sidecars are no files of the area; the sysop is told
      // of anything else left out, or a file dropped in under a name the board will not
      // serve would just never appear.
      if (d.name.startsWith('.') || d.name.endsWith(SIDECAR_SUFFIX)) continue;
      // Regular files only: a symlink could point anywhere on the machine.
      if (d.isSymbolicLink()) {
        skip(d.name, 'a symbolic link (files are never served through one)');
        continue;
      }
      if (d.isDirectory()) {
        skip(d.name, 'a folder (an area lists the files in its own folder only)');
        continue;
      }
      if (!d.isFile()) continue;
      const problem = fileNameProblem(d.name);
      if (problem !== undefined) {
        skip(d.name, describeNameProblem(problem));
        continue;
      }
      present.add(d.name.toLowerCase());
      const path = join(area.folder, d.name);
      const st = await stat(path).catch(() => undefined);
      if (!st) continue;
      const existing = await this.store.files.find(area.tag, d.name);
      const sidecar = await this.sidecar(path);
      if (existing && existing.size === st.size && existing.mtime === Math.trunc(st.mtimeMs) && (sidecar === undefined || sidecar === existing.description)) continue;
      const description = (await this.describe(path, d.name)) ?? existing?.description ?? '';
      await this.store.files.upsert({
        area: area.tag,
        name: d.name,
        size: st.size,
        sha256: await sha256File(path),
        description,
        uploaderId: existing?.uploaderId ?? null,
        mtime: st.mtimeMs,
      });
      if (existing) result.updated++;
      else result.added++;
    }
    for (const name of await this.store.files.names(area.tag)) {
      if (!present.has(name.toLowerCase())) {
        await this.store.files.remove(area.tag, name);
        result.removed++;
      }
    }
    const { skipped, ...counts } = result;
    if (result.added + result.updated + result.removed > 0) this.opts.log.info('files.scanned', counts);
    if (skipped.length > 0) this.opts.log.info('files.scan_skipped', { area: area.tag, files: result.skippedCount, names: skipped.map((f) => client(f.name)) });
    return result;
  }

  /** FILE_ID.DIZ inside a zip, then a sidecar `name.desc`; undefined when neither says. */
  async describe(path: string, name: string): Promise<string | undefined> {
    if (name.toLowerCase().endsWith('.zip')) {
      const diz = await readFileIdDiz(path);
      if (diz) return diz;
    }
    return this.sidecar(path);
  }

  private async sidecar(path: string): Promise<string | undefined> {
    try {
      const st = await lstat(path + SIDECAR_SUFFIX);
      if (!st.isFile()) return undefined;
      const text = (await readFile(path + SIDECAR_SUFFIX)).subarray(0, MAX_SIDECAR_BYTES).toString('utf8');
      return cleanDescription(text) || undefined;
    } catch {
      return undefined;
    }
  }

  /** Watch the area folders and scan an area shortly after its folder changes (files.yaml `watch: true`). */
  async watchFolders(): Promise<void> {
    const cfg = await this.config();
    if (!cfg.watch) return;
    await this.ensureFolders();
    for (const area of cfg.areas) {
      try {
        const w = watch(area.folder, () => this.scheduleScan(area.tag));
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch (err) {
        this.opts.log.warn('files.watch_failed', { area: area.tag, err });
      }
    }
  }

  private scheduleScan(tag: string): void {
    clearTimeout(this.scanTimers.get(tag));
    const t = setTimeout(() => {
      this.scanTimers.delete(tag);
      this.scan(tag).catch((err: unknown) => this.opts.log.warn('files.scan_failed', { area: tag, err }));
    }, 500);
    t.unref();
    this.scanTimers.set(tag, t);
  }

  close(): void {
    for (const w of this.watchers.splice(0)) w.close();
    for (const t of this.scanTimers.values()) clearTimeout(t);
    this.scanTimers.clear();
  }

  // ---- downloads ---------------------------------------------------------------------

  /**
   * The file `name` in `tag` for a caller of `level`: on disk, a regular file (no
   * symlink), inside the area's folder, indexed. A reason otherwise.
   */
  async resolveDownload(level: number, tag: string, name: string): Promise<Verdict<{ path: string; entry: FileEntry; area: FileArea }>> {
    const area = await this.area(tag);
    if (!area || !canList(area, level)) return { ok: false, reason: `no file area "${tag}"` };
    if (!canDownload(area, level)) return { ok: false, reason: `your level may not download from ${area.name}` };
    if (fileNameProblem(name) !== undefined) return { ok: false, reason: 'no such file' };
    const entry = await this.store.files.find(area.tag, name);
    if (!entry) return { ok: false, reason: 'no such file' };
    const path = join(area.folder, entry.name);
    try {
      const st = await lstat(path);
      if (!st.isFile()) return { ok: false, reason: 'no such file' };
      const [real, folder] = await Promise.all([realpath(path), realpath(area.folder)]);
      if (real !== join(folder, entry.name)) return { ok: false, reason: 'no such file' };
    } catch {
      return { ok: false, reason: 'the file is missing from the disk (the sysop may run `carrier files scan`)' };
    }
    return { ok: true, value: { path, entry, area } };
  }

  /**
   * A file sent whole to `user`: the one place a download is counted (the listing's
   * downloads column) and logged, whatever carried it. Callers call it once per complete
   * file, never for a partial or failed one.
   */
  async downloaded(user: Pick<User, 'handle'>, entry: FileEntry, via: DownloadVia, bytes: number): Promise<void> {
    this.opts.log.info('files.downloaded', { user: user.handle, via, area: entry.area, name: client(entry.name), bytes });
    await this.store.files.countDownload(entry.id);
  }

  // ---- uploads -----------------------------------------------------------------------

  /** Whether one of `userId`'s uploads waiting for the sysop has this name (lowercased), over every page of them. */
  private async pendingNamed(userId: number, key: string): Promise<boolean> {
    let afterId = 0;
    for (;;) {
      const page = await this.store.files.pendingUploads({ userId, afterId });
      if (page.some((u) => u.name.toLowerCase() === key)) return true;
      if (page.length === 0) return false;
      afterId = page[page.length - 1]!.id;
    }
  }

  /**
   * Room for one upload of `name` by `user`: the name is safe, not being uploaded by this
   * user right now, not among this user's uploads waiting in quarantine (their SFTP
   * /pending, where a name must mean one file), not in an area; the size fits the file cap
   * and the user's daily quota. `declaredSize` is what the sender announced, if anything.
   * Another caller's upload of the same name is no reason: each waits for the sysop under
   * its own row and stored file (the refusal would tell who is not its uploader that it
   * exists, and OpenSSH's sftp shows it only as "Permission denied"); approving the second
   * into the area the first went to is refused there, by name.
   */
  async reserveUpload(user: User, name: string, declaredSize?: number): Promise<Verdict<UploadSlot>> {
    const cfg = await this.config();
    if (user.level < cfg.uploads.level && !isSysop(user.level)) return { ok: false, reason: 'your level may not upload' };
    const problem = fileNameProblem(name);
    if (problem) return { ok: false, reason: describeNameProblem(problem) };
    const key = `${user.id}/${name.toLowerCase()}`;
    if (this.incoming.has(key)) return { ok: false, reason: UPLOADING_ALREADY };
    if (await this.pendingNamed(user.id, name.toLowerCase())) return { ok: false, reason: 'you already have a file with this name waiting for the sysop' };
    for (const a of cfg.areas) {
      if (await this.store.files.find(a.tag, name)) return { ok: false, reason: `a file with this name is already in ${canList(a, user.level) ? a.name : 'a file area'}` };
    }
    const used = (await this.store.files.uploadedBytesSince(user.id, Date.now() - DAY_MS)) + this.inFlightBytes(user.id);
    const maxBytes = Math.min(cfg.uploads.maxFileBytes, cfg.uploads.dailyQuotaBytes - used);
    if (maxBytes <= 0) return { ok: false, reason: 'you have used your upload quota for today' };
    if (declaredSize === 0) return { ok: false, reason: EMPTY_UPLOAD };
    if (declaredSize !== undefined && declaredSize > maxBytes) {
      return {
        ok: false,
        reason:
          declaredSize > cfg.uploads.maxFileBytes
            ? `the file is larger than the ${mib(cfg.uploads.maxFileBytes)} cap`
            : `the file is larger than what is left of your daily quota (${mib(maxBytes)})`,
      };
    }
    // Re-check after the awaits: another caller may have taken the name meanwhile.
    if (this.incoming.has(key)) return { ok: false, reason: UPLOADING_ALREADY };
    // The slot holds what the sender announced (no more may come: a sender announcing 1
    // byte would otherwise hold 1 byte of the quota and send all of it), else all it may
    // send (SFTP and scp announce nothing).
    const holds = declaredSize ?? maxBytes;
    this.incoming.set(key, holds);
    await mkdir(join(cfg.quarantine, 'incoming'), { recursive: true });
    const path = join(cfg.quarantine, 'incoming', `${randomBytes(8).toString('hex')}.part`);
    let released = false;
    return {
      ok: true,
      value: {
        path,
        name,
        maxBytes: holds,
        release: () => {
          if (released) return;
          released = true;
          this.incoming.delete(key);
        },
      },
    };
  }

  /** Bytes of `userId`'s daily quota held by their uploads running now (see `incoming`). */
  private inFlightBytes(userId: number): number {
    const prefix = `${userId}/`;
    let n = 0;
    for (const [key, bytes] of this.incoming) if (key.startsWith(prefix)) n += bytes;
    return n;
  }

  /**
   * A finished upload's bytes, before the caller is asked to describe it: refused when
   * empty or already on the board (the part file is removed and the slot released then).
   * finishUpload takes the answer and checks the hash again, for another caller's copy
   * that finished meanwhile, without reading the file twice.
   */
  async checkUpload(user: User, slot: UploadSlot): Promise<Verdict<UploadBytes>> {
    try {
      const checked = await this.inspectUpload(user, slot);
      if (!checked.ok) slot.release();
      return checked;
    } catch (err) {
      await rm(slot.path, { force: true });
      slot.release();
      throw err;
    }
  }

  /**
   * A finished upload into quarantine: hashed, refused as a duplicate when the same bytes
   * are already on the board (the part file is removed), recorded for the sysop.
   * `checked` is checkUpload's answer for this slot.
   */
  async finishUpload(user: User, slot: UploadSlot, description = '', checked?: UploadBytes): Promise<Verdict<QuarantinedUpload>> {
    const cfg = await this.config();
    try {
      const bytes = await this.inspectUpload(user, slot, checked);
      if (!bytes.ok) return bytes;
      const { size, sha256 } = bytes.value;
      const stored = `${randomBytes(6).toString('hex')}-${slot.name}`;
      await rename(slot.path, join(cfg.quarantine, stored));
      const upload = await this.store.files.addUpload({
        userId: user.id,
        name: slot.name,
        size,
        sha256,
        description: cleanDescription(description, 512),
        stored,
      });
      this.opts.log.info('files.uploaded', { user: user.handle, upload: upload.id, name: client(slot.name), size });
      return { ok: true, value: upload };
    } catch (err) {
      await rm(slot.path, { force: true });
      throw err;
    } finally {
      slot.release();
    }
  }

  /** Size and hash of the slot's bytes (`known`: already taken), or why they are refused (the part file removed). */
  private async inspectUpload(user: User, slot: UploadSlot, known?: UploadBytes): Promise<Verdict<UploadBytes>> {
    const size = known?.size ?? (await stat(slot.path)).size;
    // Every protocol ends here, including SFTP and scp, which announce no size beforehand.
    if (size === 0) {
      await rm(slot.path, { force: true });
      this.opts.log.info('files.upload_empty', { user: user.handle, name: client(slot.name) });
      return { ok: false, reason: EMPTY_UPLOAD };
    }
    const sha256 = known?.sha256 ?? (await sha256File(slot.path));
    if (await this.store.files.hashKnown(sha256)) {
      await rm(slot.path, { force: true });
      this.opts.log.info('files.upload_duplicate', { user: user.handle, name: client(slot.name), sha256 });
      return { ok: false, reason: 'the board already has this file (same SHA-256)' };
    }
    return { ok: true, value: { size, sha256 } };
  }

  /** Where a quarantined upload's bytes are. */
  async quarantinePath(upload: QuarantinedUpload): Promise<string> {
    return join((await this.config()).quarantine, upload.stored);
  }

  /** The sysop moves an upload into an area: the file is indexed there, with its uploader and description. */
  async approve(uploadId: number, tag: string): Promise<FileEntry> {
    const upload = await this.store.files.upload(uploadId);
    if (!upload || upload.status !== 'pending') throw new CarrierError(ErrorCodes.VALIDATION, `no pending upload #${uploadId}`);
    const area = await this.area(tag);
    if (!area) throw new CarrierError(ErrorCodes.VALIDATION, `no file area "${tag}"`);
    const taken = (name: string): CarrierError => new CarrierError(ErrorCodes.VALIDATION, `${area.name} already has a file named ${name}`);
    // The index is case-blind (name_key) and the folder is not: "Same.zip" approved over an
    // indexed "same.ZIP" would link beside it and then take over its row.
    const indexed = await this.store.files.find(area.tag, upload.name);
    if (indexed) throw taken(indexed.name);
    await mkdir(area.folder, { recursive: true });
    const from = await this.quarantinePath(upload);
    const to = join(area.folder, upload.name);
    // link + unlink: refuses (EEXIST) instead of replacing a file already in the area.
    try {
      await link(from, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw taken(upload.name);
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await rename(from, to);
    }
    await unlink(from).catch(() => undefined);
    const st = await stat(to);
    const description = (await this.describe(to, upload.name)) ?? upload.description;
    const entry = await this.store.files.upsert({
      area: area.tag,
      name: upload.name,
      size: st.size,
      sha256: upload.sha256,
      description,
      uploaderId: upload.userId,
      mtime: st.mtimeMs,
    });
    await this.store.files.setUploadStatus(upload.id, 'approved', area.tag);
    this.opts.log.info('files.approved', { upload: upload.id, area: area.tag, name: client(upload.name) });
    return entry;
  }

  /** The sysop refuses an upload (or its uploader withdraws it): its bytes are deleted. */
  async reject(uploadId: number): Promise<void> {
    const upload = await this.store.files.upload(uploadId);
    if (!upload || upload.status !== 'pending') throw new CarrierError(ErrorCodes.VALIDATION, `no pending upload #${uploadId}`);
    await rm(await this.quarantinePath(upload), { force: true });
    await this.store.files.setUploadStatus(upload.id, 'rejected');
    this.opts.log.info('files.rejected', { upload: upload.id, name: client(upload.name) });
  }

  /**
   * The quarantined files of `userId`'s pending uploads, collected before their account is
   * deleted (the rows go with the account: file_uploads.user_id cascades), and `remove`,
   * to delete them once it is gone. Collected first so that a refused delete keeps them.
   */
  async pendingFilesOf(userId: number): Promise<{ count: number; remove(): Promise<number> }> {
    const paths: string[] = [];
    let afterId = 0;
    for (;;) {
      const page = await this.store.files.pendingUploads({ userId, afterId });
      for (const u of page) paths.push(await this.quarantinePath(u));
      if (page.length === 0) break;
      afterId = page[page.length - 1]!.id;
    }
    return {
      count: paths.length,
      remove: async () => {
        for (const path of paths) await rm(path, { force: true });
        if (paths.length > 0) this.opts.log.info('files.account_uploads_deleted', { userId, files: paths.length });
        return paths.length;
      },
    };
  }

  /**
   * Delete quarantined files no pending upload names any more (left by an account deleted
   * where the board's folders were not at hand, or before deletes removed them), older
   * than ORPHAN_AGE_MS. Only names of the quarantine's own shape are touched.
   */
  async sweepQuarantine(now = Date.now()): Promise<number> {
    const quarantine = (await this.config()).quarantine;
    let removed = 0;
    const dirents = await readdir(quarantine, { withFileTypes: true }).catch(() => []);
    for (const d of dirents.slice(0, MAX_SWEEP_FILES)) {
      if (!d.isFile() || !STORED_NAME.test(d.name)) continue;
      const path = join(quarantine, d.name);
      const st = await lstat(path).catch(() => undefined);
      if (!st || now - st.mtimeMs < ORPHAN_AGE_MS || (await this.store.files.isPendingStored(d.name))) continue;
      await rm(path, { force: true });
      removed++;
    }
    if (removed > 0) this.opts.log.info('files.quarantine_swept', { quarantine, removed });
    return removed;
  }

  private async load(): Promise<void> {
    const stamp = await stampOf(this.opts.file);
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    const { config, problems } = await loadFilesFile(this.opts.file, this.opts.parse, this.opts.dataDir);
    this.lastProblems = problems;
    // A broken edit keeps the last good areas: half a config could publish the quarantine.
    for (const p of problems.slice(0, 20)) this.opts.log.warn('files.config_invalid', { file: p.file, line: p.line, key: p.key, problem: client(p.message) });
    if (!config) return;
    this.cfg = config;
    if (stamp !== undefined) this.opts.log.info('files.config_loaded', { file: this.opts.file, areas: config.areas.length });
  }
}

export function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
}
