import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** What the browser is sent for one asset: its body, gzipped too when that is smaller. */
export interface AssetContent {
  readonly body: Buffer;
  readonly gzip: Buffer | undefined;
  readonly etag: string;
}

/**
 * One file the page needs. Its version (the ETag, a hash of the body) is known from
 * start-up, for the page's links; the body and its gzip are read and compressed at the
 * first request for it and then kept. A board nobody has opened in a browser holds none
 * of it (about 0.7 MB: idle memory, docs/benchmarks.md).
 */
export interface Asset {
  readonly type: string;
  readonly etag: string;
  content(): Promise<AssetContent>;
}

/** A sysop's CSS larger than this is refused at start-up. */
export const MAX_CUSTOM_CSS = 256 * 1024;

const here = dirname(fileURLToPath(import.meta.url));
/** assets/ beside src/ (sources) or dist/ (built). */
const assetsDir = join(here, '..', 'assets');
const require = createRequire(import.meta.url);

function etagOf(body: Buffer): string {
  let h = 0;
  for (let i = 0; i < body.length; i++) h = (h * 31 + body[i]!) >>> 0;
  return `"${body.length.toString(36)}-${h.toString(36)}"`;
}

/**
 * `atStart` is the body read at start-up, for the version; `read` reads it again at the
 * first request. A file changed in between (a sysop's CSS edited) is served as it is then,
 * under its new ETag; the page's link names the start-up version until the board restarts.
 */
function asset(type: string, read: () => Promise<Buffer>, atStart: Buffer): Asset {
  let loaded: Promise<AssetContent> | undefined;
  return {
    type,
    etag: etagOf(atStart),
    content: () =>
      (loaded ??= (async () => {
        const body = await read();
        // zlib only here: a board never opened in a browser does not load it.
        const { gzip } = require('node:zlib') as typeof import('node:zlib');
        const gz = type.startsWith('font/') ? undefined : await promisify(gzip)(body, { level: 9 });
        return { body, gzip: gz && gz.length < body.length ? gz : undefined, etag: etagOf(body) };
      })().catch((err: unknown) => {
        loaded = undefined;
        throw err;
      })),
  };
}

/** A file read as it is. */
function file(type: string, path: string): Asset {
  return asset(type, () => readFile(path), readFileSync(path));
}

/** The vendored script without its source-map comment (the map is not served). */
function script(path: string): Asset {
  const strip = (text: string): Buffer => Buffer.from(text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'), 'utf8');
  return asset('text/javascript; charset=utf-8', async () => strip(await readFile(path, 'utf8')), strip(readFileSync(path, 'utf8')));
}

/**
 * The page's files, by URL path: xterm.js and its fit and web-links addons from
 * node_modules, the page's own script and style, the VGA font, and the sysop's CSS when
 * configured. Each is read once at start (its version) and once at its first request; no
 * path from a request ever reaches the filesystem.
 */
export function loadAssets(opts: { customCss?: string | undefined }): Map<string, Asset> {
  const m = new Map<string, Asset>();
  m.set('/assets/xterm.js', script(require.resolve('@xterm/xterm/lib/xterm.js')));
  m.set('/assets/xterm.css', file('text/css; charset=utf-8', require.resolve('@xterm/xterm/css/xterm.css')));
  m.set('/assets/addon-fit.js', script(require.resolve('@xterm/addon-fit/lib/addon-fit.js')));
  m.set('/assets/addon-web-links.js', script(require.resolve('@xterm/addon-web-links/lib/addon-web-links.js')));
  m.set('/assets/early.js', file('text/javascript; charset=utf-8', join(assetsDir, 'early.js')));
  m.set('/assets/spoken.js', file('text/javascript; charset=utf-8', join(assetsDir, 'spoken.js')));
  m.set('/assets/page.js', file('text/javascript; charset=utf-8', join(assetsDir, 'page.js')));
  const font = file('font/ttf', join(assetsDir, 'fonts', 'Px_IBM_VGA8.ttf'));
  m.set('/assets/vga8.ttf', font);
  // The stylesheet names the font by its versioned URL, the one the page preloads.
  const cssPath = join(assetsDir, 'page.css');
  const css = (text: string): Buffer => Buffer.from(text.replaceAll('url("/assets/vga8.ttf")', `url("/assets/vga8.ttf?v=${assetVersion(font)}")`), 'utf8');
  m.set('/assets/page.css', asset('text/css; charset=utf-8', async () => css(await readFile(cssPath, 'utf8')), css(readFileSync(cssPath, 'utf8'))));
  if (opts.customCss) {
    const path = opts.customCss;
    const size = statSync(path).size;
    if (size > MAX_CUSTOM_CSS) throw new Error(`web.customCss: ${path} is ${size} bytes; at most ${MAX_CUSTOM_CSS}`);
    // Read at the first request too, where it is held to the same bound.
    const read = async (): Promise<Buffer> => {
      const body = await readFile(path);
      if (body.length > MAX_CUSTOM_CSS) throw new Error(`web.customCss: ${path} is ${body.length} bytes; at most ${MAX_CUSTOM_CSS}`);
      return body;
    };
    m.set('/assets/custom.css', asset('text/css; charset=utf-8', read, readFileSync(path)));
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
export function assetVersion(a: { readonly etag: string }): string {
  return a.etag.slice(1, -1);
}

/**
 * The terminal page. `nonce` lets xterm.js's own <style> elements through the
 * Content-Security-Policy (the page script stamps it on each one); nothing else inline.
 */
export function renderPage(opts: { title: string; nonce: string; assets: ReadonlyMap<string, Asset>; sftpPort?: number | undefined }): string {
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
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover, interactive-widget=resizes-content">
<meta name="referrer" content="no-referrer">
<meta name="carrier-nonce" content="${opts.nonce}">
${opts.sftpPort ? `<meta name="carrier-sftp-port" content="${opts.sftpPort}">\n` : ''}<title>${title}</title>
<link rel="preload" href="${src('/assets/vga8.ttf')}" as="font" type="font/ttf" crossorigin>
<link rel="preload" href="${src('/assets/xterm.js')}" as="script">
<link rel="stylesheet" href="${src('/assets/xterm.css')}">
<link rel="stylesheet" href="${src('/assets/page.css')}">
${opts.assets.has('/assets/custom.css') ? `<link rel="stylesheet" href="${src('/assets/custom.css')}">\n` : ''}</head>
<body>
<main id="stage" aria-label="${title} terminal"><noscript><p id="noscript">${title}'s terminal needs JavaScript: allow scripts for this site (the page loads nothing from anywhere else), or call the board with a terminal program.</p></noscript><div id="screen"></div></main>
<script src="${src('/assets/early.js')}"></script>
<div id="status" role="status"></div>
<div id="spoken" role="log" aria-label="board output"></div>
<nav id="keys" aria-label="special keys">
<button type="button" data-key="esc">Esc</button><button type="button" data-key="ctrl" aria-pressed="false">Ctrl</button><button type="button" data-key="tab">Tab</button><button type="button" data-key="left" aria-label="left">&#8592;</button><button type="button" data-key="up" aria-label="up">&#8593;</button><button type="button" data-key="down" aria-label="down">&#8595;</button><button type="button" data-key="right" aria-label="right">&#8594;</button><button type="button" data-key="enter">Enter</button>
</nav>
<script src="${src('/assets/xterm.js')}"></script>
<script src="${src('/assets/addon-fit.js')}"></script>
<script src="${src('/assets/addon-web-links.js')}"></script>
<script src="${src('/assets/spoken.js')}"></script>
<script src="${src('/assets/page.js')}"></script>
</body>
</html>
`;
}
