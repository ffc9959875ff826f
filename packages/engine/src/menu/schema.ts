import { LEVELS, MAX_LEVEL, MIN_LEVEL } from '@carrier/store';
import { ACTION_NAMES, actionDefinition, isActionName, parseArt } from './actions.js';
import type { Menu, MenuAccess, MenuAction, MenuDocument, MenuItem, MenuProblem } from './types.js';

/**
 * A menu file's shape:
 *
 *   title: Main menu            required; who's online shows it as the caller's activity
 *   art: main                   optional; or { name: main, baud: 2400 }
 *   prompt: "|07Command: "      optional; pipe codes, {handle} {board} {node} {title} {time}
 *   list: true                  optional; false when the art already shows the hotkeys
 *   items:                      required, at least one
 *     - key: W                  one character (case does not matter) or a key name (enter, f1 …)
 *       text: Who's online      what the list shows
 *       gosub: online           exactly one action: goto, gosub, back, logoff, show, page, door
 *       level: 20               optional minimum security level
 *       sysop: true             optional: sysops only
 *
 * Every problem names the file, the line and the key, and validation goes on after the
 * first one so a sysop fixes a file in one pass.
 */

export const DEFAULT_PROMPT = '|08[|15{handle}|08] |07Command: ';
export const PROMPT_FIELDS = ['handle', 'board', 'node', 'title', 'time'] as const;
/** `sysop: true` items are for callers at this level or above. */
export const SYSOP_LEVEL: number = LEVELS.sysop;

const TOP_KEYS = ['title', 'art', 'prompt', 'list', 'items'] as const;
const ITEM_KEYS = ['key', 'text', 'level', 'sysop'] as const;
/** Keys a menu item can answer besides printable characters: what Session.readKey returns. */
const KEY_NAMES = new Set([
  'enter', 'escape', 'tab', 'backspace', 'up', 'down', 'left', 'right', 'home', 'end', 'pageup', 'pagedown',
  'insert', 'delete', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9', 'f10', 'f11', 'f12',
]);
/** A screen holds a few dozen choices; hundreds would be a generated file gone wrong. */
export const MAX_ITEMS = 100;
const MAX_TITLE = 60;
const MAX_TEXT = 78;
const MAX_PROMPT = 200;

type Path = readonly (string | number)[];

export function pathKey(path: Path): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out || '(top)';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The caller-facing form of a hotkey: 'w' for W, 'enter' for Enter, ' ' for space. */
export function keyMatch(key: string): string | undefined {
  const lower = key.toLowerCase();
  if (lower === 'space') return ' ';
  if (KEY_NAMES.has(lower)) return lower;
  if (key === ' ') return ' ';
  // One visible character: controls, format characters and other spaces cannot be typed as a hotkey.
  if ([...key].length === 1 && !/[\p{Cc}\p{Cf}\p{Z}]/u.test(key)) return lower;
  return undefined;
}

/** A refused menu keeps what did validate (`partial`), so its targets are checked in the same run. */
export type Validation = { ok: true; menu: Menu } | { ok: false; problems: MenuProblem[]; partial?: Menu };

export function validateMenu(doc: MenuDocument, file: string, name: string): Validation {
  const problems: MenuProblem[] = [];
  const problem = (path: Path, message: string): void => {
    problems.push({ file, line: doc.lineOf(path), key: pathKey(path), message });
  };
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => ({ file, line: e.line, key: '(syntax)', message: e.message })) };
  }
  const v = doc.value;
  if (!isObject(v)) {
    problem([], 'a menu is a mapping with title and items');
    return { ok: false, problems };
  }
  for (const k of Object.keys(v)) {
    if (!(TOP_KEYS as readonly string[]).includes(k)) problem([k], `unknown key; a menu has ${TOP_KEYS.join(', ')}`);
  }

  const title = v['title'];
  if (typeof title !== 'string' || title.trim() === '' || title.length > MAX_TITLE) {
    problem(title === undefined ? [] : ['title'], `title is required: text of 1-${MAX_TITLE} characters`);
  }
  let art: Menu['art'];
  if (v['art'] !== undefined) {
    const parsed = parseArt(v['art']);
    if (typeof parsed === 'string') problem(['art'], parsed);
    else art = parsed;
  }
  let prompt = DEFAULT_PROMPT;
  if (v['prompt'] !== undefined) {
    const p = v['prompt'];
    if (typeof p !== 'string' || p.length > MAX_PROMPT) problem(['prompt'], `must be text of at most ${MAX_PROMPT} characters`);
    else {
      prompt = p;
      for (const m of p.matchAll(/\{([^{}]*)\}/g)) {
        if (!(PROMPT_FIELDS as readonly string[]).includes(m[1]!)) {
          problem(['prompt'], `unknown field {${m[1]}}; fields are ${PROMPT_FIELDS.map((f) => `{${f}}`).join(' ')}`);
        }
      }
    }
  }
  let list = true;
  if (v['list'] !== undefined) {
    if (typeof v['list'] !== 'boolean') problem(['list'], 'must be true or false');
    else list = v['list'];
  }

  const items: MenuItem[] = [];
  const rawItems = v['items'];
  if (!Array.isArray(rawItems) || rawItems.length === 0) {
    problem(rawItems === undefined ? [] : ['items'], 'items is required: a list of at least one item');
  } else if (rawItems.length > MAX_ITEMS) {
    problem(['items'], `at most ${MAX_ITEMS} items (got ${rawItems.length})`);
  } else {
    const seen = new Map<string, number>();
    rawItems.forEach((raw, i) => {
      const item = validateItem(raw, ['items', i], problem, doc);
      if (!item) return;
      const first = seen.get(item.match);
      if (first !== undefined) {
        problem(['items', i, 'key'], `duplicate hotkey ${JSON.stringify(item.key)}: items[${first}] already uses it`);
        return;
      }
      seen.set(item.match, i);
      items.push(item);
    });
  }

  const menu: Menu = { name, file, title: typeof title === 'string' ? title : name, art, artLine: doc.lineOf(['art']), prompt, list, items };
  if (problems.length > 0) return { ok: false, problems, partial: menu };
  return { ok: true, menu };
}

function validateItem(
  raw: unknown,
  path: Path,
  problem: (path: Path, message: string) => void,
  doc: MenuDocument,
): MenuItem | undefined {
  if (!isObject(raw)) {
    problem(path, `an item is a mapping with key, text and one action (${ACTION_NAMES.join(', ')})`);
    return undefined;
  }
  let ok = true;
  const fail = (sub: Path, message: string): void => {
    ok = false;
    problem([...path, ...sub], message);
  };
  const actions: string[] = [];
  for (const k of Object.keys(raw)) {
    if (isActionName(k)) actions.push(k);
    else if (!(ITEM_KEYS as readonly string[]).includes(k)) {
      fail([k], `unknown key; an item has ${ITEM_KEYS.join(', ')} and one action: ${ACTION_NAMES.join(', ')}`);
    }
  }
  const key = raw['key'];
  const match = typeof key === 'string' ? keyMatch(key) : undefined;
  if (match === undefined) {
    fail(key === undefined ? [] : ['key'], 'key is required: one character, or a key name such as enter, escape or f1');
  }
  const text = raw['text'];
  if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_TEXT) {
    fail(text === undefined ? [] : ['text'], `text is required: 1-${MAX_TEXT} characters`);
  }
  const access: MenuAccess = { level: MIN_LEVEL, sysop: false };
  if (raw['level'] !== undefined) {
    const level = raw['level'];
    if (typeof level !== 'number' || !Number.isInteger(level) || level < MIN_LEVEL || level > MAX_LEVEL) {
      fail(['level'], `must be a whole number from ${MIN_LEVEL} to ${MAX_LEVEL}`);
    } else access.level = level;
  }
  if (raw['sysop'] !== undefined) {
    if (typeof raw['sysop'] !== 'boolean') fail(['sysop'], 'must be true or false');
    else access.sysop = raw['sysop'];
  }
  let action: MenuAction | undefined;
  if (actions.length === 0) fail([], `no action: give one of ${ACTION_NAMES.join(', ')}`);
  else if (actions.length > 1) fail([actions[1]!], `one action per item (this item also has ${actions[0]})`);
  else {
    const kind = actions[0] as MenuAction['kind'];
    const parsed = actionDefinition(kind).parse(raw[kind]);
    if (typeof parsed === 'string') fail([kind], `${parsed} (${actionDefinition(kind).usage})`);
    else action = parsed;
  }
  if (!ok || !action || match === undefined) return undefined;
  return { key: key as string, match, text: text as string, access, action, line: doc.lineOf(path), actionLine: doc.lineOf([...path, action.kind]) };
}

/** May this caller use the item? Anonymous callers have level 0 and are never sysops. */
export function mayUse(access: MenuAccess, user: { level: number } | undefined): boolean {
  const level = user?.level ?? MIN_LEVEL;
  if (access.sysop && level < SYSOP_LEVEL) return false;
  return level >= access.level;
}
