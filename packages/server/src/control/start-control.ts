import { join, resolve } from 'node:path';
import type { Logger } from '@carrier/core';
import { BreakInChat, SpyRelay, type Board, type Bus } from '@carrier/engine';
import type { Store } from '@carrier/store';
import { dialControl, registerControlDialer, type ControlEndpoint } from '@carrier/sysop/protocol';
import { isClusterWorker } from '../cluster-role.js';
import type { CarrierConfig } from '../config-schema.js';
import type { BanList } from '../security/ban-list.js';
import { boardVerbs } from './board-verbs.js';
import { ControlServer, ControlSocketTakenError, type ControlAudit, type ControlLimits } from './control-server.js';
import { ControlStandby } from './control-standby.js';
import type { LogTap } from './log-tap.js';

export interface ControlDeps {
  board: Board;
  bus: Bus;
  store: Store;
  bans: BanList;
  audit: ControlAudit;
  logTap: LogTap;
  log: Logger;
  /** End the board cleanly (the same path as SIGTERM). */
  stop(reason: string): void;
  /** in a cluster worker, the primary shares the socket */
  shared?: boolean;
  limits?: Partial<ControlLimits>;
}

export interface RunningControl {
  /** undefined while another node of the board serves the data dir's socket (this node stands by to take it over) */
  readonly server: ControlServer | undefined;
  readonly endpoint: ControlEndpoint;
  close(): Promise<void>;
}

export function controlSocketPath(cfg: CarrierConfig): string {
  return join(resolve(cfg.dataDir), 'control.sock');
}

export function controlTokenPath(cfg: CarrierConfig): string {
  return join(resolve(cfg.dataDir), 'control.token');
}

/**
 * The control channel of a board that is starting; undefined when config turns it off or it
 * cannot listen. A node of a board on a database whose shared data dir's socket another
 * node serves stands by (ControlStandby) and serves the socket should that node stop.
 */
export async function startControl(cfg: CarrierConfig, deps: ControlDeps): Promise<RunningControl | undefined> {
  if (!cfg.control.enabled) return undefined;
  const spy = new SpyRelay(deps.board, deps.bus, deps.log);
  const chat = new BreakInChat(deps.board, deps.bus, deps.log);
  const verbs = boardVerbs({ cfg, board: deps.board, bus: deps.bus, store: deps.store, bans: deps.bans, spy, chat, logTap: deps.logTap, log: deps.log, stop: deps.stop });
  const socketPath = controlSocketPath(cfg);
  const newServer = (): ControlServer =>
    new ControlServer({
      socketPath,
      tcp: cfg.control.tcpPort === 'off' ? undefined : { port: cfg.control.tcpPort, tokenFile: controlTokenPath(cfg) },
      log: deps.log,
      audit: deps.audit,
      handler: verbs.handler,
      limits: { maxClients: cfg.control.maxClients, idleMs: cfg.control.idleTimeout, ...deps.limits },
      shared: deps.shared ?? isClusterWorker(),
    });
  const first = newServer();
  let standby: ControlStandby | undefined;
  try {
    await first.listen();
  } catch (err) {
    await first.close();
    // The board serves callers without its control channel rather than not at all. A node
    // of a board on a database may share its data dir with the other nodes (compose's
    // volume): the node that started first serves the socket, and the board's verbs reach
    // every node through it (the bus). This node keeps its verbs (it hears a shutdown, its
    // callers can be spied on and chatted with) and stands by to serve the socket itself.
    if (!(err instanceof ControlSocketTakenError && cfg.database.url !== '')) {
      deps.log.error('control.listen_failed', { socket: socketPath, err });
      verbs.close();
      spy.close();
      chat.dispose();
      return undefined;
    }
    deps.log.warn('control.socket_taken', { socket: socketPath, by: 'another node of this board', reason: 'the data dir is shared; verbs reach this node through that node, and this node serves the socket should it stop' });
    standby = new ControlStandby({ socketPath, log: deps.log, server: newServer, pingMs: Math.max(1_000, Math.floor(cfg.control.idleTimeout / 2)) });
    standby.start();
  }
  // A sysop on this node opens the console (main menu `!`) through the socket, whichever node serves it.
  const endpoint: ControlEndpoint = { socketPath };
  const unregister = registerControlDialer(deps.board, () => dialControl(endpoint));
  const standing = standby;
  return {
    get server() {
      return standing ? standing.server : first;
    },
    endpoint,
    async close() {
      unregister();
      verbs.close();
      spy.close();
      chat.dispose();
      await (standing ?? first).close();
    },
  };
}
