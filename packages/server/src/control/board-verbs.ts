import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { client, parseCidr, type Logger } from '@carrier/core';
import { boardMenuRefs, checkMenus, checkScripts, type Board, type BreakInChat, type Bus, type PresenceEntry, type SpyRelay } from '@carrier/engine';
import type { Store } from '@carrier/store';
import type { BanInfo, NodeInfo, Verb } from '@carrier/sysop/protocol';
import { checkArtFile } from '@carrier/terminal';
import { isClusterWorker } from '../cluster-role.js';
import type { CarrierConfig } from '../config-schema.js';
import { parseDuration } from '../duration.js';
import { parseMenuYaml } from '../menu-yaml.js';
import type { BanList } from '../security/ban-list.js';
import { VerbError, type ControlPeer, type VerbHandler } from './control-server.js';
import type { LogTap } from './log-tap.js';
import { todayCounts } from './stats.js';
import * as users from './user-admin.js';

/** How the sysop is named to callers and in the trail. */
export const SYSOP_NAME = 'Sysop';
const BY = 'sysop (control)';
/**
 * What the sysop sends a caller is shown on one row: line breaks and tabs (a notice pasted
 * or read from a file) become spaces, which a notice row would otherwise drop, gluing words.
 */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A message's or broadcast's text as one line; blanks alone are no notice. */
function shownText(text: string): string {
  const line = oneLine(text);
  if (line === '') throw new VerbError('bad_args', 'text has nothing to show');
  return line;
}

/** The longest a shutdown may be put off. */
const MAX_SHUTDOWN_DELAY_MS = 24 * 3_600_000;

export interface BoardVerbDeps {
  cfg: CarrierConfig;
  board: Board;
  bus: Bus;
  store: Store;
  bans: BanList;
  spy: SpyRelay;
  /** the sysop's break-in chat on a caller's screen (any process) */
  chat: BreakInChat;
  logTap: LogTap;
  log: Logger;
  /** End the board cleanly (the same path as SIGTERM). */
  stop(reason: string): void;
}

export function nodeInfo(e: PresenceEntry, now = Date.now()): NodeInfo {
  return {
    node: e.node,
    handle: e.handle,
    protocol: e.protocol,
    activity: e.activity,
    idle: Math.max(0, Math.round((now - e.lastInputAt) / 1000)),
    online: Math.max(0, Math.round((now - e.connectedAt) / 1000)),
    from: e.remoteAddress,
    terminal: { ...e.terminal },
    processId: e.processId,
  };
}

/**
 * The verbs, against this board. Actions on a caller go over the bus topics the social
 * layer already uses for the who's-online sysop keys (session.disconnect,
 * session.message, broadcast), so they reach the caller on whichever process holds it.
 */
export function boardVerbs(deps: BoardVerbDeps): { handler: VerbHandler; close(): void } {
  const { bus, store, bans, spy, chat, logTap, log } = deps;
  let shutdownTimer: NodeJS.Timeout | undefined;
  const warnTimers: NodeJS.Timeout[] = [];
  // A shutdown stops the board, every process of it: the one asked tells the others over
  // the bus (its broadcast has told all their callers), and each stops when its delay is up.
  const shutdownFrom = randomUUID();
  const stopIn = (delay: number): void => {
    if (shutdownTimer) clearTimeout(shutdownTimer);
    shutdownTimer = setTimeout(() => deps.stop('shutdown by the sysop'), Math.max(delay, 200));
  };
  const offShutdown = bus.subscribe('board.shutdown', ({ inMs, from }) => {
    if (from === shutdownFrom) return;
    const delay = Math.min(Math.max(0, Number(inMs) || 0), MAX_SHUTDOWN_DELAY_MS);
    log.warn('control.shutdown_heard', { inMs: delay });
    stopIn(delay);
  });

  /** The caller on `node`; with `handle`, only if that is who is on it (the number may have gone to someone else since the sysop looked). */
  const onNode = async (node: number, handle?: string): Promise<PresenceEntry> => {
    const e = (await bus.presence.snapshot()).find((p) => p.node === node);
    if (!e) throw new VerbError('not_found', `nobody is on node ${node}`);
    if (handle !== undefined && e.handle?.toLowerCase() !== handle.toLowerCase()) throw new VerbError('not_found', `node ${node} is not ${handle} now`);
    return e;
  };
  const kickHandle = async (handle: string, reason: string): Promise<number> => {
    const key = handle.toLowerCase();
    const on = (await bus.presence.snapshot()).filter((p) => p.handle?.toLowerCase() === key);
    for (const e of on) bus.publish('session.disconnect', { sessionId: e.sessionId, reason, by: BY });
    return on.length;
  };
  const userOp = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      if (err instanceof users.UserAdminError) throw new VerbError(err.code, err.message);
      throw err;
    }
  };
  // The account's sessions, on whichever process holds them, read it again (its new level
  // counts from the next screen); `told` is a change of flags or location, which the caller
  // is told of (only a real change: the same flags set again tell nothing).
  const changed = <T extends { id: number }>(u: T, a: Record<string, unknown>, told: { flags?: string; location?: string | null } = {}): T => {
    const by = byOf(a).self;
    bus.publish('user.changed', { userId: u.id, ...(by === undefined ? {} : { by }), ...told });
    return u;
  };
  // Spies and log follows per control client, stopped when it goes.
  const spies = new Map<ControlPeer, Map<number, () => void>>();
  const follows = new Map<ControlPeer, () => void>();
  const spiesOf = (peer: ControlPeer): Map<number, () => void> => {
    let m = spies.get(peer);
    if (!m) {
      spies.set(peer, (m = new Map()));
      peer.onClose(() => {
        for (const stop of m!.values()) stop();
        spies.delete(peer);
      });
    }
    return m;
  };

  // Break-in chats per control client (node -> chat), closed when it goes.
  const chats = new Map<ControlPeer, Map<number, { chatId: string; sessionId: string }>>();
  const chatsOf = (peer: ControlPeer): Map<number, { chatId: string; sessionId: string }> => {
    let m = chats.get(peer);
    if (!m) {
      chats.set(peer, (m = new Map()));
      peer.onClose(() => {
        for (const c of m!.values()) chat.forget(c.chatId, c.sessionId);
        chats.delete(peer);
      });
    }
    return m;
  };

  const handler: VerbHandler = async (verb: Verb, a: Record<string, unknown>, peer, requestId) => {
    const str = (k: string): string => a[k] as string;
    const num = (k: string): number => a[k] as number;
    switch (verb) {
      case 'ping':
        return 'pong';
      case 'who': {
        const now = Date.now();
        return (await bus.presence.snapshot()).map((e) => nodeInfo(e, now)).sort((x, y) => x.node - y.node);
      }
      case 'stats':
        return { today: await todayCounts(store) };
      case 'kick': {
        const e = await onNode(num('node'), a['handle'] as string | undefined);
        bus.publish('session.disconnect', { sessionId: e.sessionId, reason: oneLine((a['reason'] as string | undefined) ?? ''), by: BY });
        log.info('control.kick', { node: e.node, handle: e.handle === null ? null : client(e.handle) });
        return { node: e.node, handle: e.handle };
      }
      case 'message': {
        const text = shownText(str('text'));
        const e = await onNode(num('node'), a['handle'] as string | undefined);
        bus.publish('session.message', { sessionId: e.sessionId, from: SYSOP_NAME, text });
        return { node: e.node, handle: e.handle };
      }
      case 'broadcast':
        bus.publish('broadcast', { from: SYSOP_NAME, text: shownText(str('text')), at: Date.now() });
        return { sent: true };
      case 'bans': {
        const list: BanInfo[] = (await store.bans.active(Date.now(), 500)).map((b) => ({ target: b.target, source: b.source, reason: b.reason, expiresAt: b.expiresAt }));
        return list;
      }
      case 'ban': {
        if (!parseCidr(str('target'))) throw new VerbError('bad_args', 'target must be an IP address or CIDR range');
        const forText = a['for'] as string | undefined;
        const forMs = forText === undefined ? null : (parseDuration(forText) ?? 0);
        if (forMs === 0) throw new VerbError('bad_args', 'for must be a duration such as 30m, 24h or 7d');
        // Answered once the ban is in force in this process (BanList.ban): the console says
        // so then. The board's other processes are told over the bus and read it from the
        // store at once (ban-notices.ts), or at their next poll (security.banRefresh) if the bus is down.
        const ban = await bans.ban({ target: str('target'), reason: (a['reason'] as string | undefined) ?? 'banned by the sysop', source: 'sysop', forMs, by: BY });
        if (!ban) throw new VerbError('bad_args', `${str('target')} is in security.allowlist and is never banned`);
        return { target: ban.target, expiresAt: ban.expiresAt };
      }
      case 'unban': {
        if (!parseCidr(str('target'))) throw new VerbError('bad_args', 'target must be an IP address or CIDR range');
        if (!(await bans.unban(str('target'), BY))) throw new VerbError('not_found', `${str('target')} is not banned`);
        return { target: str('target') };
      }
      case 'spy': {
        const e = await onNode(num('node'));
        const mine = spiesOf(peer);
        mine.get(e.node)?.();
        let stop: () => void = () => undefined;
        let done = false;
        const end = (reason: string): void => {
          if (done) return;
          done = true;
          mine.delete(e.node);
          peer.event(requestId, 'end', { node: e.node, reason });
        };
        stop = spy.watch(e.sessionId, {
          data: (c) => {
            if (!peer.event(requestId, 'data', { node: e.node, ...c })) {
              stop();
              end('the console is not reading fast enough');
            }
          },
          end,
        });
        mine.set(e.node, () => {
          stop();
          end('stopped');
        });
        return { node: e.node, handle: e.handle, stream: requestId, ...e.terminal };
      }
      case 'unspy': {
        const stop = spies.get(peer)?.get(num('node'));
        if (!stop) throw new VerbError('not_found', `not spying on node ${num('node')}`);
        stop();
        return { node: num('node') };
      }
      case 'chat': {
        // open: the caller's screen becomes a line chat (a stream of `chat` events: opened,
        // line (what the caller typed), ended); say: a line to the caller; close: end it.
        const e = await onNode(num('node'));
        const action = str('action');
        const mine = chatsOf(peer);
        const held = mine.get(e.node);
        if (action === 'open') {
          if (held) throw new VerbError('busy', `already in a chat with node ${e.node}`);
          const answered = new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new VerbError('not_found', `node ${e.node} did not answer`)), 10_000);
            const ref = { chatId: '', sessionId: e.sessionId };
            ref.chatId = chat.open(
              e.sessionId,
              {
                event: (ev) => {
                  if (ev.kind === 'opened' || ev.kind === 'refused') clearTimeout(timer);
                  if (ev.kind === 'refused') {
                    mine.delete(e.node);
                    return reject(new VerbError('busy', `node ${e.node}: ${ev.text ?? 'refused'}`));
                  }
                  if (ev.kind === 'opened') resolve();
                  if (ev.kind === 'ended' && mine.get(e.node)?.chatId === ref.chatId) {
                    mine.delete(e.node);
                    log.info('control.chat', { node: e.node, action: 'ended', by: ev.text });
                  }
                  if (ev.kind === 'opened') return;
                  if (!peer.event(requestId, 'chat', { node: e.node, kind: ev.kind, ...(ev.text !== undefined ? { text: ev.text } : {}) }) && ev.kind !== 'ended') {
                    chat.forget(ref.chatId, ref.sessionId);
                  }
                  if (ev.kind === 'ended') peer.event(requestId, 'end', { node: e.node, reason: `chat ended by ${ev.text ?? 'sysop'}` });
                },
              },
              { from: SYSOP_NAME, ...(typeof a['text'] === 'string' ? { text: str('text') } : {}) },
            );
            mine.set(e.node, ref);
          });
          await answered;
          log.info('control.chat', { node: e.node, action });
          return { node: e.node, handle: e.handle, stream: requestId };
        }
        if (!held) throw new VerbError('not_found', `not in a chat with node ${e.node}: open one first`);
        if (action === 'close') {
          chat.close(held.chatId, held.sessionId);
          log.info('control.chat', { node: e.node, action });
          return { node: e.node, handle: e.handle };
        }
        const text = a['text'] as string | undefined;
        if (!text) throw new VerbError('bad_args', 'chat say needs text');
        chat.say(held.chatId, held.sessionId, text);
        return { node: e.node, handle: e.handle };
      }
      case 'log': {
        const filter = { node: a['node'] as number | undefined, all: a['all'] as boolean | undefined };
        const tail = logTap.tail(filter).slice(-100);
        if (a['follow']) {
          follows.get(peer)?.();
          const off = logTap.follow((line) => {
            const { event: logEvent, ...rest } = line;
            if (!peer.event(requestId, 'line', { ...rest, logEvent })) off();
          }, filter);
          follows.set(peer, off);
          peer.onClose(() => {
            off();
            follows.delete(peer);
          });
        }
        return { lines: tail, stream: a['follow'] ? requestId : null };
      }
      case 'unlog':
        follows.get(peer)?.();
        follows.delete(peer);
        return null;
      case 'user.list':
        return userOp(() => users.listUsers(store, (a['search'] as string | undefined) ?? '', (a['limit'] as number | undefined) ?? 100));
      case 'user.show':
        return userOp(() => users.showUser(store, str('handle')));
      case 'user.add':
        return userOp(() => users.addUser(store, str('handle'), str('password'), { sysop: a['sysop'] === true, sysopName: deps.cfg.board.sysop }));
      case 'user.key-add':
        return userOp(() => users.addKey(store, str('handle'), str('publicKey')));
      case 'user.key-remove':
        return userOp(() => users.removeKey(store, str('handle'), str('key')));
      case 'user.set-level':
        return changed(await userOp(() => users.setLevel(store, str('handle'), num('level'), byOf(a))), a);
      case 'user.lock': {
        const u = await userOp(() => users.setLocked(store, str('handle'), true, byOf(a)));
        const kicked = await kickHandle(u.handle, 'account locked');
        return { ...u, kicked };
      }
      case 'user.unlock':
        return userOp(() => users.setLocked(store, str('handle'), false));
      case 'user.reset-password':
        return userOp(() => users.resetPassword(store, str('handle'), a['password'] as string | undefined));
      case 'user.delete': {
        const r = await userOp(() => users.deleteUser(store, str('handle'), deps.board.files, byOf(a)));
        const kicked = await kickHandle(r.handle, 'account deleted');
        return { ...r, kicked };
      }
      case 'user.set-notes':
        return userOp(() => users.setNotes(store, str('handle'), str('notes')));
      case 'user.set-location': {
        const was = await userOp(() => users.findUser(store, str('handle')));
        const u = await userOp(() => users.setLocation(store, str('handle'), str('location')));
        return changed(u, a, u.location === was.location ? {} : { location: u.location });
      }
      case 'user.set-flags': {
        const was = await userOp(() => users.findUser(store, str('handle')));
        const u = await userOp(() => users.setFlags(store, str('handle'), str('flags')));
        return changed(u, a, u.flags === was.flags ? {} : { flags: u.flags });
      }
      case 'reload':
        return reload(deps, (a['what'] as string | undefined) ?? 'all');
      case 'shutdown': {
        const delay = a['in'] === undefined ? 0 : parseDuration(a['in']);
        if (delay === undefined || delay > MAX_SHUTDOWN_DELAY_MS) throw new VerbError('bad_args', 'in must be a duration up to 24h, such as 5m');
        const extra = oneLine((a['message'] as string | undefined) ?? '');
        for (const t of warnTimers.splice(0)) clearTimeout(t);
        const warn = (left: number): void =>
          bus.publish('broadcast', { from: SYSOP_NAME, text: `The board goes down ${left > 0 ? `in ${humanDuration(left)}` : 'now'}.${extra ? ` ${extra}` : ''}`, at: Date.now() });
        warn(delay);
        for (const before of [60_000, 10_000]) {
          if (delay > before * 2) warnTimers.push(setTimeout(() => warn(before), delay - before));
        }
        const at = Date.now() + delay;
        log.warn('control.shutdown', { inMs: delay, message: client(extra) });
        // After the reply is on its way: the board ends the way SIGTERM ends it.
        stopIn(delay);
        bus.publish('board.shutdown', { inMs: delay, from: shutdownFrom });
        // The process whose exit is the end of the board (a worker's stop goes to its primary):
        // `carrier shutdown` on the same host waits for it.
        return { at, pid: isClusterWorker() ? process.ppid : process.pid };
      }
      case 'auth':
        return 'ok';
    }
  };
  return {
    handler,
    close() {
      offShutdown();
      if (shutdownTimer) clearTimeout(shutdownTimer);
      for (const t of warnTimers.splice(0)) clearTimeout(t);
      for (const m of spies.values()) for (const stop of m.values()) stop();
      for (const off of follows.values()) off();
    },
  };
}

/** The console on the board names the sysop's own account (`by`); other clients act as the host's admin. */
function byOf(a: Record<string, unknown>): users.ChangeBy {
  return { self: a['by'] as string | undefined };
}

function humanDuration(ms: number): string {
  if (ms >= 3_600_000) return `${Math.round(ms / 3_600_000)} h`;
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.max(1, Math.round(ms / 1000))} s`;
}

/**
 * Scripts, menus and art are read again when their files change, so a reload checks
 * them (what a sysop wants to know before callers find out) and re-reads the ban list.
 */
async function reload(deps: BoardVerbDeps, what: string): Promise<{ checked: string[]; problems: string[] }> {
  const cfg = deps.cfg;
  const checked: string[] = [];
  const problems: string[] = [];
  const fmt = (p: { file: string; line?: number | undefined; key?: string | undefined; message: string }): string =>
    `${p.file}${p.line ? `:${p.line}` : ''}: ${p.key ? `${p.key}: ` : ''}${p.message}`;
  if (what === 'all' || what === 'scripts') {
    problems.push(...(await checkScripts(cfg.paths.scripts)).map(fmt));
    checked.push('scripts');
  }
  if (what === 'all' || what === 'menus') {
    const refs = boardMenuRefs((name) => join(cfg.paths.scripts, `${name}.ts`), cfg.paths.art);
    problems.push(...(await checkMenus({ dir: cfg.paths.menus, parse: parseMenuYaml, refs })).map(fmt));
    checked.push('menus');
  }
  if (what === 'all' || what === 'art') {
    let files: string[] = [];
    try {
      files = readdirSync(cfg.paths.art).filter((n) => /\.(ans|asc|txt)$/i.test(n));
    } catch {
      /* no art folder */
    }
    for (const f of files) {
      const problem = await checkArtFile(join(cfg.paths.art, f));
      if (problem) problems.push(`${join(cfg.paths.art, f)}: ${problem}`);
    }
    checked.push('art');
  }
  if (what === 'all' || what === 'areas') checked.push('areas');
  if (what === 'all' || what === 'bans') {
    await deps.bans.refresh();
    checked.push('bans');
  }
  deps.log.info('control.reload', { what, problems: problems.length });
  return { checked, problems: problems.slice(0, 100) };
}
