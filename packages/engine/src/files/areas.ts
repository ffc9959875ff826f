// config/files.yaml: the areas a sysop declares and the upload rules. Pure validation of
// an already-parsed document, so the server's YAML parser (with line numbers) stays in
// the server and this stays testable.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { LEVELS } from '@carrier/store';

export interface FileArea {
  /** short, used in commands and as the SFTP folder name */
  tag: string;
  name: string;
  description: string;
  /** absolute folder on disk */
  folder: string;
  /** minimum level to see the area and its listing */
  list: number;
  download: number;
  /** minimum level for the sysop to approve uploads straight here from the caller's pick (informational) */
  upload: number;
}

export interface UploadRules {
  /** minimum level to upload at all */
  level: number;
  /** largest single upload, bytes */
  maxFileBytes: number;
  /** bytes one user may upload per 24 hours */
  dailyQuotaBytes: number;
}

export interface FilesConfig {
  areas: FileArea[];
  uploads: UploadRules;
  /** where uploads wait for the sysop (absolute) */
  quarantine: string;
  /** seconds without an answer before a transfer prompts again (5 prompts, then it gives up) */
  stallSeconds: number;
  /** also watch the area folders and index dropped files at once */
  watch: boolean;
  /** minutes an HTTP download link stays valid */
  linkMinutes: number;
}

export interface FilesProblem {
  key: string;
  /** the key as a path into the document (for its line), e.g. ['areas', 2, 'folder'] */
  path: ReadonlyArray<string | number>;
  message: string;
}

export const TAG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/**
 * The SFTP root's folder of the caller's own uploads waiting for the sysop. An area may not
 * take this tag: its listing and the caller's pending uploads would share one name, and
 * `ls`, `get` and `rm` would act on different files.
 */
export const PENDING_FOLDER = 'pending';
const MiB = 1024 * 1024;

export const DEFAULT_UPLOADS: UploadRules = { level: LEVELS.newUser, maxFileBytes: 100 * MiB, dailyQuotaBytes: 200 * MiB };

const ROOT_KEYS = ['watch', 'stallSeconds', 'quarantine', 'linkMinutes', 'uploads', 'areas'] as const;
const UPLOAD_KEYS = ['level', 'maxFileMiB', 'dailyQuotaMiB'] as const;
const AREA_KEYS = ['tag', 'name', 'description', 'folder', 'list', 'download', 'upload'] as const;

const keyOf = (path: ReadonlyArray<string | number>): string =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc === '' ? p : `${acc}.${p}`), '');

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Is `inner` the folder `outer` or somewhere below it? (Resolved absolute paths.) */
export function folderWithin(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  // Above `outer` is ".." or "../...": a folder named "..old" below it is inside.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Check and resolve a parsed files.yaml; relative folders are under `dataDir`. */
export function validateFilesConfig(doc: unknown, dataDir: string): { config: FilesConfig; problems: FilesProblem[] } {
  const problems: FilesProblem[] = [];
  const fail = (path: Array<string | number>, message: string): void => {
    problems.push({ key: keyOf(path), path, message });
  };
  const unknownKeys = (obj: Record<string, unknown>, allowed: readonly string[], at: Array<string | number>): void => {
    for (const k of Object.keys(obj)) if (!allowed.includes(k)) fail([...at, k], `unknown key (${allowed.join(', ')})`);
  };
  const level = (v: unknown, fallback: number, path: Array<string | number>): number => {
    if (v === undefined) return fallback;
    if (v === 'sysop') return LEVELS.sysop;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 100) return v;
    fail(path, 'must be a level 0-100 or "sysop"');
    return fallback;
  };
  const mib = (v: unknown, fallback: number, path: Array<string | number>): number => {
    if (v === undefined) return fallback;
    if (typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 1024 * 1024) return Math.floor(v * MiB);
    fail(path, 'must be a number of MiB, above 0');
    return fallback;
  };
  // resolve() also normalizes an absolute folder ("/srv/f/", "/srv/./f"), so folders compare.
  const at = (p: string): string => resolve(dataDir, p);
  if (doc !== undefined && doc !== null && !isRecord(doc)) fail([], 'must be a mapping (watch, stallSeconds, quarantine, linkMinutes, uploads, areas)');
  const root = isRecord(doc) ? doc : {};
  unknownKeys(root, ROOT_KEYS, []);
  if (root.uploads !== undefined && !isRecord(root.uploads)) fail(['uploads'], 'must be a mapping (level, maxFileMiB, dailyQuotaMiB)');
  const up = isRecord(root.uploads) ? root.uploads : {};
  unknownKeys(up, UPLOAD_KEYS, ['uploads']);
  if (root.quarantine !== undefined && (typeof root.quarantine !== 'string' || root.quarantine.trim() === '')) fail(['quarantine'], 'must be a folder');
  const config: FilesConfig = {
    areas: [],
    uploads: {
      level: level(up.level, DEFAULT_UPLOADS.level, ['uploads', 'level']),
      maxFileBytes: mib(up.maxFileMiB, DEFAULT_UPLOADS.maxFileBytes, ['uploads', 'maxFileMiB']),
      dailyQuotaBytes: mib(up.dailyQuotaMiB, DEFAULT_UPLOADS.dailyQuotaBytes, ['uploads', 'dailyQuotaMiB']),
    },
    quarantine: at(typeof root.quarantine === 'string' && root.quarantine.trim() !== '' ? root.quarantine : 'files/quarantine'),
    stallSeconds: 10,
    watch: false,
    linkMinutes: 60,
  };
  if (root.stallSeconds !== undefined) {
    const n = root.stallSeconds;
    if (typeof n === 'number' && Number.isFinite(n) && n >= 1 && n <= 600) config.stallSeconds = n;
    else fail(['stallSeconds'], 'must be a number of seconds from 1 to 600');
  }
  if (root.watch !== undefined) {
    if (typeof root.watch === 'boolean') config.watch = root.watch;
    else fail(['watch'], 'must be true or false');
  }
  if (root.linkMinutes !== undefined) {
    const m = root.linkMinutes;
    if (typeof m === 'number' && Number.isFinite(m) && m >= 1 && m <= 7 * 24 * 60) config.linkMinutes = Math.floor(m);
    else fail(['linkMinutes'], 'must be a number of minutes from 1 to 10080 (a week)');
  }
  const list = Array.isArray(root.areas) ? root.areas : [];
  if (root.areas !== undefined && !Array.isArray(root.areas)) fail(['areas'], 'must be a list');
  const tags = new Set<string>();
  list.forEach((raw, i) => {
    if (!isRecord(raw)) {
      fail(['areas', i], 'must be a mapping (tag, name, description, folder, list, download, upload)');
      return;
    }
    const a = raw;
    unknownKeys(a, AREA_KEYS, ['areas', i]);
    const tag = typeof a.tag === 'string' ? a.tag : '';
    if (!TAG_PATTERN.test(tag)) {
      fail(['areas', i, 'tag'], 'must be 1-32 of a-z 0-9 _ - (lowercase)');
      return;
    }
    if (tag === PENDING_FOLDER) {
      fail(['areas', i, 'tag'], `"${PENDING_FOLDER}" is the SFTP folder of each caller's uploads waiting for the sysop; choose another tag`);
      return;
    }
    if (tags.has(tag)) {
      fail(['areas', i, 'tag'], `"${tag}" is used twice`);
      return;
    }
    tags.add(tag);
    if (a.folder !== undefined && (typeof a.folder !== 'string' || a.folder.trim() === '')) fail(['areas', i, 'folder'], 'must be a folder');
    const folder = at(typeof a.folder === 'string' && a.folder.trim() !== '' ? a.folder : `files/${tag}`);
    // The quarantine holds files nobody approved: an area that lists it (or a quarantine
    // inside an area's folder, or an area inside the quarantine) would publish them.
    if (folderWithin(folder, config.quarantine) || folderWithin(config.quarantine, folder)) {
      fail(['areas', i, 'folder'], `${folder} and the quarantine (${config.quarantine}) must not be one folder or inside one another: unapproved uploads would be listed`);
    }
    // Two areas on one folder list the same files under two sets of levels.
    const twin = config.areas.find((other) => other.folder === folder);
    if (twin) fail(['areas', i, 'folder'], `${folder} is also the folder of area "${twin.tag}": a restricted area's files would be listed in the other`);
    const listLevel = level(a.list, 0, ['areas', i, 'list']);
    config.areas.push({
      tag,
      name: typeof a.name === 'string' ? a.name.slice(0, 60) : tag,
      description: typeof a.description === 'string' ? a.description.slice(0, 200) : '',
      folder,
      list: listLevel,
      download: Math.max(listLevel, level(a.download, listLevel, ['areas', i, 'download'])),
      upload: level(a.upload, DEFAULT_UPLOADS.level, ['areas', i, 'upload']),
    });
  });
  return { config, problems };
}

/** The board ships this when config/files.yaml is missing: `uploads` and an empty `general`. */
export function defaultFilesConfig(dataDir: string): FilesConfig {
  return validateFilesConfig(
    {
      areas: [
        { tag: 'uploads', name: 'Uploads', description: 'Files callers sent, approved by the sysop' },
        { tag: 'general', name: 'General', description: 'The board\u2019s files' },
      ],
    },
    dataDir,
  ).config;
}

export const isSysop = (level: number): boolean => level >= LEVELS.sysop;
export const canList = (area: FileArea, level: number): boolean => level >= area.list || isSysop(level);
export const canDownload = (area: FileArea, level: number): boolean => (level >= area.download && level >= area.list) || isSysop(level);
