// The file areas screen (main menu F): J jump, L list, T tag, D download, U upload,
// N new files, S search, W web link (when the web front end is on), A approve (sysop), Q back. Transfers are ZMODEM over whatever
// front end the caller came in on.
import { client, plural } from '@carrier/core';
import type { FileEntry, QuarantinedUpload } from '@carrier/store';
import { pipeLiteral } from '@carrier/terminal';
import { printAndReadKey } from '../draw-again.js';
import type { Session } from '../session-api.js';
import { firstFitting, keyLegend, keyPrompt, LEGEND_KEY, printPrompt, printWords } from '../prompt-fit.js';
import { isSysop, type FileArea } from './areas.js';
import { mib, type BoardFiles, type UploadSlot } from './board-files.js';
import { Listings, selectFiles } from './file-selection.js';
import { fileAreaHeader, fileAreaRow, fileMenuKeys, formatSize, areaQuestion, listingHeader, listingPrompt, listingRow } from './files-text.js';
import { baseName } from './safe-name.js';
import { withTransferWire } from './session-transfer.js';
import { receiveFiles, sendFiles, type OutgoingFile, type TransferFailure } from './zmodem-transfer.js';

/** A batch download holds at most this many files. */
export const MAX_TAGGED = 50;


export function failureText(f: TransferFailure | undefined, cancelled: boolean): string {
  if (cancelled) return 'Transfer cancelled.';
  if (!f) return '';
  switch (f.code) {
    case 'STALLED':
      return 'The transfer stalled (nothing came back for too long) and was stopped.';
    case 'TOO_MANY_ERRORS':
      return 'Too many damaged frames (bad CRCs): the transfer was stopped.';
    case 'ABSURD_ZRINIT':
      return 'Your terminal announced an impossible ZMODEM buffer size; the transfer was refused.';
    case 'TOO_LARGE':
      return 'The upload went over the size cap or your daily quota: stopped, nothing was kept.';
    case 'GARBAGE':
      return 'No ZMODEM came from your side: the transfer was stopped.';
    case 'PEER_ABORTED':
    case 'CANCELLED':
      return 'Your terminal aborted the transfer.';
    case 'HANGUP':
      return '';
    default:
      return `The transfer failed: ${f.message}`;
  }
}

export async function filesMenu(s: Session): Promise<void> {
  const files = s.board.files;
  const user = s.user;
  if (!files || !user) {
    printWords(s, '|12File areas are not available on this board.|07');
    return;
  }
  s.setActivity('file areas');
  let areas = await files.areasFor(user.level);
  if (areas.length === 0) {
    printWords(s, '|12There are no file areas you may see.|07');
    await s.pause();
    return;
  }
  let area = areas[0]!;
  const tagged: Array<{ area: string; name: string }> = [];
  const listed = new Listings();
  const sysop = isSysop(user.level);
  /** `?`'s legend, printed over the menu it was asked at (so a sysop's spy gets it with the menu). */
  let legend: string[] = [];
  for (;;) {
    const count = await files.store.files.count(area.tag);
    const keys = fileMenuKeys(files.links !== undefined, sysop);
    const over = legend;
    if (over.length === 0) s.println('');
    const menu = (): void => {
      for (const row of over) s.println(row);
      for (const row of fileAreaHeader(area, count, tagged.length, s.terminal.cols)) s.println(row);
      s.print(keyPrompt(keys, s.terminal.cols));
    };
    // Printed below what came before: a sysop's spy that starts here gets it on a clear screen.
    const key = (await printAndReadKey(s, menu)).toLowerCase();
    s.println('');
    legend = key === LEGEND_KEY ? keyLegend(keys) : [];
    switch (key) {
      case 'j': {
        areas = await files.areasFor(user.level);
        const picked = await pickArea(s, areas, 'Jump to which area');
        if (picked) area = picked;
        break;
      }
      case 'l':
        if ((await listArea(s, files, area, tagged, listed)) === 'download') await download(s, files, area, tagged, listed);
        break;
      case 't':
        await tagByName(s, files, area, tagged, listed);
        break;
      case 'd':
        await download(s, files, area, tagged, listed);
        break;
      case 'u':
        await upload(s, files);
        break;
      case 'n':
        if ((await newFiles(s, files, areas, tagged, listed)) === 'download') await download(s, files, area, tagged, listed);
        break;
      case 's':
        if ((await search(s, files, areas, tagged, listed)) === 'download') await download(s, files, area, tagged, listed);
        break;
      case 'w':
        await webLink(s, files, area, listed);
        break;
      case 'a':
        if (sysop) await approveUploads(s, files);
        break;
      case 'q':
      case 'escape':
        return;
      default:
        break;
    }
  }
}

async function pickArea(s: Session, areas: readonly FileArea[], question: string): Promise<FileArea | undefined> {
  areas.forEach((a, i) => s.println(fileAreaRow(i + 1, a, s.terminal.cols)));
  s.print(areaQuestion(question, s.terminal.cols));
  const answer = (await s.readLine({ maxLength: 32 })).trim().toLowerCase();
  if (answer === '') return undefined;
  const n = Number(answer);
  return Number.isInteger(n) && n >= 1 ? areas[n - 1] : areas.find((a) => a.tag === answer);
}

/** How a listing ended: Q (or a key that is not the listing's), or D: download what is tagged now. */
type ListingEnd = 'quit' | 'download';

/** Tag the page's files by the numbers typed (numbers of other pages, and repeats, are skipped), up to the batch cap. */
function tagNumbers(s: Session, typed: string, page: readonly FileEntry[], offset: number, tagged: Array<{ area: string; name: string }>): void {
  for (const n of typed.split(/[\s,]+/).map(Number)) {
    const e = page[n - offset - 1];
    if (!e || tagged.some((t) => t.area === e.area && t.name === e.name)) continue;
    if (tagged.length >= MAX_TAGGED) {
      printWords(s, `|12At most ${MAX_TAGGED} files in one batch.|07`);
      return;
    }
    tagged.push({ area: e.area, name: e.name });
  }
}

/**
 * Show entries a page at a time; T tags by number on the page shown, D tags the numbers
 * typed (if any) and ends the listing to download every tagged file. `shown` records each
 * row's number for the menu's D, T and W (Listings).
 */
async function showEntries(
  s: Session,
  fetch: (offset: number, limit: number) => Promise<FileEntry[]>,
  tagged: Array<{ area: string; name: string }>,
  title: string,
  shown?: (n: number, e: FileEntry) => void,
): Promise<ListingEnd> {
  const pageSize = Math.max(3, s.terminal.rows - 4);
  let offset = 0;
  for (;;) {
    const page = await fetch(offset, pageSize);
    page.forEach((e, i) => shown?.(offset + i + 1, e));
    const more = page.length === pageSize;
    const draw = (): void => {
      s.println(`|15${pipeLiteral(title)}|07`);
      s.println(`|08${listingHeader(s.terminal.cols)}|07`);
      if (page.length === 0) s.println(offset === 0 ? '|07No files.' : '|07No more files.');
      page.forEach((e, i) => {
        const isTagged = tagged.some((t) => t.area === e.area && t.name === e.name);
        s.println(`|07${pipeLiteral(listingRow(offset + i + 1, e, s.terminal.cols, isTagged))}`);
      });
      s.print(listingPrompt(more, s.terminal.cols));
    };
    // The page, printed below what came before; from a clear screen for a sysop's spy that starts here.
    const key = (await printAndReadKey(s, draw)).toLowerCase();
    s.println('');
    if (key === 't') {
      ask(s, 'Tag which numbers (e.g. 1 3 5)', 'Tag which numbers', 'Tag #');
      tagNumbers(s, await s.readLine({ maxLength: 80 }), page, offset, tagged);
      s.println(`|07${tagged.length} tagged.`);
      continue;
    }
    if (key === 'd') {
      ask(s, `Download which numbers${tagged.length ? ` (Enter: the ${tagged.length} tagged)` : ''}`, `Download numbers${tagged.length ? ` (Enter: ${tagged.length} tagged)` : ''}`, 'Download #');
      tagNumbers(s, await s.readLine({ maxLength: 80 }), page, offset, tagged);
      if (tagged.length > 0) return 'download';
      s.println('|07Nothing tagged.');
      continue;
    }
    if (more && (key === 'enter' || key === ' ')) {
      offset += pageSize;
      continue;
    }
    return 'quit';
  }
}

async function listArea(s: Session, files: BoardFiles, area: FileArea, tagged: Array<{ area: string; name: string }>, listed: Listings): Promise<ListingEnd> {
  return await showEntries(s, (offset, limit) => files.store.files.list(area.tag, { offset, limit }), tagged, area.name, listed.start(area.tag));
}

/** A question for a line: the first of `wordings` that fits one row of the caller's screen, else the last broken between words. */
function ask(s: Session, ...wordings: [string, ...string[]]): void {
  const rows = wordings.map((w) => `|11${w}: |15`);
  const fits = firstFitting(rows, s.terminal.cols);
  if (fits !== undefined) s.print(fits);
  else printPrompt(s, rows[rows.length - 1]!);
}

/** The bound of a file prompt's line: a batch of names, some in quotes. */
const FILE_LINE_MAX = 400;
const FILE_PROMPT_HINT = '|08(names, or numbers from the last listing; "quote" a name with spaces)|07';

/** Ask for files of `area` by name, or by the last listing's number (that file, in its own area); says which words name nothing. */
async function askFiles(s: Session, files: BoardFiles, area: FileArea, prompt: string, listed: Listings): Promise<FileEntry[]> {
  printWords(s, FILE_PROMPT_HINT);
  ask(s, prompt, 'Names or numbers', 'Files');
  const picked = await selectFiles(files.store.files, area.tag, await s.readLine({ maxLength: FILE_LINE_MAX }), MAX_TAGGED, listed.numbersFor(area.tag));
  for (const word of picked.missing) s.println(`|12${pipeLiteral(word)}: no such file here|07`);
  return picked.found;
}

async function tagByName(s: Session, files: BoardFiles, area: FileArea, tagged: Array<{ area: string; name: string }>, listed: Listings): Promise<void> {
  const picked = await askFiles(s, files, area, 'File name(s) to tag', listed);
  for (const entry of picked) {
    if (tagged.some((t) => t.area === entry.area && t.name === entry.name)) continue;
    if (tagged.length >= MAX_TAGGED) {
      printWords(s, `|12At most ${MAX_TAGGED} files in one batch.|07`);
      break;
    }
    tagged.push({ area: entry.area, name: entry.name });
  }
  if (picked.length > 0) s.println(`|07${tagged.length} tagged.`);
}

async function newFiles(s: Session, files: BoardFiles, areas: readonly FileArea[], tagged: Array<{ area: string; name: string }>, listed: Listings): Promise<ListingEnd> {
  const user = s.user!;
  const since = await files.store.files.lastScan(user.id);
  const now = Date.now();
  const tags = areas.map((a) => a.tag);
  const end = await showEntries(s, (offset, limit) => files.store.files.search({ areas: tags, since, offset, limit }), tagged, since ? `New since ${new Date(since).toISOString().slice(0, 16).replace('T', ' ')}` : 'New files', listed.start());
  await files.store.files.setLastScan(user.id, now);
  return end;
}

async function search(s: Session, files: BoardFiles, areas: readonly FileArea[], tagged: Array<{ area: string; name: string }>, listed: Listings): Promise<ListingEnd> {
  ask(s, 'Search names and descriptions for', 'Search for', 'Find');
  const text = (await s.readLine({ maxLength: 40 })).trim();
  if (!text) return 'quit';
  const tags = areas.map((a) => a.tag);
  return await showEntries(s, (offset, limit) => files.store.files.search({ areas: tags, text, offset, limit }), tagged, `Files matching "${text}"`, listed.start());
}

async function download(s: Session, files: BoardFiles, area: FileArea, tagged: Array<{ area: string; name: string }>, listed: Listings): Promise<void> {
  const user = s.user!;
  let wanted = [...tagged];
  if (wanted.length === 0) {
    wanted = (await askFiles(s, files, area, 'File name(s) to download from this area', listed)).map((e) => ({ area: e.area, name: e.name }));
  }
  if (wanted.length === 0) return;
  const batch: Array<OutgoingFile & { entry: FileEntry }> = [];
  for (const w of wanted) {
    const r = await files.resolveDownload(user.level, w.area, w.name);
    if (!r.ok) {
      printWords(s, `|12${pipeLiteral(w.name)}: ${r.reason}|07`);
      continue;
    }
    batch.push({ path: r.value.path, name: r.value.entry.name, size: r.value.entry.size, mtime: Math.floor(r.value.entry.mtime / 1000), entry: r.value.entry });
  }
  if (batch.length === 0) return;
  const total = batch.reduce((n, f) => n + f.size, 0);
  printWords(s, `|07Sending ${batch.length} file(s), ${formatSize(total)} by ZMODEM. Start your receive now if your terminal does not (Ctrl-X five times cancels).`);
  const cfg = await files.config();
  s.setActivity('downloading');
  const started = Date.now();
  const report = await withTransferWire(s, (wire) => sendFiles(wire, batch, { stallMs: cfg.stallSeconds * 1000 }));
  s.setActivity('file areas');
  let sent = 0;
  for (let i = 0; i < batch.length; i++) {
    if (report.files[i]?.status !== 'sent') continue;
    sent++;
    await files.downloaded(user, batch[i]!.entry, 'zmodem', report.files[i]!.bytes);
  }
  s.log.info('files.download', {
    files: batch.length,
    sent,
    bytes: report.files.reduce((n, f) => n + f.bytes, 0),
    ms: Date.now() - started,
    ...(report.failure ? { failure: report.failure.code, problem: client(report.failure.message) } : {}),
    ...(report.cancelled ? { cancelled: true } : {}),
  });
  if (s.closed) return;
  const why = failureText(report.failure, report.cancelled);
  s.println('');
  printWords(s, why ? `|12${why}|07` : `|10${sent} of ${batch.length} file(s) sent.|07`);
  if (sent === batch.length) tagged.length = 0;
}

/** A signed HTTP link to one file of this area, valid for files.yaml's linkMinutes. */
async function webLink(s: Session, files: BoardFiles, area: FileArea, listed: Listings): Promise<void> {
  if (!files.links) return;
  ask(s, 'File name or number for a web download link', 'Web link for (name or number)', 'Link for');
  const typed = (await s.readLine({ maxLength: 128 })).trim();
  if (!typed) return;
  // What D and T take: a name (spaces and all, or quoted) or the listing's number.
  const picked = await selectFiles(files.store.files, area.tag, typed, 1, listed.numbersFor(area.tag));
  const name = picked.found[0]?.name ?? typed;
  const r = await files.links.create(s.user!, picked.found[0]?.area ?? area.tag, name);
  if (!r.ok) {
    printWords(s, `|12${pipeLiteral(name)}: ${pipeLiteral(r.reason)}|07`);
    return;
  }
  printWords(s, '|07Open this link in a browser (it is for you alone; do not share it):');
  s.println(`|15${pipeLiteral(r.value.url)}|07`);
  printWords(s, `|08It works until ${new Date(r.value.expiresAt).toISOString().slice(0, 16).replace('T', ' ')} UTC.|07`);
}

async function upload(s: Session, files: BoardFiles): Promise<void> {
  const user = s.user!;
  const cfg = await files.config();
  if (user.level < cfg.uploads.level && !isSysop(user.level)) {
    printWords(s, '|12Your level may not upload.|07');
    return;
  }
  printWords(s, `|07Start your ZMODEM upload now (largest file ${mib(cfg.uploads.maxFileBytes)}; Ctrl-X five times cancels).`);
  printWords(s, '|07Uploads wait for the sysop before anyone else sees them.');
  s.setActivity('uploading');
  const slots = new Map<string, UploadSlot>();
  const refusals: string[] = [];
  const report = await withTransferWire(s, (wire) =>
    receiveFiles(wire, {
      stallMs: cfg.stallSeconds * 1000,
      decide: async (info) => {
        const name = baseName(info.name);
        const r = await files.reserveUpload(user, name, info.size);
        if (!r.ok) {
          refusals.push(`${name}: ${r.reason}`);
          s.log.info('files.upload_refused', { name: client(name), reason: r.reason });
          return { accept: false, reason: r.reason };
        }
        slots.set(r.value.path, r.value);
        return { accept: true, path: r.value.path, maxBytes: r.value.maxBytes };
      },
    }),
  );
  s.setActivity('file areas');
  if (report.failure || report.cancelled) {
    s.log.info('files.upload_failed', { ...(report.failure ? { failure: report.failure.code, problem: client(report.failure.message) } : {}), cancelled: report.cancelled });
  }
  s.println('');
  for (const r of refusals) printWords(s, `|12Refused ${pipeLiteral(r)}|07`);
  const done: QuarantinedUpload[] = [];
  for (const f of report.files) {
    const slot = f.path ? slots.get(f.path) : undefined;
    if (!slot) continue;
    slots.delete(f.path!);
    if (f.status !== 'received') {
      slot.release();
      continue;
    }
    if (s.closed) {
      // Hung up before describing: keep it, with no description.
      await files.finishUpload(user, slot).catch(() => undefined);
      continue;
    }
    // An empty file or one the board has is refused before the caller describes it.
    const checked = await files.checkUpload(user, slot);
    if (!checked.ok) {
      printWords(s, `|12${pipeLiteral(slot.name)}: ${checked.reason}|07`);
      continue;
    }
    ask(s, `Describe ${pipeLiteral(slot.name)} in one line`, 'Describe it in one line', 'Description');
    const description = await s.readLine({ maxLength: 200 }).catch(() => '');
    const result = await files.finishUpload(user, slot, description, checked.value);
    if (result.ok) done.push(result.value);
    else printWords(s, `|12${pipeLiteral(slot.name)}: ${result.reason}|07`);
  }
  for (const slot of slots.values()) slot.release();
  const why = failureText(report.failure, report.cancelled);
  if (why) printWords(s, `|12${why}|07`);
  // (`file(s) received` ends an upload for callers' scripts, none received included)
  printWords(s, done.length > 0 ? `|10${done.length} file(s) received; they wait for the sysop.|07` : '|070 file(s) received.|07');
}

async function approveUploads(s: Session, files: BoardFiles): Promise<void> {
  const pending = await files.store.files.pendingUploads();
  if (pending.length === 0) {
    printWords(s, '|07Nothing waits in quarantine.');
    return;
  }
  // Two callers' uploads may share a name: the uploader tells them apart.
  for (const u of pending.slice(0, 20)) {
    const by = (await files.store.users.findById(u.userId))?.handle ?? `user ${u.userId}`;
    printWords(s, `|15#${u.id}|07 ${pipeLiteral(u.name)} ${formatSize(u.size)} by ${pipeLiteral(by)} |08${pipeLiteral(u.description.split('\n')[0] ?? '')}|07`);
  }
  ask(s, 'Upload # to approve (or R# to reject)', '# to approve, R# to reject', '#/R#');
  const answer = (await s.readLine({ maxLength: 12 })).trim().toLowerCase();
  const reject = answer.startsWith('r');
  const id = Number(reject ? answer.slice(1) : answer.replace('#', ''));
  if (!Number.isInteger(id) || id <= 0) return;
  try {
    if (reject) {
      await files.reject(id);
      printWords(s, '|10Rejected and deleted.|07');
      return;
    }
    const area = await pickArea(s, (await files.config()).areas, 'Into which area');
    if (!area) return;
    const entry = await files.approve(id, area.tag);
    printWords(s, `|10${pipeLiteral(entry.name)} is now in ${pipeLiteral(area.name)}.|07`);
  } catch (err) {
    printWords(s, `|12${pipeLiteral((err as Error).message)}|07`);
  }
}
