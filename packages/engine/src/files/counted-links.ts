// Which download links have counted their download: one marker file per link in a folder
// of the data dir, made with O_EXCL, so every process that can verify a link (they share
// the data dir, where the links' secret is) counts it once between them, across restarts.
import { mkdir, opendir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Expired markers are swept at most this often per process. */
const SWEEP_EVERY_MS = 10 * 60_000;
/** Entries one sweep looks at: a sweep is never a long walk. */
const MAX_SWEEP_ENTRIES = 20_000;
const MARKER = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export class CountedLinks {
  private lastSweep = 0;

  constructor(
    private readonly dir: string,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * True for the first completed download of the link with this MAC (base64url, 43
   * characters) and expiry (seconds since the epoch), in any process on this data dir.
   */
  async first(mac: string, expiresAtSeconds: number): Promise<boolean> {
    const name = `${expiresAtSeconds}.${mac}`;
    if (!MARKER.test(name)) return false;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    try {
      await writeFile(join(this.dir, name), '', { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    await this.sweep();
    return true;
  }

  /** Remove the markers of links that have expired (they cannot be fetched any more). */
  private async sweep(): Promise<void> {
    const now = this.clock();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    let seen = 0;
    for await (const entry of await opendir(this.dir)) {
      if (++seen > MAX_SWEEP_ENTRIES) break;
      const m = MARKER.exec(entry.name);
      if (m && Number(m[1]) * 1000 <= now) await rm(join(this.dir, entry.name), { force: true });
    }
  }
}
