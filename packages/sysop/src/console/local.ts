import { createRequire } from 'node:module';
import type { ControlClient } from '../client.js';
import { runConsole } from './console.js';

type Blessed = typeof import('blessed');

/** The console in this process's own terminal (`carrier sysop`); resolves when the sysop quits. */
export async function runLocalConsole(client: ControlClient, title?: string): Promise<void> {
  const blessed = createRequire(import.meta.url)('blessed') as Blessed;
  const screen = blessed.screen({ smartCSR: true, fullUnicode: true, title: 'carrier sysop', warnings: false });
  // Unicode box drawing, never the DEC line-drawing set: a UTF-8 terminal (tmux among them)
  // may show its letters, and the spy's copy of a caller's ▒ and ─ would read 'a' and 'q'.
  (screen.tput as unknown as { brokenACS: boolean }).brokenACS = true;
  try {
    await runConsole({ blessed, screen, client, ...(title !== undefined ? { title } : {}) });
  } finally {
    screen.destroy();
  }
}
