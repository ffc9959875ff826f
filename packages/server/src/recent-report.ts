import { singleFlight } from '@carrier/engine';
import type { StatusReport } from './status-report.js';

/**
 * `report` made at most once per `maxAgeMs`, however often it is asked for: concurrent
 * askers share the one being made, later ones get it until it is `maxAgeMs` old. For the
 * callers' web port, where anyone may ask /health and each report queries the database.
 */
export function recentReport(report: () => Promise<StatusReport>, maxAgeMs: number): () => Promise<StatusReport> {
  const slot: { inflight?: Promise<StatusReport> | undefined } = {};
  let last: { at: number; value: StatusReport } | undefined;
  return async () => {
    if (last && Date.now() - last.at < maxAgeMs) return last.value;
    const value = await singleFlight(slot, report);
    last = { at: Date.now(), value };
    return value;
  };
}
