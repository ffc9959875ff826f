import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CarrierError, ErrorCodes, readOpenFileBounded, type Encoding } from '@carrier/core';
import { decodeCp437Art, encodeCp437Art } from './cp437.js';
import { DOS_EOF, parseSauce, type Sauce } from './sauce.js';

/**
 * ANSI art from the sysop's art folder, ready to write to one caller.
 *
 * Files for a screen called `main` (names match case-insensitively, DOS art packs
 * are upper case):
 *   main.ans            CP437 art, usually with SAUCE
 *   main.utf8.ans       the same screen as UTF-8 text
 *   main.<v>.ans        variant <v> (main.1.ans, main.40col.ans), with its own
 *   main.<v>.utf8.ans   optional UTF-8 form
 * A `.ans` file whose content is valid UTF-8 with multi-byte characters is read as
 * UTF-8 whatever its name says (detectUtf8Text).
 *
 * Picking: a variant's width is its SAUCE width (tinfo1 of a Character file), else
 * 80, the width ANSI art is drawn for. Of the variants that fit the caller's columns,
 * the widest win; when none fits, the narrowest; ties are picked at random (variants
 * exist to rotate a screen). Within the variant, a UTF-8 caller gets the UTF-8 form if
 * there is one, else the CP437 form decoded (control bytes as their DOS glyphs); a
 * CP437 caller gets the CP437 form byte for byte, else the UTF-8 form encoded.
 *
 * What is sent:
 * - only the content: the SAUCE record, COMNT block and everything from the first 0x1A
 *   (DOS end of file, where `type` stopped) are cut;
 * - never ANSI music: `ESC [ M`, `ESC [ N` and `ESC [ |` with no parameter start a
 *   music string (CTerm/BananaCom), removed through its 0x0E terminator or up to the
 *   next ESC, CR or LF. With a parameter (`ESC [ 2 M`) it is Delete Line and is kept;
 * - UTF-8 sources edited on Unix get CR LF for a bare LF: a raw terminal line feed
 *   does not return the carriage. CP437 sources are sent as they are;
 * - art as wide as the caller's screen (or wider) is wrapped in `ESC[?7l` … `ESC[?7h`
 *   (no auto-wrap), because BBS terminals wrap the moment column 80 is written;
 * - SAUCE iCE colours: `ESC[?33h` before and `ESC[?33l` after.
 *
 * Refused with CarrierError VALIDATION (the file named): files over MAX_ART_BYTES
 * (checked with fstat before reading) and binary content (NUL-heavy). A name that is
 * not a plain relative name is refused the same way. No file at all: null.
 */

export interface Art {
  /** the file the bytes came from */
  file: string;
  /** ready to write with Connection.writeBytes to this caller */
  bytes: Buffer;
  sauce?: Sauce;
  /** columns the art is drawn for */
  width: number;
}

export interface LoadArtOptions {
  encoding: Encoding;
  cols: number;
  /** for picking among variants; default Math.random */
  random?: () => number;
  /**
   * The file to draw when it is still one of the variants, whatever the width and the random
   * pick say: the one a caller was shown, drawn again for a sysop's spy.
   */
  prefer?: string;
  /** default: one cache shared by the process */
  cache?: ArtCache;
}

/** A screen of ANSI art is kilobytes; 4 MiB is far past any real one. */
export const MAX_ART_BYTES = 4 * 1024 * 1024;
/** The width ANSI art without SAUCE is drawn for. */
export const DEFAULT_ART_WIDTH = 80;
/** More NUL bytes than this share of the content means a binary file, not art. */
const MAX_NUL_SHARE = 0.05;
/** SAUCE data type 1: Character (ASCII, ANSi, ANSiMation…), where tinfo1 is the width. */
const SAUCE_CHARACTER = 1;

const MUSIC = /\x1b\[[MN|][^\x0e\x1b\r\n]*\x0e?/g;
const NAME_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_ -]*$/;

const WRAP_OFF = '\x1b[?7l';
const WRAP_ON = '\x1b[?7h';
const ICE_ON = '\x1b[?33h';
const ICE_OFF = '\x1b[?33l';

type SourceKind = 'cp437' | 'utf8';

/** One version of one art file, parsed once. */
interface ArtSource {
  kind: SourceKind;
  sauce: Sauce | undefined;
  /** CP437 content (kind cp437) */
  bytes?: Buffer;
  /** text content (kind utf8) */
  text?: string;
  rendered: Partial<Record<Encoding, Buffer>>;
}

interface CacheEntry {
  mtimeMs: number;
  size: number;
  source: ArtSource;
  cost: number;
}

/**
 * Parsed art by file, valid while the file's mtime and size stay the same, so an
 * edited file is seen on the next call. Least recently used entries go first once
 * `maxBytes` of content and renderings is held.
 */
export class ArtCache {
  private readonly entries = new Map<string, CacheEntry>();
  private total = 0;

  constructor(readonly maxBytes = 64 * 1024 * 1024) {}

  get bytes(): number {
    return this.total;
  }

  get files(): number {
    return this.entries.size;
  }

  get(file: string, mtimeMs: number, size: number): ArtSource | undefined {
    const e = this.entries.get(file);
    if (!e) return undefined;
    if (e.mtimeMs !== mtimeMs || e.size !== size) {
      this.drop(file);
      return undefined;
    }
    this.entries.delete(file);
    this.entries.set(file, e);
    return e.source;
  }

  set(file: string, mtimeMs: number, size: number, source: ArtSource): void {
    this.drop(file);
    const cost = sourceCost(source);
    this.entries.set(file, { mtimeMs, size, source, cost });
    this.total += cost;
    this.evict();
  }

  /** A rendering was added to a cached source. */
  grew(file: string): void {
    const e = this.entries.get(file);
    if (!e) return;
    const cost = sourceCost(e.source);
    this.total += cost - e.cost;
    e.cost = cost;
    this.evict();
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  private drop(file: string): void {
    const e = this.entries.get(file);
    if (!e) return;
    this.entries.delete(file);
    this.total -= e.cost;
  }

  private evict(): void {
    for (const file of this.entries.keys()) {
      if (this.total <= this.maxBytes || this.entries.size <= 1) break;
      this.drop(file);
    }
  }
}

function sourceCost(s: ArtSource): number {
  let n = (s.bytes?.length ?? 0) + (s.text?.length ?? 0) * 2;
  for (const r of Object.values(s.rendered)) if (r !== s.bytes) n += r.length;
  return n;
}

const sharedCache = new ArtCache();

interface Variant {
  cp437?: string;
  utf8?: string;
}

export async function loadArt(artDir: string, name: string, opts: LoadArtOptions): Promise<Art | null> {
  const cache = opts.cache ?? sharedCache;
  const segments = name.split('/');
  if (!segments.every((s) => NAME_SEGMENT.test(s))) {
    throw new CarrierError(ErrorCodes.VALIDATION, `art name ${JSON.stringify(name)} is not a plain name (letters, digits, _ - and space, folders with /)`, { name });
  }
  const dir = path.join(artDir, ...segments.slice(0, -1));
  const variants = await findVariants(dir, segments[segments.length - 1]!);
  if (variants.size === 0) return null;

  const candidates: { file: string; source: ArtSource; sauce: Sauce | undefined; width: number }[] = [];
  for (const v of variants.values()) {
    const preferred = opts.encoding === 'utf8' ? (v.utf8 ?? v.cp437) : (v.cp437 ?? v.utf8);
    const other = preferred === v.cp437 ? v.utf8 : v.cp437;
    const source = await loadSource(preferred!, preferred === v.utf8, cache);
    // The two forms are one screen: a UTF-8 form without SAUCE takes its sibling's.
    const sauce = source.sauce ?? (other ? (await loadSource(other, other === v.utf8, cache)).sauce : undefined);
    candidates.push({ file: preferred!, source, sauce, width: artWidth(sauce) });
  }

  const fitting = candidates.filter((c) => c.width <= opts.cols);
  const best = fitting.length > 0 ? Math.max(...fitting.map((c) => c.width)) : Math.min(...candidates.map((c) => c.width));
  const pool = candidates.filter((c) => c.width === best);
  const r = (opts.random ?? Math.random)();
  const pick = candidates.find((c) => c.file === opts.prefer) ?? pool[Math.min(pool.length - 1, Math.max(0, Math.floor(r * pool.length)))]!;

  const body = render(pick.source, opts.encoding);
  cache.grew(pick.file);
  const art: Art = { file: pick.file, bytes: frame(body, pick.sauce, pick.width, opts.cols), width: pick.width };
  if (pick.sauce) art.sauce = pick.sauce;
  return art;
}

/**
 * The files that could serve art `name` (every variant and form), sorted; empty when
 * none. For checks that only need to know the art exists: nothing is read.
 */
export async function findArtFiles(artDir: string, name: string): Promise<string[]> {
  const segments = name.split('/');
  if (!segments.every((s) => NAME_SEGMENT.test(s))) {
    throw new CarrierError(ErrorCodes.VALIDATION, `art name ${JSON.stringify(name)} is not a plain name (letters, digits, _ - and space, folders with /)`, { name });
  }
  const variants = await findVariants(path.join(artDir, ...segments.slice(0, -1)), segments[segments.length - 1]!);
  const files: string[] = [];
  for (const v of variants.values()) files.push(...[v.cp437, v.utf8].filter((f): f is string => f !== undefined));
  return files.sort();
}

/**
 * One exact art file rendered for `encoding`, the way loadArt renders a pick (content
 * only, no music, wrap off for full-width art, iCE framing), for sysop tools that name
 * a file rather than a screen. Same refusals as loadArt.
 */
export async function loadArtFile(file: string, opts: { encoding: Encoding; cols: number; cache?: ArtCache }): Promise<Art> {
  const source = await loadSource(file, /\.utf8\.[^.]+$/i.test(file), opts.cache ?? sharedCache);
  const width = artWidth(source.sauce);
  const art: Art = { file, bytes: frame(render(source, opts.encoding), source.sauce, width, opts.cols), width };
  if (source.sauce) art.sauce = source.sauce;
  return art;
}

/** Valid UTF-8 that uses at least one multi-byte character: pure ASCII says nothing. */
export function detectUtf8Text(buf: Buffer): boolean {
  let multiByte = false;
  for (const b of buf) {
    if (b >= 0x80) {
      multiByte = true;
      break;
    }
  }
  if (!multiByte) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}

async function findVariants(dir: string, base: string): Promise<Map<string, Variant>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return new Map();
    throw err;
  }
  const prefix = base.toLowerCase() + '.';
  const variants = new Map<string, Variant>();
  for (const fileName of names.sort()) {
    const lower = fileName.toLowerCase();
    if (!lower.startsWith(prefix)) continue;
    const parts = lower.slice(prefix.length).split('.');
    if (parts[parts.length - 1] !== 'ans') continue;
    let key: string;
    let utf8: boolean;
    if (parts.length === 1) [key, utf8] = ['', false];
    else if (parts.length === 2) [key, utf8] = parts[0] === 'utf8' ? ['', true] : [parts[0]!, false];
    else if (parts.length === 3 && parts[1] === 'utf8' && parts[0] !== 'utf8') [key, utf8] = [parts[0]!, true];
    else continue;
    if (parts.length > 1 && key === '' && !utf8) continue;
    const v = variants.get(key) ?? {};
    const file = path.join(dir, fileName);
    if (utf8) v.utf8 ??= file;
    else v.cp437 ??= file;
    variants.set(key, v);
  }
  return variants;
}

async function loadSource(file: string, namedUtf8: boolean, cache: ArtCache): Promise<ArtSource> {
  const st = await stat(file);
  const hit = cache.get(file, st.mtimeMs, st.size);
  if (hit) return hit;
  const { buf, mtimeMs, size } = await readBounded(file);
  const source = parseArt(file, buf, namedUtf8);
  cache.set(file, mtimeMs, size, source);
  return source;
}

/** Reads at most MAX_ART_BYTES, deciding from fstat of the open file, never from the name. */
async function readBounded(file: string): Promise<{ buf: Buffer; mtimeMs: number; size: number }> {
  const fh = await open(file, 'r');
  try {
    const { bytes, mtimeMs, size } = await readOpenFileBounded(fh, file, MAX_ART_BYTES, `art file ${file}`);
    return { buf: bytes, mtimeMs, size };
  } finally {
    await fh.close();
  }
}

function parseArt(file: string, buf: Buffer, namedUtf8: boolean): ArtSource {
  const { sauce, contentLength } = parseSauce(buf);
  let content = buf.subarray(0, contentLength);
  // Counted before the cut at 0x1A: a program or image can have one in its first bytes.
  let nuls = 0;
  for (const b of content) if (b === 0) nuls++;
  if (nuls > content.length * MAX_NUL_SHARE) {
    throw new CarrierError(ErrorCodes.VALIDATION, `art file ${file} looks binary (${nuls} NUL bytes in ${content.length})`, { file });
  }
  const eof = content.indexOf(DOS_EOF);
  if (eof !== -1) content = content.subarray(0, eof);
  if (namedUtf8 || detectUtf8Text(content)) {
    const text = content.toString('utf8').replace(MUSIC, '').replace(/(?<!\r)\n/g, '\r\n');
    return { kind: 'utf8', sauce, text, rendered: {} };
  }
  const bytes = Buffer.from(content.toString('latin1').replace(MUSIC, ''), 'latin1');
  return { kind: 'cp437', sauce, bytes, rendered: {} };
}

function render(source: ArtSource, encoding: Encoding): Buffer {
  const done = source.rendered[encoding];
  if (done) return done;
  let out: Buffer;
  if (source.kind === 'cp437') {
    const bytes = source.bytes!;
    out = encoding === 'cp437' ? bytes : Buffer.from(decodeCp437Art(bytes), 'utf8');
  } else {
    const text = source.text!;
    out = encoding === 'utf8' ? Buffer.from(text, 'utf8') : encodeCp437Art(text);
  }
  source.rendered[encoding] = out;
  return out;
}

/** iCE colours on around art that asks for them, auto-wrap off around art as wide as the screen. */
function frame(body: Buffer, sauce: Sauce | undefined, width: number, cols: number): Buffer {
  const head: string[] = [];
  const tail: string[] = [];
  if (sauce?.iceColors) {
    head.push(ICE_ON);
    tail.unshift(ICE_OFF);
  }
  if (width >= cols) {
    head.push(WRAP_OFF);
    tail.unshift(WRAP_ON);
  }
  return head.length === 0 ? body : Buffer.concat([Buffer.from(head.join(''), 'latin1'), body, Buffer.from(tail.join(''), 'latin1')]);
}

function artWidth(sauce: Sauce | undefined): number {
  if (sauce && sauce.dataType === SAUCE_CHARACTER && sauce.tinfo1 > 0) return sauce.tinfo1;
  return DEFAULT_ART_WIDTH;
}

/**
 * For `carrier check`: what is wrong with one art file, or null. Reads it the way
 * callers get it (size cap, binary refusal) and notes a SAUCE record that is present
 * but fails its own checks, which the loader silently ignores.
 */
export async function checkArtFile(file: string): Promise<string | null> {
  try {
    const { buf } = await readBounded(file);
    const source = parseArt(file, buf, /\.utf8\.[^.]+$/i.test(file));
    const tail = buf.subarray(Math.max(0, buf.length - 128));
    if (!source.sauce && tail.length === 128 && tail.subarray(0, 5).toString('latin1') === 'SAUCE') {
      return 'has a SAUCE record that does not match the file (wrong size or truncated); it is ignored';
    }
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
