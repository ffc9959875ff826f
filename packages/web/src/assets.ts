import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** One file the page needs, held in memory (and gzipped) from start-up. */
export interface Asset {
  readonly type: string;
  readonly body: Buffer;
  readonly gzip: Buffer | undefined;
  readonly etag: string;
}

/** A sysop's CSS larger than this is refused at start-up. */
export const MAX_CUSTOM_CSS = 256 * 1024;

const here = dirname(fileURLToPath(import.meta.url));
/** assets/ beside src/ (sources) or dist/ (built). */
const assetsDir = join(here, '..', 'assets');
const require = createRequire(import.meta.url);

function asset(type: string, body: Buffer): Asset {
  const compressible = !type.startsWith('font/');
  const gz = compressible ? gzipSync(body, { level: 9 }) : undefined;
  let h = 0;
  for (let i = 0; i < body.length; i++) h = (h * 31 + body[i]!) >>> 0;
  return { type, body, gzip: gz && gz.length < body.length ? gz : undefined, etag: `"${body.length.toString(36)}-${h.toString(36)}"` };
}

/** The vendored script without its source-map comment (the map is not served). */
function script(file: string): Buffer {
  return Buffer.from(readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'), 'utf8');
}

/**
 * The page's files, by URL path: xterm.js and its fit addon from node_modules, the page's
 * own script and style, the VGA font, and the sysop's CSS when configured. Nothing is
 * read from disk per request, and no path from a request ever reaches the filesystem.
 */
export function loadAssets(opts: { customCss?: string | undefined }): Map<string, Asset> {
  const m = new Map<string, Asset>();
  m.set('/assets/xterm.js', asset('text/javascript; charset=utf-8', script(require.resolve('@xterm/xterm/lib/xterm.js'))));
  m.set('/assets/xterm.css', asset('text/css; charset=utf-8', readFileSync(require.resolve('@xterm/xterm/css/xterm.css'))));
  m.set('/assets/addon-fit.js', asset('text/javascript; charset=utf-8', script(require.resolve('@xterm/addon-fit/lib/addon-fit.js'))));
  m.set('/assets/early.js', asset('text/javascript; charset=utf-8', readFileSync(join(assetsDir, 'early.js'))));
  m.set('/assets/page.js', asset('text/javascript; charset=utf-8', readFileSync(join(assetsDir, 'page.js'))));
  const font = asset('font/ttf', readFileSync(join(assetsDir, 'fonts', 'Px_IBM_VGA8.ttf')));
  m.set('/assets/vga8.ttf', font);
  // The stylesheet names the font by its versioned URL, the one the page preloads.
  const css = readFileSync(join(assetsDir, 'page.css'), 'utf8').replaceAll('url("/assets/vga8.ttf")', `url("/assets/vga8.ttf?v=${assetVersion(font)}")`);
  m.set('/assets/page.css', asset('text/css; charset=utf-8', Buffer.from(css, 'utf8')));
  if (opts.customCss) {
    const size = statSync(opts.customCss).size;
    if (size > MAX_CUSTOM_CSS) throw new Error(`web.customCss: ${opts.customCss} is ${size} bytes; at most ${MAX_CUSTOM_CSS}`);
    m.set('/assets/custom.css', asset('text/css; charset=utf-8', readFileSync(opts.customCss)));
  }
  return m;
}

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The version an asset's URL carries in the page: its ETag's content hash. */
export function assetVersion(a: Asset): string {
  return a.etag.slice(1, -1);
}

/**
 * The terminal page. `nonce` lets xterm.js's own <style> elements through the
 * Content-Security-Policy (the page script stamps it on each one); nothing else inline.
 */
export function renderPage(opts: { title: string; nonce: string; assets: ReadonlyMap<string, Asset> }): string {
  const title = escapeHtml(opts.title);
  // Each asset's URL names its version, so a returning caller's browser uses its cached
  // copy without asking (served immutable); a new version is a new URL.
  const src = (path: string): string => {
    const a = opts.assets.get(path);
    return a ? `${path}?v=${assetVersion(a)}` : path;
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=1, user-scalable=no, viewport-fit=cover">
<meta name="referrer" content="no-referrer">
<meta name="carrier-nonce" content="${opts.nonce}">
<title>${title}</title>
<link rel="preload" href="${src('/assets/vga8.ttf')}" as="font" type="font/ttf" crossorigin>
<link rel="preload" href="${src('/assets/xterm.js')}" as="script">
<link rel="stylesheet" href="${src('/assets/xterm.css')}">
<link rel="stylesheet" href="${src('/assets/page.css')}">
${opts.assets.has('/assets/custom.css') ? `<link rel="stylesheet" href="${src('/assets/custom.css')}">\n` : ''}</head>
<body>
<main id="stage"><div id="screen" aria-label="${title} terminal"></div></main>
<script src="${src('/assets/early.js')}"></script>
<div id="status" role="status" hidden></div>
<nav id="keys" aria-label="special keys">
<button type="button" data-key="esc">Esc</button><button type="button" data-key="ctrl" aria-pressed="false">Ctrl</button><button type="button" data-key="tab">Tab</button><button type="button" data-key="left" aria-label="left">&#8592;</button><button type="button" data-key="up" aria-label="up">&#8593;</button><button type="button" data-key="down" aria-label="down">&#8595;</button><button type="button" data-key="right" aria-label="right">&#8594;</button><button type="button" data-key="enter">Enter</button>
</nav>
<script src="${src('/assets/xterm.js')}"></script>
<script src="${src('/assets/addon-fit.js')}"></script>
<script src="${src('/assets/page.js')}"></script>
</body>
</html>
`;
}
