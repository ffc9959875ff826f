// The library: a telnet client for scripts, health checks, bots and load tests.
export { connect, TelnetClient } from './telnet-client.js';
export type { ReadOptions, ExpectResult, InteractOptions } from './telnet-client.js';
export { CLIENT_DEFAULTS } from './options.js';
export type { ConnectOptions } from './options.js';
export type { OptionCallback, OptionVerb, SubnegotiationCallback } from './negotiator.js';
export type { DebugSink } from './debug-trace.js';
export type { Pattern } from './read-buffer.js';
export { ScreenModel } from './screen.js';
export type { CursorPosition } from './screen.js';
export { TimeoutError, ConnectionClosedError } from '@carrier/core';

// `carrier telnet`: the interactive caller; the server injects the history store.
export { runTelnetCommand, type TelnetCommandDeps } from './caller/run-telnet.js';
export type { ConnectionHistory, HistoryEntry } from './caller/history.js';

// `carrier probe`.
export { runProbeCommand } from './probe/run-probe.js';
export { probeHost, type ProbeOptions, type ProbeReport, type PortResult } from './probe/probe.js';
export type { ServiceKind } from './probe/classify.js';
