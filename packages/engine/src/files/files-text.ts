// What the file areas screen prints, fitted to the caller's screen: the area header, the
// menu's keys, J's area rows, a listing's header and rows. At 24 columns each of them took
// two or three rows, broken mid-word; now each takes one (the header two) at any width.
import { plural } from '@carrier/core';
import type { FileEntry } from '@carrier/store';
import { displayWidth, fitWidth, pipeLiteral } from '@carrier/terminal';
import { firstFitting, type PromptKey } from '../prompt-fit.js';
import { clipToWidth, fitToWidth } from '../text-fit.js';

export function formatSize(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)}K`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)}M`;
  return `${(n / 1024 / 1024 / 1024).toFixed(1)}G`;
}

/** A file's date as a listing shows it, `2026-12-07` in UTC: the same on every node. */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The file areas menu's keys: W only where the web front end makes links, A for a sysop. */
export function fileMenuKeys(links: boolean, sysop: boolean): PromptKey[] {
  return [
    ['J', 'Jump'],
    ['L', 'List'],
    ['T', 'Tag'],
    ['D', 'Download'],
    ['U', 'Upload'],
    ['N', 'New'],
    ['S', 'Search'],
    ...(links ? [['W', 'Web', 'Web download link'] as const] : []),
    ...(sysop ? [['A', 'Approve'] as const] : []),
    ['Q', 'Quit'],
  ];
}

/**
 * The menu's header: one row where it fits, the first of `File area: General (general,
 * 2 files, 1 tagged)` and `File area: General - 2 files, 1 tagged`; else two, the name and
 * the counts, each cut to the width.
 */
export function fileAreaHeader(area: { name: string; tag: string }, files: number, tagged: number, cols: number): string[] {
  const room = Math.max(1, cols - 1);
  const counts = `${plural(files, 'file')}${tagged ? `, ${tagged} tagged` : ''}`;
  const name = pipeLiteral(area.name);
  const row = firstFitting([`|15File area: |11${name} |08(${pipeLiteral(area.tag)}, ${counts})|07`, `|15File area: |11${name}|07 - ${counts}`], cols);
  if (row !== undefined) return [row];
  return [`|15${pipeLiteral(fitWidth(`File area: ${area.name}`, room))}|07`, `|07${fitWidth(counts, room)}`];
}

/** Where a name column is this wide or the screen narrower, J's rows and listings drop their other columns. */
const NAME_COLUMN = 24;

/**
 * An area in J's list, `  2 General                  general  The board's files`, the
 * description cut to the row (dropped where under 8 columns of it fit); where the tag does not fit either, the number and the name
 * cut to what is left (`  2 General`).
 */
export function fileAreaRow(n: number, area: { name: string; tag: string; description: string }, cols: number): string {
  const room = Math.max(1, cols - 1);
  const number = String(n).padStart(3);
  const head = `${number} ${fitToWidth(area.name, NAME_COLUMN)} ${area.tag}`;
  if (displayWidth(head) <= room) {
    // The description goes where fewer than 8 of its columns fit (a stub of a word says nothing).
    const left = room - displayWidth(head) - 2;
    const rest = left >= 8 && area.description ? `  ${clipToWidth(area.description, left)}` : '';
    return `|15${number}|07 ${pipeLiteral(fitToWidth(area.name, NAME_COLUMN))} |08${pipeLiteral(area.tag)}${pipeLiteral(rest)}|07`;
  }
  return `|15${number}|07 ${pipeLiteral(fitWidth(area.name, Math.max(1, room - number.length - 1)))}`;
}

/** The question under J's (and approval's) area rows, the first wording that fits one row. */
export function areaQuestion(question: string, cols: number): string {
  return firstFitting([`|11${question} (number or tag, Enter for none): |15`, `|11${question}: |15`], cols) ?? '|11Area: |15';
}

/** The columns of a wide listing row before its description: number, mark, name, size, date, downloads. */
const WIDE_HEAD = 4 + 1 + NAME_COLUMN + 1 + 6 + 1 + 10 + 1 + 4 + 1;

/** A listing's header over its rows (listingRow's columns at this width). */
export function listingHeader(cols: number): string {
  const room = Math.max(1, cols - 1);
  if (room >= WIDE_HEAD) return clipToWidth(`   # ${'Name'.padEnd(NAME_COLUMN)}   Size Date        DLs Description`, room);
  return clipToWidth(`   # ${'Name'.padEnd(Math.max(4, room - 5 - 7))}   Size`, room);
}

/**
 * One listing row that fits `cols`: number, tag mark, name, size, date, downloads, the
 * description's first line. Where the date does not fit (under 54 columns), the number,
 * the name given what is left, and the size.
 */
export function listingRow(n: number, e: FileEntry, cols: number, tagged: boolean): string {
  const room = Math.max(1, cols - 1);
  const number = `${String(n).padStart(4)}${tagged ? '*' : ' '}`;
  const size = formatSize(e.size).padStart(6);
  // By screen columns: a name or description of wide (CJK) characters cut by characters
  // took two rows, and its row pushed the columns after it out of line.
  if (room < WIDE_HEAD) return clipToWidth(`${number}${fitToWidth(e.name, Math.max(1, room - number.length - 7))} ${size}`, room);
  const desc = e.description.split('\n')[0] ?? '';
  const head = `${number}${fitToWidth(e.name, NAME_COLUMN)} ${size} ${formatDate(e.addedAt)} ${String(e.downloads).padStart(4)} `;
  return clipToWidth(head + desc, room);
}

/** A listing's prompt: its keys, and Enter where there is another page; one row at any width. */
export function listingPrompt(more: boolean, cols: number): string {
  const enter = more ? ' |08[|15Enter|08]|07 more' : '';
  return (
    firstFitting([`|08[|15T|08]|07ag |08[|15D|08]|07ownload${enter} |08[|15Q|08]|07uit: `, `|08[|15T D${more ? ' Enter' : ''} Q|08]|07: `], cols) ?? '|08[|15T D Q|08]|07: '
  );
}
