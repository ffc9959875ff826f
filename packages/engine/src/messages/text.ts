import { cleanUserText, plural } from '@carrier/core';
import { displayWidth, fitQuotedLine, fitWidth, pipeLiteral, stripPipeCodes } from '@carrier/terminal';
import { firstFitting } from '../prompt-fit.js';
import type { Session } from '../session-api.js';

/**
 * What callers typed, made safe to show another caller: every field through core's one
 * sanitizer (cleanUserText: whole escape sequences, C0/C1 controls, bidi overrides).
 * Bodies are cleaned line by line so their line breaks and indentation survive.
 */
const LINE_CAP = 4096;

/** One field (subject, handle) for a `print`/`println` line: cleaned, and `|` doubled so no pipe code renders. */
export function field(text: string, max: number): string {
  return pipeLiteral(cleanUserText(text, max));
}

/**
 * A header row of the message reader, `label value`, cut to one row of a `cols`-wide
 * screen (a row that wrapped would push the body down past the header's row count).
 */
export function headerRow(label: string, value: string, max: number, cols: number): string {
  const room = Math.max(1, cols - 2 - label.length);
  return `|08${label} |15${pipeLiteral(fitWidth(cleanUserText(value, max), room))}`;
}

/**
 * The reader's Date row, with `reply to #N` for a reply, cut to one row like headerRow
 * ('Date: 2026-12-07 12:39  reply to #1' wrapped on a 30-column screen).
 */
export function dateRow(date: string, parentId: number | null, cols: number): string {
  const reply = parentId !== null ? `  reply to #${parentId}` : '';
  const text = fitWidth(`${date}${reply}`, Math.max(1, cols - 2 - 'Date:'.length));
  const dateShown = text.slice(0, date.length);
  return `|08Date: |07${dateShown}${text.length > date.length ? `|08${text.slice(date.length)}` : ''}`;
}

/**
 * The message areas menu's header for a `cols`-wide screen: one row where it fits, the first
 * of `Area: General (general, Local) - 1 message, 1 new` and `Area: General - 1 message,
 * 1 new`; else two, the name and the counts, each cut to the width. (At 24 columns the
 * whole line took three rows, broken mid-word.)
 */
export function areaHeader(area: { name: string; tag: string; conference: string }, total: number, fresh: number, cols: number): string[] {
  const room = Math.max(1, cols - 1);
  const name = pipeLiteral(cleanUserText(area.name, 40));
  const where = pipeLiteral(`(${area.tag}, ${cleanUserText(area.conference, 40)})`);
  const counts = `${plural(total, 'message')}, ${fresh} new`;
  const row = firstFitting([`|15Area: ${name} |08${where}|07 - ${counts}`, `|15Area: ${name}|07 - ${counts}`], cols);
  if (row !== undefined) return [row];
  return [`|15${pipeLiteral(fitWidth(`Area: ${cleanUserText(area.name, 40)}`, room))}`, `|07${fitWidth(counts, room)}`];
}

/**
 * An area in J's list: `  1 General                        general          3 new`; where
 * that does not fit one row of a `cols`-wide screen, the number, the name cut to what is
 * left and the count (`  1 General 3 new`: at 24 columns each area took three rows).
 */
export function areaRow(n: number, area: { name: string; tag: string }, fresh: number, cols: number): string {
  const room = Math.max(1, cols - 1);
  const number = String(n).padStart(3);
  const name = cleanUserText(area.name, 30);
  const count = fresh > 0 ? `${fresh} new` : '';
  const wide = `${number} ${name.padEnd(30)} ${area.tag.padEnd(16)} ${count}`;
  if (displayWidth(wide.trimEnd()) <= room) return `|15${number} |07${pipeLiteral(name.padEnd(30))} |08${area.tag.padEnd(16)} |07${count}`;
  const cut = fitWidth(name, Math.max(1, room - number.length - 1 - (count === '' ? 0 : count.length + 1)));
  return `|15${number} |07${pipeLiteral(cut)}${count === '' ? '' : ` ${count}`}`;
}

/**
 * Show a message's header rows, then its body a page at a time, the header in view on the
 * first page. Returns what draws that screen again as the pager left it, for a sysop's spy
 * that starts at the prompt under it (`below`: the rows under the body): from a clear
 * screen, the last rows of the header and of the body the pager wrote (up to the page the
 * caller stopped at with Q), as many as the screen has above those rows.
 */
export async function showMessage(s: Session, header: readonly string[], body: string): Promise<(below: number) => void> {
  const rule = (): string => `|08${'-'.repeat(Math.min(78, s.terminal.cols - 1))}|07`;
  const top = (): void => {
    s.clear();
    for (const row of header) s.println(row);
    s.println(rule());
  };
  top();
  // (quoted lines keep their `JD> ` on every row the screen's width breaks them into; the
  // header is drawn again with the page for a sysop's spy that starts at the more-prompt)
  const cols = s.terminal.cols;
  const text = bodyLines(body).flatMap((line) => fitQuotedLine(line, cols)).join('\n');
  // The body's rows left on the screen when the pager ended: all of them when they fit under
  // the header, else the last screenful it wrote (not the text's end, when Q stopped it).
  let written: readonly string[] = [];
  await s.pager(text, { above: header.length + 1, drawAbove: top, shown: (rows) => (written = rows) });
  return (below) => {
    const room = Math.max(1, s.terminal.rows - below);
    const rows: Array<() => void> = [...[...header, rule()].map((row) => () => s.println(row)), ...written.map((row) => () => s.write(`${row}\r\n`))];
    s.clear();
    for (const draw of rows.slice(-room)) draw();
  };
}

/** A stored body as lines any terminal can show. */
export function bodyLines(body: string): string[] {
  return body
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => {
      const indent = /^ */.exec(line)?.[0] ?? '';
      const clean = cleanUserText(line, LINE_CAP);
      return clean === '' ? '' : indent.slice(0, 40) + clean;
    });
}

/** `2026-12-05 09:14` in UTC: the same on every node. */
export function shortDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** The prompts a message or a mail is addressed at. */
export const TO_PROMPT = '|11To: |15';
export const SUBJECT_PROMPT = '|11Subject: |15';

/** A prompt's row once answered, as the caller's screen has it: the prompt and the line as typed (pipe codes shown as typed). */
export function answeredRow(prompt: string, typed: string): string {
  return `${prompt}${pipeLiteral(typed)}`;
}
