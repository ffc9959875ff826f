import { isPlainTerminal } from '@carrier/core';
import { charWidth, pipeLiteral, stripPipeCodes } from '@carrier/terminal';
import { readKeyDrawingAgain } from '../draw-again.js';
import { printPrompt, printWords } from '../prompt-fit.js';
import type { Session } from '../session-api.js';
import { actionDefinition, type ActionOutcome } from './actions.js';
import type { MenuLibrary } from './library.js';
import { mayUse } from './schema.js';
import type { Menu, MenuItem } from './types.js';

/** Keys that redraw the whole menu instead of counting as an unknown command. */
const REDRAW_KEYS = new Set(['enter', '?', ' ']);
/** Escape leaves a submenu as its back item (Q) does, unless the menu gives Escape an item of its own. */
const ESCAPE = 'escape';
/** More columns of items than this is hard to scan, however wide the screen. */
const MAX_LIST_COLUMNS = 3;

export interface MenuRunnerDeps {
  library: MenuLibrary;
  scriptExists(name: string): Promise<boolean>;
}

/**
 * The one generic menu runner: art, the items this caller may use, the prompt, a key,
 * the item's action; again. The menu is fetched from the library on every pass, so an
 * edit is seen the next time the menu is drawn. Runs as a frame of the script stack
 * (`menu:<name>`), so goto, gosub, back, depth limits and loop detection are the
 * stack's own.
 */
export async function runMenu(s: Session, name: string, deps: MenuRunnerDeps): Promise<unknown> {
  let redraw = true;
  let lastPick = 0;
  for (;;) {
    const menu = await deps.library.get(name);
    const items = menu.items.filter((item) => mayUse(item.access, s.user));
    if (items.length > 0 && (await wantsLightbar(s))) {
      // The caller chose lightbar menus (U, user settings): the same items, picked with the arrows.
      s.setActivity(menu.title);
      await drawMenu(s, menu, [], false);
      const index = await s.lightbar(
        items.map((i) => ({ text: `|15${hotkeyLabel(i.key)}|07  ${i.text}`, ...([...i.match].length === 1 && i.match !== ' ' ? { key: i.match } : {}) })),
        // Drawn again whole for a sysop's spy: the menu's art or title, then the bar.
        { start: Math.min(lastPick, items.length - 1), drawAbove: (stillShown) => drawMenu(s, menu, [], false, stillShown).catch((err: unknown) => redrawFailed(s, err)) },
      );
      const item = index === undefined ? items.find((i) => i.match === 'escape') : items[index];
      if (index !== undefined) lastPick = index;
      // Escape goes back, as in a submenu; at the bottom of the stack it draws the menu again.
      if (!item && s.scripts.length > 1) return undefined;
      const outcome = item ? await runItem(s, menu, item, deps) : { exit: false as const };
      if (outcome.exit) return outcome.value;
      continue;
    }
    if (redraw) {
      s.setActivity(menu.title);
      await drawMenu(s, menu, items);
    }
    printPrompt(s, promptText(menu, s));
    const key = await readKeyDrawingAgain(
      (painter) => s.social.drawsAgain(painter),
      () => s.readKey(),
      async (stillShown) => {
        await drawMenu(s, menu, items, menu.list, stillShown);
        if (stillShown()) printPrompt(s, promptText(menu, s));
      },
      (err) => redrawFailed(s, err),
    );
    const match = key.length === 1 ? key.toLowerCase() : key;
    const item = items.find((i) => i.match === match) ?? (key === ESCAPE ? items.find((i) => i.action.kind === 'back') : undefined);
    s.println(key.length === 1 && key !== ' ' ? pipeLiteral(key.toUpperCase()) : '');
    if (!item && key === ESCAPE) {
      // A submenu without a back item still returns to what ran it; at the bottom of the
      // stack (the main menu) Escape is not a mistake worth a message.
      if (s.scripts.length > 1) return undefined;
      continue;
    }
    if (!item) {
      redraw = REDRAW_KEYS.has(key);
      if (!redraw) printWords(s, '|08Unknown command. Press a highlighted key.|07');
      continue;
    }
    const outcome = await runItem(s, menu, item, deps);
    if (outcome.exit) return outcome.value;
    redraw = true;
  }
}

async function runItem(s: Session, menu: Menu, item: MenuItem, deps: MenuRunnerDeps): Promise<ActionOutcome> {
  // The items on screen were chosen by the level at the last draw; a sysop may have
  // changed it since (`carrier user set-level`, the console), so the choice is checked
  // against the account as it is now.
  if (s.user) {
    // With the database not answering, the level read at the last good look stands: what
    // works without the database (who's online, chat) keeps working for a caller already on.
    const now = await s.refreshUser().catch(() => s.user);
    if (!now) {
      // Deleted while logged in (`carrier user delete` works on the store directly).
      printWords(s, '|12This account has been deleted. Goodbye.|07');
      return s.hangup('account deleted');
    }
    if (!mayUse(item.access, now)) {
      printWords(s, '|12That is no longer open to you.|07');
      return { exit: false };
    }
  }
  return actionDefinition(item.action.kind).run(item.action, {
    session: s,
    menu,
    readPage: (file) => deps.library.readPage(file),
    scriptExists: deps.scriptExists,
  });
}

/** The caller's menu style (users.settings); hotkeys when not logged in or the store cannot say. */
async function wantsLightbar(s: Session): Promise<boolean> {
  // A terminal without cursor control (TERM=dumb) cannot show one: the hotkey menu it is.
  if (!s.user || isPlainTerminal(s.terminal.type)) return false;
  try {
    return (await s.store.users.settings(s.user.id)).menuStyle === 'lightbar';
  } catch {
    return false;
  }
}

function redrawFailed(s: Session, err: unknown): void {
  if (!s.closed) s.log.warn('menu.redraw_failed', { err });
}

/**
 * The menu from a blank screen. `again` (drawn once more for a spy, while it says the menu
 * is still what the caller sees) skips the modem speed: the caller has seen it drawn.
 */
async function drawMenu(s: Session, menu: Menu, items: readonly MenuItem[], list = menu.list, again?: () => boolean): Promise<void> {
  if (menu.art) {
    await s.art(menu.art.name, { fallback: `|15${menu.title}|07`, ...(again ? { drawIf: again } : menu.art.baud !== undefined ? { baud: menu.art.baud } : {}) });
    if (again && !again()) return;
  } else {
    s.clear();
    s.println(`|15${menu.title}|07\n`);
  }
  if (list) s.print(itemList(items, s.terminal.cols));
}

/** `[W] Who's online` cells in as many columns as fit, in file order, row by row. */
export function itemList(items: readonly MenuItem[], cols: number): string {
  if (items.length === 0) return '';
  const cells = items.map((i) => ({ text: `|08[|15${hotkeyLabel(i.key)}|08] |07${i.text}`, width: visibleWidth(`[${hotkeyLabel(i.key)}] ${i.text}`) }));
  const cellWidth = Math.max(...cells.map((c) => c.width)) + 3;
  // Never the last column: ANSI-BBS terminals wrap the moment it is written.
  const perRow = Math.max(1, Math.min(MAX_LIST_COLUMNS, Math.floor((cols - 1) / cellWidth)));
  let out = '';
  for (let i = 0; i < cells.length; i += perRow) {
    const row = cells.slice(i, i + perRow);
    out += ` ${row.map((c, j) => (j < row.length - 1 ? c.text + ' '.repeat(cellWidth - c.width) : c.text)).join('')}\n`;
  }
  return `${out}\n`;
}

function hotkeyLabel(key: string): string {
  return [...key].length === 1 ? pipeLiteral(key.toUpperCase()) : key[0]!.toUpperCase() + key.slice(1).toLowerCase();
}

function visibleWidth(text: string): number {
  let w = 0;
  for (const ch of stripPipeCodes(text)) w += charWidth(ch);
  return w;
}

export function promptText(menu: Menu, s: Pick<Session, 'user' | 'board' | 'node'>): string {
  const now = new Date();
  const fields: Record<string, string> = {
    // A handle is letters, digits and a little punctuation, but a pipe would start a colour code.
    handle: pipeLiteral(s.user?.handle ?? 'guest'),
    board: s.board.name,
    node: String(s.node),
    title: menu.title,
    time: `${String(now.getHours()).padStart(2, '0')}:${String(now.getMinutes()).padStart(2, '0')}`,
  };
  return menu.prompt.replace(/\{([a-z]+)\}/g, (whole, field: string) => fields[field] ?? whole);
}
