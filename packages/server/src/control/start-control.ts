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
  readonly server: ControlServer;
  readonly endpoint: ControlEndpoint;
  close(): Promise<void>;
}

export function controlSocketPath(cfg: CarrierConfig): string {
  return join(resolve(cfg.dataDir), 'control.sock');
}

export function controlTokenPath(cfg: CarrierConfig): string {
  return join(resolve(cfg.dataDir), 'control.token');
}

/** The control channel of a board that is starting; undefined when config turns it off or it cannot listen. */
export async function startControl(cfg: CarrierConfig, deps: ControlDeps): Promise<RunningControl | undefined> {
  if (!cfg.control.enabled) return undefined;
  const spy = new SpyRelay(deps.board, deps.bus, deps.log);
  const chat = new BreakInChat(deps.board, deps.bus, deps.log);
  const verbs = boardVerbs({ cfg, board: deps.board, bus: deps.bus, store: deps.store, bans: deps.bans, spy, chat, logTap: deps.logTap, log: deps.log, stop: deps.stop });
  const socketPath = controlSocketPath(cfg);
  const server = new ControlServer({
    socketPath,
    tcp: cfg.control.tcpPort === 'off' ? undefined : { port: cfg.control.tcpPort, tokenFile: controlTokenPath(cfg) },
    log: deps.log,
    audit: deps.audit,
    handler: verbs.handler,
    limits: { maxClients: cfg.control.maxClients, idleMs: cfg.control.idleTimeout, ...deps.limits },
    shared: deps.shared ?? isClusterWorker(),
  });
  try {
    await server.listen();
  } catch (err) {
    // The board serves callers without its control channel rather than not at all. A node
    // of a board on a database may share its data dir with the other nodes (compose's
    // volume): the node that started first serves the socket, and the board's verbs reach
    // every node through it (the bus).
    const shared = err instanceof ControlSocketTakenError && cfg.database.url !== '';
    if (shared) deps.log.warn('control.socket_taken', { socket: socketPath, by: 'another node of this board', reason: 'the data dir is shared; verbs reach this node through that node' });
    else deps.log.error('control.listen_failed', { socket: socketPath, err });
    verbs.close();
    spy.close();
    chat.dispose();
    await server.close();
    // A sysop on this node still opens the console (main menu `!`), through that node's
    // socket (the dialers are weakly held: nothing to undo at the stop).
    if (shared) registerControlDialer(deps.board, () => dialControl({ socketPath }));
    return undefined;
  }
  const endpoint: ControlEndpoint = { socketPath };
  const unregister = registerControlDialer(deps.board, () => dialControl(endpoint));
  return {
    server,
    endpoint,
    async close() {
      unregister();
      verbs.close();
      spy.close();
      chat.dispose();
      await server.close();
    },
  };
}
