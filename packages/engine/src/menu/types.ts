/**
 * What a menu is once its file has been read and validated. Menus are data; what an
 * item does is one of the actions in the registry (actions.ts), named by a key of the
 * item (`gosub: online`), so an unknown action is an unknown key, refused at load time.
 */

/** A menu file as parsed, before validation: the data, and where each part of it is. */
export interface MenuDocument {
  /** plain objects, arrays and scalars; undefined when the text does not parse */
  readonly value: unknown;
  /** syntax errors, lines 1-based */
  readonly errors: readonly { line?: number | undefined; message: string }[];
  /** the line (1-based) of the key or list entry at `path`, else of the nearest enclosing one */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/**
 * Text -> MenuDocument. The server hands the engine a YAML parser; the engine reads no
 * YAML syntax itself and validates whatever structure the parser found.
 */
export type MenuParser = (text: string) => MenuDocument;

/** One thing wrong with a menu, as `carrier check` and the log report it. */
export interface MenuProblem {
  file: string;
  line?: number | undefined;
  /** where in the file, as a path: `items[2].gosub` */
  key: string;
  message: string;
}

/** Who may use an item: a caller passes when their level is at least `level`, and is a sysop when `sysop`. */
export interface MenuAccess {
  level: number;
  sysop: boolean;
}

export interface MenuArt {
  name: string;
  /** emulate a modem of this speed while the art is sent; a key shows the rest at once */
  baud?: number | undefined;
}

/** Where goto and gosub go: a script (`online`) or another menu (`menu:files`). */
export interface MenuTarget {
  type: 'script' | 'menu';
  name: string;
}

export type MenuAction =
  | { kind: 'goto'; target: MenuTarget }
  | { kind: 'gosub'; target: MenuTarget }
  | { kind: 'back' }
  | { kind: 'logoff' }
  | { kind: 'show'; art: MenuArt }
  | { kind: 'page'; file: string }
  | { kind: 'door'; name: string };

export type ActionKind = MenuAction['kind'];

export interface MenuItem {
  /** as written: `W`, `enter` */
  key: string;
  /** what a pressed key is compared with: one character lowercased, or a key name */
  match: string;
  /** pipe codes allowed */
  text: string;
  access: MenuAccess;
  action: MenuAction;
  /** where the item starts in its file */
  line?: number | undefined;
  /** where its action key is, for problems with the target */
  actionLine?: number | undefined;
}

export interface Menu {
  name: string;
  file: string;
  /** shown when there is no art, and in who's online */
  title: string;
  art?: MenuArt | undefined;
  artLine?: number | undefined;
  /** pipe codes and {handle} {board} {node} {title} {time} */
  prompt: string;
  /** print the items the caller may use below the art; false when the art shows them */
  list: boolean;
  items: MenuItem[];
}

/** Something a menu points at that must exist on disk. */
export type MenuRef =
  | { kind: 'script'; name: string }
  | { kind: 'menu'; name: string }
  | { kind: 'art'; name: string }
  | { kind: 'file'; path: string }
  | { kind: 'door'; name: string };

/**
 * Menus run on the script stack under this prefix (`s.gosub('menu:files')`). Script
 * names cannot contain ':', so a menu and a script never share a stack name.
 */
export const MENU_PREFIX = 'menu:';
