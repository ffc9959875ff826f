import { createRequire } from 'node:module';
import { PROCESS_NONCE_ENV } from './process-calls.js';

const require = createRequire(import.meta.url);

/**
 * node:cluster, loaded only where it is used: by a `--workers` primary and in its workers
 * (where Node has loaded it before carrier runs). A single board never needs it, and
 * importing it pulls in child_process, dgram and the cluster internals: about 1 MiB of an
 * idle board's memory (docs/benchmarks.md, issue 18).
 */
export function nodeCluster(): typeof import('node:cluster').default {
  return require('node:cluster') as typeof import('node:cluster').default;
}

/**
 * Whether this process is a worker of a `--workers` board. The primary gives every
 * worker a process nonce in its environment, so a process without one is not a worker
 * and need not load node:cluster to know it.
 */
export function isClusterWorker(): boolean {
  return process.env[PROCESS_NONCE_ENV] !== undefined && nodeCluster().isWorker;
}
