import { LEVELS, MAX_LEVEL, MIN_LEVEL } from '@carrier/store';
import type { MenuDocument } from '../menu/types.js';

/**
 * Message areas as the sysop declares them in config/messages.yaml: conferences holding
 * areas, each with who may read and who may post (a minimum level, or `sysop`). The
 * engine validates the parsed document (the server's YAML parser hands it over) and
 * every problem names its key and line. Access is checked here, in one place, on every
 * path that reaches an area (list, read, post, jump by name, search, new-scan).
 */
export interface MessageArea {
  /** lowercase, [a-z0-9_-], unique on the board; messages are stored by it */
  tag: string;
  name: string;
  description: string;
  conference: string;
  /** minimum level to see and read the area */
  read: number;
  /** minimum level to post in it */
  post: number;
}

export interface MessageAreas {
  conferences: Array<{ name: string; areas: MessageArea[] }>;
  /** every area, in file order */
  areas: MessageArea[];
  /** posts (and mails) a user may send per minute */
  postsPerMinute: number;
}

export interface MessageAreasProblem {
  line?: number | undefined;
  key: string;
  message: string;
}

export const DEFAULT_POSTS_PER_MINUTE = 5;
const TAG = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const MAX_AREAS = 500;

/** A fresh board: one conference, `general` for everyone, `announcements` posted by the sysop. */
export const DEFAULT_MESSAGE_AREAS: MessageAreas = (() => {
  const general: MessageArea = {
    tag: 'general',
    name: 'General',
    description: 'Anything on your mind',
    conference: 'Local',
    read: LEVELS.newUser,
    post: LEVELS.newUser,
  };
  const announcements: MessageArea = {
    tag: 'announcements',
    name: 'Announcements',
    description: 'News from the sysop',
    conference: 'Local',
    read: LEVELS.newUser,
    post: LEVELS.sysop,
  };
  return { conferences: [{ name: 'Local', areas: [general, announcements] }], areas: [general, announcements], postsPerMinute: DEFAULT_POSTS_PER_MINUTE };
})();

export function mayRead(area: MessageArea, user: { level: number } | undefined): boolean {
  return user !== undefined && user.level >= area.read;
}

export function mayPost(area: MessageArea, user: { level: number } | undefined): boolean {
  return mayRead(area, user) && user !== undefined && user.level >= area.post;
}

/** The areas this caller may read, in file order. */
export function readableAreas(areas: MessageAreas, user: { level: number } | undefined): MessageArea[] {
  return areas.areas.filter((a) => mayRead(a, user));
}

/** An area by tag or name as typed (case-insensitive), only if the caller may read it. */
export function findArea(areas: MessageAreas, typed: string, user: { level: number } | undefined): MessageArea | undefined {
  const want = typed.trim().toLowerCase();
  if (want === '') return undefined;
  const area = areas.areas.find((a) => a.tag === want) ?? areas.areas.find((a) => a.name.toLowerCase() === want);
  return area && mayRead(area, user) ? area : undefined;
}

const keyOf = (path: readonly (string | number)[]): string =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc === '' ? p : `${acc}.${p}`), '');

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validate a parsed messages.yaml; `areas` is undefined when there is any problem. */
export function validateMessageAreas(doc: MenuDocument): { areas?: MessageAreas; problems: MessageAreasProblem[] } {
  const problems: MessageAreasProblem[] = doc.errors.map((e) => ({ line: e.line, key: '', message: e.message }));
  if (problems.length > 0) return { problems };
  const fail = (path: (string | number)[], message: string): void => {
    problems.push({ line: doc.lineOf(path), key: keyOf(path), message });
  };
  const root = doc.value;
  if (!isRecord(root)) {
    fail([], 'must be a mapping with `conferences`');
    return { problems };
  }
  for (const k of Object.keys(root)) if (k !== 'conferences' && k !== 'postsPerMinute') fail([k], 'unknown key (conferences, postsPerMinute)');
  let postsPerMinute = DEFAULT_POSTS_PER_MINUTE;
  if (root['postsPerMinute'] !== undefined) {
    const n = root['postsPerMinute'];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1000) fail(['postsPerMinute'], 'must be a whole number from 1 to 1000');
    else postsPerMinute = n;
  }
  const confs = root['conferences'];
  const out: MessageAreas = { conferences: [], areas: [], postsPerMinute };
  if (!Array.isArray(confs) || confs.length === 0) {
    fail(['conferences'], 'must be a list of at least one conference');
    return { problems };
  }
  const tags = new Set<string>();
  const level = (value: unknown, path: (string | number)[], fallback: number): number => {
    if (value === undefined) return fallback;
    if (value === 'sysop') return LEVELS.sysop;
    if (typeof value === 'number' && Number.isInteger(value) && value >= MIN_LEVEL && value <= MAX_LEVEL) return value;
    fail(path, `must be a level from ${MIN_LEVEL} to ${MAX_LEVEL}, or sysop`);
    return fallback;
  };
  confs.forEach((conf: unknown, ci) => {
    if (!isRecord(conf)) return fail(['conferences', ci], 'must be a mapping with name and areas');
    for (const k of Object.keys(conf)) if (k !== 'name' && k !== 'areas') fail(['conferences', ci, k], 'unknown key (name, areas)');
    const name = conf['name'];
    if (typeof name !== 'string' || name.trim() === '' || name.length > 40) fail(['conferences', ci, 'name'], 'must be a name of 1-40 characters');
    const list = conf['areas'];
    if (!Array.isArray(list) || list.length === 0) return fail(['conferences', ci, 'areas'], 'must be a list of at least one area');
    const group = { name: String(name ?? ''), areas: [] as MessageArea[] };
    list.forEach((raw: unknown, ai) => {
      const at = ['conferences', ci, 'areas', ai];
      if (!isRecord(raw)) return fail(at, 'must be a mapping with tag, name, description, read, post');
      for (const k of Object.keys(raw)) {
        if (!['tag', 'name', 'description', 'read', 'post'].includes(k)) fail([...at, k], 'unknown key (tag, name, description, read, post)');
      }
      const tag = raw['tag'];
      if (typeof tag !== 'string' || !TAG.test(tag)) return fail([...at, 'tag'], 'must be 1-32 of a-z, 0-9, _ and -, starting with a letter or digit');
      if (tags.has(tag)) return fail([...at, 'tag'], `duplicate area tag "${tag}"`);
      tags.add(tag);
      const areaName = raw['name'] ?? tag;
      if (typeof areaName !== 'string' || areaName.length > 40) fail([...at, 'name'], 'must be text of at most 40 characters');
      const description = raw['description'] ?? '';
      if (typeof description !== 'string' || description.length > 80) fail([...at, 'description'], 'must be text of at most 80 characters');
      const read = level(raw['read'], [...at, 'read'], LEVELS.newUser);
      const post = level(raw['post'], [...at, 'post'], read);
      const area: MessageArea = { tag, name: String(areaName), description: String(description), conference: group.name, read, post: Math.max(post, read) };
      group.areas.push(area);
      out.areas.push(area);
    });
    out.conferences.push(group);
  });
  if (out.areas.length > MAX_AREAS) fail(['conferences'], `at most ${MAX_AREAS} areas`);
  return problems.length > 0 ? { problems } : { areas: out, problems };
}
