// Test helpers for this package's tests and the repo-level suites: `@carrier/client/testing`.
// Not part of the published build (tsconfig excludes it and test-support).
export * from './test-support.js';
export { LocalTerminal } from './caller/local-terminal.js';
