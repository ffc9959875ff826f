import type { Bus } from '@carrier/engine';
import type { BanList } from './ban-list.js';

/**
 * Bans reach the board's other processes (`--workers`, other nodes on PostgreSQL+Redis) at
 * once: a ban or unban this process wrote to the store is told over the bus
 * (`security.bans`), and a notice from another process makes this one read the store again
 * (BanList.changedElsewhere, coalesced), where a new ban also hangs up the callers already on
 * from its address. The notice carries no ban, only that the store changed: a forged or
 * repeated one costs a read of the store. The poll (security.banRefresh) stays for when
 * the bus is down (Redis away) and for the `carrier ban` CLI, which has no bus.
 * Returns the undo.
 */
export function shareBans(bans: BanList, bus: Bus, processId: string): () => void {
  const offWritten = bans.onWritten(() => bus.publish('security.bans', { processId, at: Date.now() }));
  const offNotice = bus.subscribe('security.bans', (notice) => {
    // The in-process side of a bus hears this process's own notices too.
    if (notice.processId !== processId) return bans.changedElsewhere();
    return undefined;
  });
  return () => {
    offWritten();
    offNotice();
  };
}
