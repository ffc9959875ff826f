// The web page on a phone: pinch zoom works (WCAG 1.4.4: text resizable to 200%; the page
// said `user-scalable=no, maximum-scale=1`), the on-screen keyboard shrinks the page instead
// of covering its bottom rows (`interactive-widget=resizes-content`), and at a phone's
// width the 80 columns still fit and the row of special keys shows. Headless Chromium
// with a mobile viewport (isMobile, hasTouch), so it applies the page's viewport meta, and
// a real pinch through CDP's Input.synthesizePinchGesture.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import type { Page } from 'playwright-core';
import { startCarrier, type Carrier } from '../harness.js';
import { launchBrowser, screenText, waitScreen, type Browser } from '../web-browser.js';

/** A phone held upright (CSS pixels). */
const PHONE = { width: 390, height: 844 };

/** The viewport meta's settings, as `key=value` pairs. */
async function viewportMeta(page: Page): Promise<Map<string, string>> {
  const content = await page.evaluate<string>("document.querySelector('meta[name=viewport]')?.getAttribute('content') ?? ''");
  return new Map(content.split(',').map((part) => part.split('=').map((s) => s.trim().toLowerCase()) as [string, string]));
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

async function box(page: Page, selector: string): Promise<Box> {
  return page.evaluate<Box>(`(() => { const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; })()`);
}

describe('the web page on a phone', { timeout: 120_000 }, () => {
  let board: Carrier;
  let browser: Browser;
  let page: Page;

  before(async () => {
    board = await startCarrier({ telnet: false });
    browser = await launchBrowser(PHONE, { isMobile: true, hasTouch: true });
    page = await browser.context.newPage();
    await page.goto(`http://127.0.0.1:${board.ports.web}/`);
    await waitScreen(page, /login:/, 20_000);
  });
  after(async () => {
    await browser?.close();
    await board?.stop();
  });

  it('the viewport meta lets the caller zoom, and the on-screen keyboard resizes the page', async () => {
    const meta = await viewportMeta(page);
    assert.notEqual(meta.get('user-scalable'), 'no', `user-scalable: ${JSON.stringify([...meta])}`);
    assert.notEqual(meta.get('user-scalable'), '0');
    const max = meta.get('maximum-scale');
    assert.ok(max === undefined || Number(max) >= 2, `maximum-scale ${max} allows at least 200%`);
    assert.equal(meta.get('interactive-widget'), 'resizes-content');
    assert.equal(meta.get('width'), 'device-width');
  });

  it('80 columns fit the width and the row of special keys shows below them', async () => {
    const width = await page.evaluate<number>('document.documentElement.clientWidth');
    assert.equal(width, PHONE.width, 'laid out at the phone width, not a desktop width');
    const screen = await box(page, '#screen .xterm-screen');
    assert.ok(screen.left >= 0 && screen.right <= width + 0.5, `the terminal (${screen.left}-${screen.right}) fits the ${width} px width`);
    const rows = (await screenText(page)).split('\n');
    assert.ok(rows.some((row) => /^╚═+╝$/.test(row) && [...row].length === 80), `the welcome box is drawn 80 columns wide:\n${rows.join('\n')}`);
    const keys = await box(page, '#keys');
    const height = await page.evaluate<number>('window.innerHeight');
    assert.ok(keys.bottom - keys.top >= 40, 'the key row has its height');
    assert.ok(keys.top >= screen.top && keys.bottom <= height + 0.5, `the key row (${keys.top}-${keys.bottom}) is on the ${height} px page`);
    assert.ok(await page.isVisible('#keys button[data-key="esc"]'), 'Esc is on it');
  });

  it('a pinch zooms the page in', async () => {
    // On the key row: the terminal takes wheel events itself (a touchpad pinch is a
    // Ctrl-wheel), and headless Chromium synthesizes no touch pinch; the page's meta decides.
    const keys = await box(page, '#keys');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Input.synthesizePinchGesture', { x: PHONE.width / 2, y: (keys.top + keys.bottom) / 2, scaleFactor: 2 });
    await eventually(async () => (await page.evaluate<number>('window.visualViewport.scale')) > 1.5, 'the visual viewport to scale up after the pinch', { timeoutMs: 10_000 });
  });
});
