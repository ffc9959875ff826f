// What a caller types at a file prompt of the file areas (D download, T tag): file names
// and numbers from the area's listing (L). Names with spaces (SFTP uploads, a sysop's
// folders) are typed whole, as the only thing on the line, or in double quotes.
import type { FileEntry, FilesRepository } from '@carrier/store';

/** A listing number: the listing is paged, and no area holds a million files to number. */
const LISTING_NUMBER = /^[1-9]\d{0,5}$/;

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

/**
 * The files of `area` a prompt's line names, at most `max` of them: the whole line when
 * the area has a file of that name, else each word (splitFileWords) as a name, or as a
 * number from the area's listing when no file has that name. Duplicates count once.
 *
 * `listed` is what the caller's own listing of the area numbered (number -> name): a
 * number it showed means that file, even when files added or removed since have moved
 * it (and names nothing once that file is gone); a number it did not show is the file
 * at that place in the area now.
 */
export async function selectFiles(
  files: Pick<FilesRepository, 'find' | 'list'>,
  area: string,
  line: string,
  max: number,
  listed?: ReadonlyMap<number, string>,
): Promise<FileSelection> {
  const text = line.trim();
  if (!text) return { found: [], missing: [] };
  const whole = await files.find(area, text);
  if (whole) return { found: [whole], missing: [] };
  const found: FileEntry[] = [];
  const missing: string[] = [];
  for (const word of splitFileWords(text).slice(0, max)) {
    const entry = (await files.find(area, word)) ?? (LISTING_NUMBER.test(word) ? await byNumber(files, area, Number(word), listed) : undefined);
    if (!entry) missing.push(word);
    else if (!found.some((e) => e.id === entry.id)) found.push(entry);
  }
  return { found, missing };
}

async function byNumber(files: Pick<FilesRepository, 'find' | 'list'>, area: string, n: number, listed: ReadonlyMap<number, string> | undefined): Promise<FileEntry | undefined> {
  const shown = listed?.get(n);
  if (shown !== undefined) return files.find(area, shown);
  return (await files.list(area, { offset: n - 1, limit: 1 }))[0];
}
