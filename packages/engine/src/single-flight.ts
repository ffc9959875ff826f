/**
 * Runs `job` for `slot` unless one is already running, in which case the caller shares
 * that one: callers arriving while a file is read or built wait for the same result
 * instead of doing the work again.
 */
export async function singleFlight<T>(slot: { inflight?: Promise<T> | undefined }, job: () => Promise<T>): Promise<T> {
  if (slot.inflight) return slot.inflight;
  const running = job();
  slot.inflight = running;
  try {
    return await running;
  } finally {
    slot.inflight = undefined;
  }
}
