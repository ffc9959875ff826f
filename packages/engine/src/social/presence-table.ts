import { cleanUserText } from '@carrier/core';
import type { PresenceEntry } from '../presence.js';
import { fitToWidth } from '../text-fit.js';

/**
 * Who's online as rows of text that fit a screen width: node, handle (or "logging in"),
 * protocol, connected since, idle time and activity. Narrow screens drop the columns a
 * caller can do without, in a fixed order. Pure.
 */

interface Column {
  title: string;
  width: number;
  cell(e: PresenceEntry, now: number): string;
}

const NODE: Column = { title: 'Node', width: 5, cell: (e) => String(e.node) };
const HANDLE: Column = { title: 'Handle', width: 17, cell: (e) => (e.handle === null ? '(logging in)' : cleanUserText(e.handle, 32)) };
/** Wide enough for the longest protocol name, `websocket`, and the column's space. */
const VIA: Column = { title: 'Via', width: 'websocket'.length + 1, cell: (e) => e.protocol };
const SINCE: Column = { title: 'Since', width: 7, cell: (e) => clock(e.connectedAt) };
const IDLE: Column = { title: 'Idle', width: 6, cell: (e, now) => idleText(now - e.lastInputAt) };
const FLAGS: Column = { title: '', width: 2, cell: (e) => (e.dnd ? 'D' : '') };
/** Below 35 columns (24 is a terminal's narrowest): a node to 999 and a handle to 10, so activity keeps a few words (it kept one letter). */
const NODE_NARROW: Column = { title: 'No', width: 4, cell: (e) => String(e.node) };
const HANDLE_NARROW: Column = { ...HANDLE, width: 11 };

/** The widest layout first; each narrower one drops a column. Activity takes what is left. */
const LAYOUTS: readonly (readonly Column[])[] = [
  [NODE, HANDLE, VIA, SINCE, IDLE, FLAGS],
  [NODE, HANDLE, VIA, IDLE, FLAGS],
  [NODE, HANDLE, IDLE],
  [NODE, HANDLE],
  [NODE_NARROW, HANDLE_NARROW],
];
/** Activity needs at least this much room to say anything. */
const MIN_ACTIVITY = 12;

function layout(cols: number): readonly Column[] {
  const width = cols - 1;
  for (const l of LAYOUTS) if (l.reduce((n, c) => n + c.width, 0) + MIN_ACTIVITY <= width) return l;
  return LAYOUTS[LAYOUTS.length - 1]!;
}

export function presenceHeader(cols: number): string {
  const l = layout(cols);
  return fitToWidth(l.map((c) => pad(c.title, c.width)).join('') + 'Activity', cols - 1);
}

export function presenceRow(e: PresenceEntry, now: number, cols: number): string {
  const l = layout(cols);
  const activity = e.room ? `chat #${e.room}` : cleanUserText(e.activity, 60);
  return fitToWidth(l.map((c) => pad(c.cell(e, now), c.width)).join('') + activity, cols - 1);
}

/** `42s`, `5m`, `2h07m`: how long since the caller last typed. */
export function idleText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function clock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** Cut to `width - 1` columns then pad to `width`: a column always ends with a space. */
function pad(text: string, width: number): string {
  return fitToWidth(text, width - 1) + ' ';
}
