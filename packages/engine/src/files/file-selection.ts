// What a caller types at a file prompt of the file areas (D download, T tag, W web link):
// file names of the area and numbers from the caller's last listing (L of the area, or an
// N or S listing across areas). Names with spaces (SFTP uploads, a sysop's folders) are
// typed whole, as the only thing on the line, or in double quotes.
import type { FileEntry, FilesRepository } from '@carrier/store';

/** A listing number: the listing is paged, and no area holds a million files to number. */
const LISTING_NUMBER = /^[1-9]\d{0,5}$/;
/** Listing numbers remembered per listing (a caller paging a huge area costs no more). */
const MAX_LISTED = 10_000;

/**
 * What the caller's listings numbered, so a number typed at D, T or W means the file the
 * caller saw under it, not where the files are now: each area's last L, and an N or S
 * listing (across areas) shown since the last L, which then answers in every area.
 */
export class Listings {
  private readonly areas = new Map<string, Map<number, ListedFile>>();
  private across: Map<number, ListedFile> | undefined;

  /** A listing starts: an area's L (`tag`) or one across areas (N, S). Returns what records its rows. */
  start(tag?: string): (n: number, e: FileEntry) => void {
    const numbers = new Map<number, ListedFile>();
    if (tag === undefined) this.across = numbers;
    else {
      this.areas.set(tag, numbers);
      this.across = undefined;
    }
    return (n, e) => {
      if (numbers.size < MAX_LISTED || numbers.has(n)) numbers.set(n, { area: e.area, name: e.name });
    };
  }

  /** The numbers a file prompt in area `tag` takes: the last listing's, when it was across areas or this area's L. */
  numbersFor(tag: string): ListingNumbers | undefined {
    if (this.across) return { shown: this.across, acrossAreas: true };
    const shown = this.areas.get(tag);
    return shown && { shown, acrossAreas: false };
  }
}

/**
 * The words of a file prompt's line: `"..."` is one word (spaces and all; an unclosed
 * quote runs to the end of the line), anything else splits at white space. Pure.
 */
export function splitFileWords(line: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"?|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const word = (m[1] ?? m[2] ?? '').trim();
    if (word) words.push(word);
  }
  return words;
}

export interface FileSelection {
  found: FileEntry[];
  /** words that name no file here, as typed */
  missing: string[];
}

/** A file a listing showed under a number. */
export interface ListedFile {
  area: string;
  name: string;
}

/** What the caller's last listing numbered. */
export interface ListingNumbers {
  /** number -> the file shown under it */
  shown: ReadonlyMap<number, ListedFile>;
  /**
   * The listing ran across areas (N, S): a number it did not show names nothing. Else it
   * was the area's own (L): such a number is the file at that place in the area now.
   */
  acrossAreas: boolean;
}

/**
 * The files a prompt's line names, at most `max` of them: the whole line when `area` has
 * a file of that name, else each word (splitFileWords) as a name in `area`, or as a
 * listing number when no file has that name. Duplicates count once.
 *
 * `listing` is what the caller's last listing numbered: a number it showed means that
 * file (in whichever area it is), even when files added or removed since have moved it
 * (and names nothing once that file is gone). Without one, a number is the file at that
 * place in `area` now.
 */
export async function selectFiles(
  files: Pick<FilesRepository, 'find' | 'list'>,
  area: string,
  line: string,
  max: number,
  listing?: ListingNumbers,
): Promise<FileSelection> {
  const text = line.trim();
  if (!text) return { found: [], missing: [] };
  const whole = await files.find(area, text);
  if (whole) return { found: [whole], missing: [] };
  const found: FileEntry[] = [];
  const missing: string[] = [];
  for (const word of splitFileWords(text).slice(0, max)) {
    const entry = (await files.find(area, word)) ?? (LISTING_NUMBER.test(word) ? await byNumber(files, area, Number(word), listing) : undefined);
    if (!entry) missing.push(word);
    else if (!found.some((e) => e.id === entry.id)) found.push(entry);
  }
  return { found, missing };
}

async function byNumber(files: Pick<FilesRepository, 'find' | 'list'>, area: string, n: number, listing: ListingNumbers | undefined): Promise<FileEntry | undefined> {
  const shown = listing?.shown.get(n);
  if (shown !== undefined) return files.find(shown.area, shown.name);
  if (listing?.acrossAreas) return undefined;
  return (await files.list(area, { offset: n - 1, limit: 1 }))[0];
}
