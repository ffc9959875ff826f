// Test helpers for this package's tests and the repo-level suites: `@carrier/client/testing`.
// Not part of the published build (tsconfig excludes it and test-support).
export * from './test-support.js';
export { LocalTerminal } from './caller/local-terminal.js';
// The client's side of option negotiation, for the repo's raw-byte telnet caller (tests/raw-telnet.ts).
export { ClientNegotiator } from './negotiator.js';
export type { ClientNegotiatorOptions, ClientStep } from './negotiator.js';
