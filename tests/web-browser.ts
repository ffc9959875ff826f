// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, which downloads
// nothing and uses the system browser. A fresh profile every launch; no network but loopback.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@carrier/core/testing';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env['CARRIER_CHROMIUM'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The same pixels on every machine: no LCD subpixel text, no HiDPI.
  '--font-render-hinting=none',
  '--disable-lcd-text',
  '--force-device-scale-factor=1',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 800, height: 600 }, opts: { isMobile?: boolean; hasTouch?: boolean } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'carrier-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    deviceScaleFactor: 1,
    ...opts,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The terminal's rows as text, as the DOM renderer shows them. */
export async function screenText(page: Page): Promise<string> {
  // A string, so this file type-checks without the DOM library.
  return page.evaluate<string>(
    "Array.from(document.querySelectorAll('.xterm-rows > div')).map((d) => (d.textContent || '').replace(/\\u00a0/g, ' ').trimEnd()).join('\\n')",
  );
}

/** Polls the screen until it matches; returns it. */
export async function waitScreen(page: Page, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  let s = '';
  await eventually(
    async () => pattern.test((s = await screenText(page))),
    () => `the page to show ${pattern}; screen:\n${s}`,
    { timeoutMs, intervalMs: 50 },
  );
  return s;
}

/** Opens the board's page and logs in through it, as a caller types; returns at the main menu. */
export async function webLogin(page: Page, webPort: number, handle: string, password: string): Promise<void> {
  await page.goto(`http://127.0.0.1:${webPort}/`);
  await waitScreen(page, /login:/, 20_000);
  await page.keyboard.type(handle);
  await page.keyboard.press('Enter');
  await waitScreen(page, /password:/);
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await waitScreen(page, /Command:/, 20_000);
}
