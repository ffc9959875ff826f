import { MAX_BAUD, MIN_BAUD } from '../baud.js';
import type { Session } from '../session-api.js';
import { runDoor } from '../doors/run-door.js';
import { MENU_PREFIX, type ActionKind, type Menu, type MenuAction, type MenuArt, type MenuRef, type MenuTarget } from './types.js';

/**
 * The registry of menu actions. An item names its action with a key (`gosub: online`);
 * each definition says what the value must be (parse), what it needs on disk (refs)
 * and what it does (run). Adding an action is adding an entry here.
 */

export interface ActionContext {
  session: Session;
  menu: Menu;
  /** the text of a `page` file, read from the menus folder */
  readPage(file: string): Promise<string>;
  scriptExists(name: string): Promise<boolean>;
}

/** What the menu does after an action: draw itself again, or end and give `value` to whoever ran it. */
export type ActionOutcome = { exit: false } | { exit: true; value: unknown };

export interface ActionDefinition<A extends MenuAction = MenuAction> {
  readonly name: A['kind'];
  /** what the value must look like, for error messages */
  readonly usage: string;
  /** the action, or what is wrong with the value */
  parse(value: unknown): A | string;
  refs(action: A): MenuRef[];
  run(action: A, ctx: ActionContext): Promise<ActionOutcome>;
}

/** Menu and script names share the script loader's rule: one path segment, never outside its folder. */
export const NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;
/** Art names are checked against the art folder's rules when the menu loads (findArtFiles). */
const MAX_ART_NAME = 100;
const MAX_PAGE_PATH = 200;
/** A segment starts with a letter, digit or _: never `.`, `..` or a hidden file. */
const PAGE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_. -]*$/;

const STAY: ActionOutcome = { exit: false };

export function stackName(target: MenuTarget): string {
  return target.type === 'menu' ? `${MENU_PREFIX}${target.name}` : target.name;
}

function parseTarget(value: unknown): MenuTarget | string {
  const usage = 'must name a script (online) or a menu (menu:files)';
  if (typeof value !== 'string') return usage;
  const isMenu = value.startsWith(MENU_PREFIX);
  const name = isMenu ? value.slice(MENU_PREFIX.length) : value;
  if (!NAME.test(name)) return `${usage}; ${JSON.stringify(value.slice(0, 80))} is not a name (letters, digits, _ and -)`;
  return { type: isMenu ? 'menu' : 'script', name };
}

function targetRef(target: MenuTarget): MenuRef {
  return target.type === 'menu' ? { kind: 'menu', name: target.name } : { kind: 'script', name: target.name };
}

/** `main` or `{ name: main, baud: 2400 }`. */
export function parseArt(value: unknown): MenuArt | string {
  const usage = 'must be an art name, or { name: <art>, baud: <speed> }';
  if (typeof value === 'string') return value.length > 0 && value.length <= MAX_ART_NAME ? { name: value } : usage;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return usage;
  const o = value as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => k !== 'name' && k !== 'baud');
  if (extra.length > 0) return `${usage}; unknown key ${JSON.stringify(extra[0])}`;
  if (typeof o['name'] !== 'string' || o['name'].length === 0 || o['name'].length > MAX_ART_NAME) return usage;
  const baud = o['baud'];
  if (baud === undefined) return { name: o['name'] };
  if (typeof baud !== 'number' || !Number.isInteger(baud) || baud < MIN_BAUD || baud > MAX_BAUD) {
    return `baud must be a whole number from ${MIN_BAUD} to ${MAX_BAUD} (got ${JSON.stringify(baud)})`;
  }
  return { name: o['name'], baud };
}

const goto: ActionDefinition<Extract<MenuAction, { kind: 'goto' }>> = {
  name: 'goto',
  usage: 'goto: <script> or goto: menu:<menu> (replaces this menu)',
  parse(value) {
    const target = parseTarget(value);
    return typeof target === 'string' ? target : { kind: 'goto', target };
  },
  refs: (a) => [targetRef(a.target)],
  async run(a, { session }) {
    return session.goto(stackName(a.target));
  },
};

const gosub: ActionDefinition<Extract<MenuAction, { kind: 'gosub' }>> = {
  name: 'gosub',
  usage: 'gosub: <script> or gosub: menu:<menu> (comes back here)',
  parse(value) {
    const target = parseTarget(value);
    return typeof target === 'string' ? target : { kind: 'gosub', target };
  },
  refs: (a) => [targetRef(a.target)],
  async run(a, { session }) {
    await session.gosub(stackName(a.target));
    return STAY;
  },
};

const back: ActionDefinition<Extract<MenuAction, { kind: 'back' }>> = {
  name: 'back',
  usage: 'back: true (return to whatever ran this menu)',
  parse: (value) => (value === true ? { kind: 'back' } : 'must be true'),
  refs: () => [],
  async run() {
    return { exit: true, value: undefined };
  },
};

const logoff: ActionDefinition<Extract<MenuAction, { kind: 'logoff' }>> = {
  name: 'logoff',
  usage: 'logoff: true (the logoff script, or a plain hang-up without one)',
  parse: (value) => (value === true ? { kind: 'logoff' } : 'must be true'),
  refs: () => [],
  async run(_a, { session, scriptExists }) {
    if (await scriptExists('logoff')) return session.goto('logoff');
    session.println('\n|07Goodbye.');
    return session.hangup('logoff');
  },
};

const show: ActionDefinition<Extract<MenuAction, { kind: 'show' }>> = {
  name: 'show',
  usage: 'show: <art> or show: { name: <art>, baud: <speed> }',
  parse(value) {
    const art = parseArt(value);
    return typeof art === 'string' ? art : { kind: 'show', art };
  },
  refs: (a) => [{ kind: 'art', name: a.art.name }],
  async run(a, { session }) {
    await session.art(a.art.name, a.art.baud !== undefined ? { baud: a.art.baud } : {});
    await session.pause();
    return STAY;
  },
};

const page: ActionDefinition<Extract<MenuAction, { kind: 'page' }>> = {
  name: 'page',
  usage: 'page: <text file under the menus folder>',
  parse(value) {
    const path = typeof value === 'string' ? value : '';
    // Relative and plain, so a menu can only page what lives under the menus folder.
    if (path === '' || path.length > MAX_PAGE_PATH || !path.split('/').every((seg) => PAGE_SEGMENT.test(seg))) {
      return 'must be a relative path under the menus folder (letters, digits, _ - . and space, folders with /, no ..)';
    }
    return { kind: 'page', file: path };
  },
  refs: (a) => [{ kind: 'file', path: a.file }],
  async run(a, { session, readPage }) {
    const text = await readPage(a.file);
    if (await session.pager(text)) await session.pause();
    return STAY;
  },
};

const door: ActionDefinition<Extract<MenuAction, { kind: 'door' }>> = {
  name: 'door',
  usage: 'door: <name of a door in doors.yaml>',
  parse(value) {
    return typeof value === 'string' && NAME.test(value) ? { kind: 'door', name: value } : 'must name a door (letters, digits, _ and -)';
  },
  refs: (a) => [{ kind: 'door', name: a.name }],
  async run(a, { session }) {
    const outcome = await runDoor(session, a.name);
    // The menu redraws at once: what the door left on the screen, a refusal or a failure must be read first.
    if (outcome !== 'hangup') await session.pause();
    return STAY;
  },
};

type AnyDefinition = ActionDefinition<any>;

const REGISTRY: ReadonlyMap<ActionKind, AnyDefinition> = new Map<ActionKind, AnyDefinition>(
  [goto, gosub, back, logoff, show, page, door].map((d) => [d.name, d]),
);

export const ACTION_NAMES: readonly ActionKind[] = [...REGISTRY.keys()];

export function isActionName(key: string): key is ActionKind {
  return REGISTRY.has(key as ActionKind);
}

export function actionDefinition<K extends ActionKind>(kind: K): ActionDefinition<Extract<MenuAction, { kind: K }>> {
  return REGISTRY.get(kind)! as ActionDefinition<Extract<MenuAction, { kind: K }>>;
}
