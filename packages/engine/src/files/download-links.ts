// Download links over HTTP: a caller in the file area asks for a link to one file they
// may download; the web front end serves it until it expires. A link is
// `/dl/<payload>.<mac>/<name>`: the payload (user, area, file, expiry) in base64url JSON,
// signed with HMAC-SHA256 under a per-board secret kept in the data dir. The board
// re-checks the user and the file when the link is used, so a lowered level, a locked or
// deleted account, or a removed file ends the link early.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { client, type Logger } from '@carrier/core';
import type { User } from '@carrier/store';
import type { BoardFiles, Verdict } from './board-files.js';
import { byteRange } from './byte-range.js';
import { CountedLinks } from './counted-links.js';

/** The route the web front end serves links under. */
export const LINK_ROUTE = '/dl';
const SECRET_BYTES = 32;
/** Longest token accepted before any decoding (a real one is ~150 characters). */
const MAX_TOKEN_LENGTH = 1024;
const MAC_DOMAIN = 'carrier-download-link-v1.';

interface LinkPayload {
  /** user id */
  u: number;
  /** area tag */
  a: string;
  /** file name */
  n: string;
  /** expiry, seconds since the epoch */
  x: number;
}

export interface DownloadLinksOptions {
  files: BoardFiles;
  /** `<dataDir>/download-links.key`: made (0600) on first use, shared by every process on the data dir */
  secretFile: string;
  /** `<dataDir>/download-links.counted`: a marker per link whose download was counted (CountedLinks) */
  countedDir: string;
  /** where callers reach the web port, e.g. `https://bbs.example.org` (no trailing slash) */
  baseUrl: string;
  log: Logger;
  clock?: () => number;
}

export interface DownloadLink {
  url: string;
  expiresAt: number;
}

const b64 = (b: Buffer): string => b.toString('base64url');

/** Read the board's link secret, or make it (atomically: two processes racing read one secret). */
async function loadSecret(file: string): Promise<Buffer> {
  try {
    await writeFile(file, randomBytes(SECRET_BYTES).toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const secret = Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
  if (secret.length < 16) throw new Error(`${file}: the download-link secret is too short (delete the file to make a new one)`);
  return secret;
}

export class DownloadLinks {
  private secret: Promise<Buffer> | undefined;
  private readonly clock: () => number;
  private readonly counted: CountedLinks;

  constructor(private readonly opts: DownloadLinksOptions) {
    this.clock = opts.clock ?? Date.now;
    this.counted = new CountedLinks(opts.countedDir, this.clock);
  }

  private key(): Promise<Buffer> {
    this.secret ??= loadSecret(this.opts.secretFile).catch((err: unknown) => {
      this.secret = undefined;
      throw err;
    });
    return this.secret;
  }

  private async mac(payload: string): Promise<Buffer> {
    return createHmac('sha256', await this.key()).update(MAC_DOMAIN + payload).digest();
  }

  /** A link to `name` in `tag` for `user`, when they may download it now. */
  async create(user: User, tag: string, name: string): Promise<Verdict<DownloadLink>> {
    const r = await this.opts.files.resolveDownload(user.level, tag, name);
    if (!r.ok) return r;
    const ttlMs = (await this.opts.files.config()).linkMinutes * 60_000;
    const expiresAt = this.clock() + ttlMs;
    const payload: LinkPayload = { u: user.id, a: r.value.area.tag, n: r.value.entry.name, x: Math.floor(expiresAt / 1000) };
    const body = b64(Buffer.from(JSON.stringify(payload), 'utf8'));
    const token = `${body}.${b64(await this.mac(body))}`;
    this.opts.log.info('files.link_created', { user: user.handle, area: payload.a, name: client(payload.n), expiresAt: payload.x * 1000 });
    return { ok: true, value: { url: `${this.opts.baseUrl}${LINK_ROUTE}/${token}/${linkName(payload.n)}`, expiresAt: payload.x * 1000 } };
  }

  /** The payload of a well-formed, untampered token; its expiry is not checked here. */
  private async open(token: string): Promise<LinkPayload | undefined> {
    if (token.length > MAX_TOKEN_LENGTH) return undefined;
    const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return undefined;
    const given = Buffer.from(m[2]!, 'base64url');
    const want = await this.mac(m[1]!);
    if (given.length !== want.length || !timingSafeEqual(given, want)) return undefined;
    try {
      const p = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as Partial<LinkPayload>;
      if (!Number.isSafeInteger(p.u) || typeof p.a !== 'string' || typeof p.n !== 'string' || !Number.isSafeInteger(p.x)) return undefined;
      return p as LinkPayload;
    } catch {
      return undefined;
    }
  }

  /**
   * The web route: GET or HEAD `/dl/<token>/<name>`. A tampered or malformed link is
   * 403, an expired one 410, a file gone 404, a name that is not the link's file a 308 to
   * the link's own name. One byte range is served (206; 416 when it has no byte of the
   * file), so a broken download resumes. A link counts one download, when the file's
   * last byte has gone out (whole or in a range), however often it is fetched again, by
   * whichever process (CountedLinks). Each refusal and each download is one log line.
   */
  async serve(req: IncomingMessage, res: ServerResponse, ctx: { remoteAddress: string; path: string }): Promise<void> {
    const refuse = (status: number, body: string, reason: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void => {
      this.opts.log.info('files.link_refused', { remote: ctx.remoteAddress, status, reason, ...extra });
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      refuse(405, 'method not allowed\n', 'method');
      return;
    }
    const rest = ctx.path.slice(LINK_ROUTE.length + 1);
    const slash = rest.indexOf('/');
    const token = slash < 0 ? rest : rest.slice(0, slash);
    const p = await this.open(token);
    if (!p) {
      refuse(403, 'this download link is not valid\n', 'bad signature');
      return;
    }
    const who = { userId: p.u, area: p.a, name: client(p.n) };
    if (p.x * 1000 <= this.clock()) {
      refuse(410, 'this download link has expired: ask the board for a new one\n', 'expired', who);
      return;
    }
    // The name in the URL is what a browser saves the file as when it ignores the header: it must be the link's.
    const own = `${LINK_ROUTE}/${token}/${linkName(p.n)}`;
    if (slash < 0 || decodedName(rest.slice(slash + 1)) !== p.n) {
      this.opts.log.info('files.link_renamed', { remote: ctx.remoteAddress, ...who, given: client(slash < 0 ? '' : rest.slice(slash + 1)) });
      res.writeHead(308, { location: own, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : `this link's file is at ${own}\n`);
      return;
    }
    const user = await this.opts.files.store.users.findById(p.u);
    if (!user || (await this.isLocked(user.id))) {
      refuse(403, 'this download link is no longer valid\n', user ? 'account locked' : 'no such user', who);
      return;
    }
    const r = await this.opts.files.resolveDownload(user.level, p.a, p.n);
    if (!r.ok) {
      const gone = r.reason === 'no such file' || r.reason.startsWith('the file is missing');
      refuse(gone ? 404 : 403, gone ? 'the file is no longer on the board\n' : 'this download link is no longer valid\n', r.reason, who);
      return;
    }
    const { path, entry } = r.value;
    // The size on disk now (the index may lag a sysop's edit until the next scan).
    const st = await stat(path);
    const size = st.size;
    const validators = { etag: `"${size.toString(36)}-${Math.trunc(st.mtimeMs).toString(36)}"`, 'last-modified': st.mtime.toUTCString() };
    // If-Range: resume only the copy the browser started; a changed file is sent whole.
    const ifRange = req.headers['if-range'];
    const range = ifRange === undefined || ifRange === validators.etag || ifRange === validators['last-modified'] ? byteRange(req.headers.range, size) : { kind: 'whole' as const };
    if (range.kind === 'unsatisfiable') {
      refuse(416, 'that range is not in the file\n', 'range not satisfiable', { ...who, range: client(req.headers.range ?? '') }, { 'content-range': `bytes */${size}` });
      return;
    }
    const [start, end] = range.kind === 'part' ? [range.start, range.end] : [0, size - 1];
    res.writeHead(range.kind === 'part' ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'content-length': end - start + 1,
      ...(range.kind === 'part' ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
      'accept-ranges': 'bytes',
      ...validators,
      'content-disposition': `attachment; filename="${entry.name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(entry.name)}`,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    const started = this.clock();
    const stream = createReadStream(path, { start, end, highWaterMark: 256 * 1024 });
    stream.on('error', (err) => {
      this.opts.log.warn('files.link_read_failed', { ...who, err });
      res.destroy();
    });
    res.on('close', () => {
      if (!stream.destroyed) stream.destroy();
      const complete = res.writableFinished;
      void this.count(complete && end === size - 1, token, p.x).then((counted) => {
        this.opts.log.info('files.link_download', {
          remote: ctx.remoteAddress,
          user: user.handle,
          area: entry.area,
          name: client(entry.name),
          bytes: end - start + 1,
          ...(range.kind === 'part' ? { from: start } : {}),
          complete,
          counted,
          ms: this.clock() - started,
        });
        if (counted) return this.opts.files.downloaded(user, entry, 'web', size);
        return undefined;
      }).catch((err: unknown) => this.opts.log.warn('files.count_failed', { err }));
    });
    stream.pipe(res);
  }

  /** Whether this fetch, which `sentLastByte` or not, is the link's one counted download. */
  private async count(sentLastByte: boolean, token: string, expiresAtSeconds: number): Promise<boolean> {
    if (!sentLastByte) return false;
    try {
      return await this.counted.first(token.slice(token.lastIndexOf('.') + 1), expiresAtSeconds);
    } catch (err) {
      // Not counted rather than counted twice; the download itself is still logged.
      this.opts.log.warn('files.count_failed', { err });
      return false;
    }
  }

  /** The sysop's lock (the users table's `locked` column); a failed read refuses the link. */
  private async isLocked(id: number): Promise<boolean> {
    try {
      const row = (await this.opts.files.store.knex('users').where({ id }).first(['locked'])) as { locked?: unknown } | undefined;
      return Boolean(row?.locked);
    } catch (err) {
      this.opts.log.warn('files.link_lock_unreadable', { userId: id, err });
      return true;
    }
  }
}

/**
 * A file name as a link's last path segment: percent-encoded, `!'()*` too (legal in a URL,
 * but where a terminal's link detection ends one: xterm.js's web-links addon, and most
 * terminals', would cut `notes (v2).txt` at the parenthesis).
 */
function linkName(name: string): string {
  return encodeURIComponent(name).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The file name part of a link's path, percent-decoded; undefined when the encoding is broken. */
function decodedName(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
