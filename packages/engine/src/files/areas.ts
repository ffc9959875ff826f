// config/files.yaml: the areas a sysop declares and the upload rules. Pure validation of
// an already-parsed document, so the server's YAML parser (with line numbers) stays in
// the server and this stays testable.
import { isAbsolute, resolve } from 'node:path';
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
  message: string;
}

export const TAG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const MiB = 1024 * 1024;

export const DEFAULT_UPLOADS: UploadRules = { level: LEVELS.newUser, maxFileBytes: 100 * MiB, dailyQuotaBytes: 200 * MiB };

function level(v: unknown, fallback: number, key: string, problems: FilesProblem[]): number {
  if (v === undefined) return fallback;
  if (v === 'sysop') return LEVELS.sysop;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 100) return v;
  problems.push({ key, message: 'must be a level 0-100 or "sysop"' });
  return fallback;
}

function mib(v: unknown, fallback: number, key: string, problems: FilesProblem[]): number {
  if (v === undefined) return fallback;
  if (typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 1024 * 1024) return Math.floor(v * MiB);
  problems.push({ key, message: 'must be a number of MiB, above 0' });
  return fallback;
}

/** Check and resolve a parsed files.yaml; relative folders are under `dataDir`. */
export function validateFilesConfig(doc: unknown, dataDir: string): { config: FilesConfig; problems: FilesProblem[] } {
  const problems: FilesProblem[] = [];
  const root = (doc ?? {}) as Record<string, unknown>;
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(dataDir, p));
  const up = (root.uploads ?? {}) as Record<string, unknown>;
  const config: FilesConfig = {
    areas: [],
    uploads: {
      level: level(up.level, DEFAULT_UPLOADS.level, 'uploads.level', problems),
      maxFileBytes: mib(up.maxFileMiB, DEFAULT_UPLOADS.maxFileBytes, 'uploads.maxFileMiB', problems),
      dailyQuotaBytes: mib(up.dailyQuotaMiB, DEFAULT_UPLOADS.dailyQuotaBytes, 'uploads.dailyQuotaMiB', problems),
    },
    quarantine: at(typeof root.quarantine === 'string' ? root.quarantine : 'files/quarantine'),
    stallSeconds: typeof root.stallSeconds === 'number' && root.stallSeconds >= 1 && root.stallSeconds <= 600 ? root.stallSeconds : 10,
    watch: root.watch === true,
    linkMinutes: 60,
  };
  if (root.linkMinutes !== undefined) {
    const m = root.linkMinutes;
    if (typeof m === 'number' && Number.isFinite(m) && m >= 1 && m <= 7 * 24 * 60) config.linkMinutes = Math.floor(m);
    else problems.push({ key: 'linkMinutes', message: 'must be a number of minutes from 1 to 10080 (a week)' });
  }
  const list = Array.isArray(root.areas) ? root.areas : [];
  if (root.areas !== undefined && !Array.isArray(root.areas)) problems.push({ key: 'areas', message: 'must be a list' });
  const tags = new Set<string>();
  list.forEach((raw, i) => {
    const a = (raw ?? {}) as Record<string, unknown>;
    const key = `areas[${i}]`;
    const tag = typeof a.tag === 'string' ? a.tag : '';
    if (!TAG_PATTERN.test(tag)) {
      problems.push({ key: `${key}.tag`, message: 'must be 1-32 of a-z 0-9 _ - (lowercase)' });
      return;
    }
    if (tags.has(tag)) {
      problems.push({ key: `${key}.tag`, message: `"${tag}" is used twice` });
      return;
    }
    tags.add(tag);
    const folder = typeof a.folder === 'string' && a.folder.length > 0 ? a.folder : `files/${tag}`;
    const listLevel = level(a.list, 0, `${key}.list`, problems);
    config.areas.push({
      tag,
      name: typeof a.name === 'string' ? a.name.slice(0, 60) : tag,
      description: typeof a.description === 'string' ? a.description.slice(0, 200) : '',
      folder: at(folder),
      list: listLevel,
      download: Math.max(listLevel, level(a.download, listLevel, `${key}.download`, problems)),
      upload: level(a.upload, DEFAULT_UPLOADS.level, `${key}.upload`, problems),
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
