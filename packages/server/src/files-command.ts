// `carrier files scan [area]`, `files pending`, `files approve <upload> <area>`,
// `files reject <upload>`: the sysop's file-area verbs, on the same store the board uses.
import { resolve } from 'node:path';
import { CarrierError, ErrorCodes, escapeClientText, isCarrierError, silentLogger } from '@carrier/core';
import { BoardFiles, formatSize } from '@carrier/engine';
import type { Store } from '@carrier/store';
import { ConfigError } from './config.js';
import type { CarrierConfig } from './config-schema.js';
import { parseMenuYaml } from './menu-yaml.js';

export const FILES_USAGE = `  files scan [area]                       index what is in the area folders (new, changed, vanished files)
  files pending                           uploads waiting in quarantine
  files approve <upload> <area>           move a quarantined upload into an area
  files reject <upload>                   delete a quarantined upload`;

export class FilesUsageError extends Error {}

/**
 * files.yaml as the board reads it (BoardFiles' own loader): its first problem is the
 * ConfigError every verb exits 2 with, so a board never runs, nor a sysop verb acts, on
 * areas the sysop did not write (a quarantine inside an area would publish it).
 */
export async function requireFilesConfig(files: BoardFiles): Promise<void> {
  const problems = await files.problems();
  const first = problems[0];
  if (!first) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more: run \`carrier check\`)` : '';
  throw new ConfigError(first.file, first.key || '(file)', `${first.message}${more}`, first.line);
}

export interface FilesCommandDeps {
  out(line: string): void;
  err(line: string): void;
  withStore<T>(fn: (store: Store) => Promise<T>): Promise<T>;
}

/**
 * The board's file areas for a verb run outside the board (the `files` verbs, `user
 * delete` with no board answering): files.yaml must be valid, as for a start.
 */
export async function openBoardFiles(cfg: CarrierConfig, store: Store): Promise<BoardFiles> {
  const files = new BoardFiles({ file: resolve(cfg.files.file), parse: parseMenuYaml, dataDir: resolve(cfg.dataDir), store, log: silentLogger });
  await requireFilesConfig(files);
  return files;
}

/** An area the sysop named that files.yaml does not have is a usage mistake (exit 2, the verb's usage), as in `msg post`. */
async function requireArea(files: BoardFiles, verb: string, tag: string): Promise<void> {
  if (await files.area(tag)) return;
  const tags = (await files.config()).areas.map((a) => a.tag);
  throw new FilesUsageError(`files ${verb}: no file area ${JSON.stringify(tag)} (areas: ${tags.join(', ') || 'none'})`);
}

/** An upload the sysop already decided on is named as such, not as one that never was. */
async function requirePending(store: Store, id: number): Promise<void> {
  const upload = await store.files.upload(id);
  if (upload === undefined || upload.status === 'pending') return;
  const name = escapeClientText(upload.name, 80);
  throw new CarrierError(
    ErrorCodes.VALIDATION,
    upload.status === 'approved' ? `upload #${id} (${name}) is already approved: it is in ${upload.area ?? 'an area'}` : `upload #${id} (${name}) was rejected: its bytes are deleted`,
  );
}

export async function filesCommand(args: string[], cfg: CarrierConfig, deps: FilesCommandDeps): Promise<number> {
  const [sub, ...rest] = args;
  const open = (store: Store): Promise<BoardFiles> => openBoardFiles(cfg, store);
  const uploadId = (v: string | undefined): number => {
    const n = Number((v ?? '').replace(/^#/, ''));
    if (!Number.isInteger(n) || n <= 0) throw new FilesUsageError(`files ${sub}: not an upload number: ${JSON.stringify(v ?? '')}`);
    return n;
  };
  try {
    switch (sub) {
      case 'scan':
        if (rest.length > 1) throw new FilesUsageError('files scan takes at most one area');
        return await deps.withStore(async (store) => {
          const files = await open(store);
          if (rest[0] !== undefined) await requireArea(files, 'scan', rest[0]);
          await files.ensureFolders();
          const swept = await files.sweepQuarantine();
          if (swept > 0) deps.out(`quarantine: ${swept} file(s) of deleted accounts' uploads deleted`);
          let code = 0;
          for (const r of await files.scan(rest[0])) {
            if (r.refused === undefined) {
              deps.out(`${r.area}: ${r.added} added, ${r.updated} updated, ${r.removed} removed`);
              for (const f of r.skipped) deps.out(`${r.area}: not indexed: ${escapeClientText(f.name)}: ${f.reason}`);
              if (r.skippedCount > r.skipped.length) deps.out(`${r.area}: not indexed: ${r.skippedCount - r.skipped.length} more`);
            } else {
              deps.err(`carrier: ${r.area}: not scanned: ${r.refused}`);
              code = 1;
            }
          }
          return code;
        });
      case 'pending':
        return await deps.withStore(async (store) => {
          const list = await store.files.pendingUploads();
          if (list.length === 0) deps.out('nothing waits in quarantine');
          for (const u of list) {
            const who = await store.users.findById(u.userId);
            deps.out(`#${u.id}  ${u.name}  ${formatSize(u.size)}  by ${who?.handle ?? `user ${u.userId}`}  ${new Date(u.uploadedAt).toISOString()}  ${u.sha256.slice(0, 16)}`);
          }
          return 0;
        });
      case 'approve': {
        if (rest.length !== 2) throw new FilesUsageError('files approve <upload> <area>');
        const id = uploadId(rest[0]);
        return await deps.withStore(async (store) => {
          const files = await open(store);
          await requireArea(files, 'approve', rest[1]!);
          await requirePending(store, id);
          const entry = await files.approve(id, rest[1]!);
          deps.out(`approved #${id}: ${entry.name} is in ${entry.area}`);
          return 0;
        });
      }
      case 'reject': {
        if (rest.length !== 1) throw new FilesUsageError('files reject <upload>');
        const id = uploadId(rest[0]);
        return await deps.withStore(async (store) => {
          await requirePending(store, id);
          await (await open(store)).reject(id);
          deps.out(`rejected #${id}: its bytes are deleted`);
          return 0;
        });
      }
      default:
        throw new FilesUsageError(`unknown files verb ${JSON.stringify(sub ?? '')}`);
    }
  } catch (err) {
    if (isCarrierError(err) && !(err instanceof ConfigError)) {
      deps.err(`carrier: files ${sub}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
