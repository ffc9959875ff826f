// Test helpers for this package's tests and the repo-level suites: `@carrier/engine/testing`.
// Not part of the published build (tsconfig excludes it and the files it re-exports).
export * from './test-support.js';
export * from './redis-test-support.js';
