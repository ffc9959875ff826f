// Test helpers for this package's tests and the repo-level suites: `@carrier/store/testing`.
// Not part of the published build (tsconfig excludes it and the files it re-exports).
export * from './test-backends.js';
export * from './tcp-hop.js';
