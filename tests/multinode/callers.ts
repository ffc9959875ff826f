// Screens the multi-node tests read, driven the way a caller would: keys in, text out.
// Works with the raw telnet caller and the OpenSSH caller alike.
import { ScreenModel } from '@carrier/client';
import { eventually } from '@carrier/core/testing';

export interface Caller {
  text(): string;
  send(text: string): void;
  waitFor(pattern: string | RegExp, timeoutMs?: number, from?: number): Promise<string>;
}

/** CSI sequences (colour, cursor moves) and OSC ones (the window title). */
const ANSI = /\x1b\[[0-9;?]*[ -\/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g;

export function plain(text: string): string {
  return text.replace(ANSI, ' ');
}

/** Resolves once the caller has received nothing new for `quietMs` (at most `maxMs`). */
async function quiet(c: Caller, quietMs = 250, maxMs = 3_000): Promise<void> {
  const t0 = Date.now();
  let seen = c.text().length;
  let since = Date.now();
  while (Date.now() - since < quietMs && Date.now() - t0 < maxMs) {
    await new Promise((r) => setTimeout(r, 50));
    if (c.text().length !== seen) {
      seen = c.text().length;
      since = Date.now();
    }
  }
}

/**
 * Press W at the main menu, read the who's-online screen once it has settled, leave it
 * (Space); the screen as a terminal shows it. The view is live: it may first draw the
 * callers it heard about, then the rest once the board-wide snapshot arrives.
 */
export async function whoIsOnline(c: Caller, size: { cols: number; rows: number } = { cols: 80, rows: 24 }): Promise<string> {
  const from = c.text().length;
  c.send('w');
  await c.waitFor(/Who's online/, 10_000, from);
  await c.waitFor(/Space back|press a key/, 10_000, from);
  await quiet(c);
  const screen = await screenOf(c, size.cols, size.rows);
  const at = c.text().length;
  c.send(' ');
  await c.waitFor('Command:', 10_000, at);
  return screen;
}

/** Poll who's online until `check` accepts it; returns the list and how long it took. */
export async function whoIsOnlineUntil(
  c: Caller,
  check: (list: string) => boolean,
  timeoutMs: number,
  size?: { cols: number; rows: number },
): Promise<{ list: string; ms: number }> {
  const t0 = Date.now();
  let list = '';
  await eventually(async () => check((list = await whoIsOnline(c, size))), () => `who's online to change; last: ${list}`, { timeoutMs, intervalMs: 250 });
  return { list, ms: Date.now() - t0 };
}

/**
 * What the caller's terminal shows now: everything received so far played into a
 * headless xterm. Full-screen views (blessed) redraw only the cells that changed, so
 * their text is only whole on a screen, not in the byte stream.
 */
export async function screenOf(c: Caller, cols = 80, rows = 24): Promise<string> {
  const model = new ScreenModel(cols, rows);
  try {
    model.write(c.text());
    await model.settle();
    return model.text();
  } finally {
    model.dispose();
  }
}

/** Render at the size the caller told the board: a full-screen view drawn for 100x40 is garbage read as 80x24. */
export async function waitForScreen(c: Caller, pattern: RegExp, timeoutMs = 10_000, size: { cols: number; rows: number } = { cols: 80, rows: 24 }): Promise<string> {
  let screen = '';
  return eventually(
    async () => {
      screen = await screenOf(c, size.cols, size.rows);
      return pattern.test(screen) && screen;
    },
    () => `the screen to show ${String(pattern)}; it shows:\n${screen}`,
    { timeoutMs, intervalMs: 100 },
  );
}
