import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isCarrierError } from '@carrier/core';
import { ArtCache, detectUtf8Text, findArtFiles, loadArt, loadArtFile, MAX_ART_BYTES } from './art.js';
import { appendSauce } from './sauce.js';

let root = '';
let n = 0;
/** A fresh art folder per test, so tests never share files or cache entries. */
async function artDir(files: Record<string, Buffer | string>): Promise<string> {
  const dir = path.join(root, `t${n++}`);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'carrier-art-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const WRAP_OFF = '\x1b[?7l';
const WRAP_ON = '\x1b[?7h';
/** CP437: a red heart, a box line, a full block. */
const CP437_BODY = Buffer.from('\x1b[31m\x03\xc4\xdb\x1b[0m\r\n', 'latin1');
const CP437_AS_UTF8 = '\x1b[31m♥─█\x1b[0m\r\n';

const cp437Art = (width: number, extra: { iceColors?: boolean; title?: string } = {}) =>
  appendSauce(CP437_BODY, { tinfo1: width, tinfo2: 1, ...extra });

test('CP437 art goes byte for byte to a CP437 caller, SAUCE tail removed', async () => {
  const dir = await artDir({ 'main.ans': cp437Art(40, { title: 'Main' }) });
  const art = await loadArt(dir, 'main', { encoding: 'cp437', cols: 80, cache: new ArtCache() });
  assert.ok(art);
  assert.deepEqual(art.bytes, CP437_BODY);
  assert.equal(art.width, 40);
  assert.equal(art.sauce?.title, 'Main');
  assert.equal(art.file, path.join(dir, 'main.ans'));
});

test('CP437 art is decoded with its glyphs and sent as UTF-8 to a UTF-8 caller', async () => {
  const dir = await artDir({ 'main.ans': cp437Art(40) });
  const art = await loadArt(dir, 'main', { encoding: 'utf8', cols: 80, cache: new ArtCache() });
  assert.equal(art?.bytes.toString('utf8'), CP437_AS_UTF8);
});

test('a UTF-8 caller prefers the .utf8.ans form and a CP437 caller the .ans form', async () => {
  const dir = await artDir({ 'main.ans': cp437Art(40), 'main.utf8.ans': '\x1b[31m♥ utf8 form\r\n' });
  const cache = new ArtCache();
  const u = await loadArt(dir, 'main', { encoding: 'utf8', cols: 80, cache });
  assert.equal(u?.file, path.join(dir, 'main.utf8.ans'));
  assert.equal(u?.bytes.toString('utf8'), '\x1b[31m♥ utf8 form\r\n');
  assert.equal(u?.width, 40, 'the UTF-8 form takes its width from the CP437 form’s SAUCE');
  const c = await loadArt(dir, 'main', { encoding: 'cp437', cols: 80, cache });
  assert.deepEqual(c?.bytes, CP437_BODY);
});

test('a CP437 caller gets the UTF-8 form encoded when there is no .ans', async () => {
  const dir = await artDir({ 'bye.utf8.ans': '─█♥ ok€\r\n' });
  const art = await loadArt(dir, 'bye', { encoding: 'cp437', cols: 132, cache: new ArtCache() });
  assert.deepEqual(art?.bytes, Buffer.from('\xc4\xdb\x03 ok?\r\n', 'latin1'));
});

test('UTF-8 art written with bare LF gets CR LF', async () => {
  const dir = await artDir({ 'nl.utf8.ans': 'one\ntwo\r\nthree\n' });
  const art = await loadArt(dir, 'nl', { encoding: 'utf8', cols: 132, cache: new ArtCache() });
  assert.equal(art?.bytes.toString('utf8'), 'one\r\ntwo\r\nthree\r\n');
});

test('a .ans file that is really UTF-8 is read as UTF-8', async () => {
  const dir = await artDir({ 'u.ans': '┌──┐ é\r\n' });
  const cache = new ArtCache();
  const asUtf8 = await loadArt(dir, 'u', { encoding: 'utf8', cols: 132, cache });
  assert.equal(asUtf8?.bytes.toString('utf8'), '┌──┐ é\r\n');
  const asCp437 = await loadArt(dir, 'u', { encoding: 'cp437', cols: 132, cache });
  assert.deepEqual(asCp437?.bytes, Buffer.from('\xda\xc4\xc4\xbf \x82\r\n', 'latin1'));
});

test('art as wide as the screen is wrapped in auto-wrap off and on', async () => {
  const dir = await artDir({ 'wide.ans': cp437Art(80) });
  const art = await loadArt(dir, 'wide', { encoding: 'cp437', cols: 80, cache: new ArtCache() });
  assert.deepEqual(art?.bytes, Buffer.concat([Buffer.from(WRAP_OFF), CP437_BODY, Buffer.from(WRAP_ON)]));
});

test('art without SAUCE is taken to be 80 columns wide', async () => {
  const dir = await artDir({ 'plain.ans': CP437_BODY });
  const art = await loadArt(dir, 'plain', { encoding: 'cp437', cols: 80, cache: new ArtCache() });
  assert.equal(art?.width, 80);
  assert.equal(art?.sauce, undefined);
  assert.ok(art?.bytes.toString('latin1').startsWith(WRAP_OFF));
});

test('iCE colour art is framed by ESC[?33h and ESC[?33l', async () => {
  const dir = await artDir({ 'ice.ans': cp437Art(40, { iceColors: true }) });
  const art = await loadArt(dir, 'ice', { encoding: 'cp437', cols: 80, cache: new ArtCache() });
  assert.deepEqual(art?.bytes, Buffer.concat([Buffer.from('\x1b[?33h'), CP437_BODY, Buffer.from('\x1b[?33l')]));
});

test('a narrower variant is preferred when the art is wider than the caller', async () => {
  const dir = await artDir({ 'menu.ans': cp437Art(80), 'menu.narrow.ans': cp437Art(40) });
  const cache = new ArtCache();
  const small = await loadArt(dir, 'menu', { encoding: 'cp437', cols: 40, cache });
  assert.equal(small?.file, path.join(dir, 'menu.narrow.ans'));
  const big = await loadArt(dir, 'menu', { encoding: 'cp437', cols: 80, cache });
  assert.equal(big?.file, path.join(dir, 'menu.ans'), 'the widest art that fits wins');
  const tiny = await loadArt(dir, 'menu', { encoding: 'cp437', cols: 20, cache });
  assert.equal(tiny?.file, path.join(dir, 'menu.narrow.ans'), 'nothing fits: the narrowest');
});

test('variants of the same width are picked at random', async () => {
  const dir = await artDir({ 'logo.1.ans': cp437Art(40), 'logo.2.ans': cp437Art(40), 'logo.2.utf8.ans': 'two\r\n' });
  const cache = new ArtCache();
  const first = await loadArt(dir, 'logo', { encoding: 'cp437', cols: 80, cache, random: () => 0 });
  const second = await loadArt(dir, 'logo', { encoding: 'cp437', cols: 80, cache, random: () => 0.99 });
  assert.equal(first?.file, path.join(dir, 'logo.1.ans'));
  assert.equal(second?.file, path.join(dir, 'logo.2.ans'));
  const secondUtf8 = await loadArt(dir, 'logo', { encoding: 'utf8', cols: 80, cache, random: () => 0.99 });
  assert.equal(secondUtf8?.file, path.join(dir, 'logo.2.utf8.ans'));
});

test('a file asked for (the variant a caller was shown, drawn again for a spy) is drawn whatever random and width say', async () => {
  const dir = await artDir({ 'logo.1.ans': cp437Art(40), 'logo.2.ans': cp437Art(40), 'logo.wide.ans': cp437Art(80) });
  const cache = new ArtCache();
  const prefer = path.join(dir, 'logo.1.ans');
  // Fails without: the random pick (0.99) and then the widest that fits (80) won.
  assert.equal((await loadArt(dir, 'logo', { encoding: 'cp437', cols: 40, cache, random: () => 0.99, prefer }))?.file, prefer);
  assert.equal((await loadArt(dir, 'logo', { encoding: 'cp437', cols: 80, cache, random: () => 0.99, prefer }))?.file, prefer);
  // A file that is no longer one of the variants: picked as usual.
  const gone = path.join(dir, 'logo.3.ans');
  assert.equal((await loadArt(dir, 'logo', { encoding: 'cp437', cols: 40, cache, random: () => 0.99, prefer: gone }))?.file, path.join(dir, 'logo.2.ans'));
});

test('names match case-insensitively, as in DOS art packs', async () => {
  const dir = await artDir({ 'MAIN.ANS': cp437Art(40) });
  const art = await loadArt(dir, 'main', { encoding: 'cp437', cols: 80, cache: new ArtCache() });
  assert.equal(art?.file, path.join(dir, 'MAIN.ANS'));
});

test('art in a sub-folder is found by a name with a slash', async () => {
  const dir = await artDir({ 'menus/files.ans': cp437Art(40) });
  assert.ok(await loadArt(dir, 'menus/files', { encoding: 'cp437', cols: 80, cache: new ArtCache() }));
});

test('no matching file gives null, including a missing folder', async () => {
  const dir = await artDir({ 'main.ans': cp437Art(40), 'mainframe.ans': cp437Art(40), 'other.txt': 'x' });
  const cache = new ArtCache();
  assert.equal(await loadArt(dir, 'other', { encoding: 'cp437', cols: 80, cache }), null);
  assert.equal(await loadArt(dir, 'main2', { encoding: 'cp437', cols: 80, cache }), null);
  assert.equal(await loadArt(path.join(dir, 'nope'), 'main', { encoding: 'cp437', cols: 80, cache }), null);
});

test('names that could leave the art folder are refused', async () => {
  const dir = await artDir({});
  for (const name of ['../secret', '/etc/passwd', 'a/../../b', '', 'main.ans', 'a\\b']) {
    await assert.rejects(loadArt(dir, name, { encoding: 'cp437', cols: 80 }), (e) => isCarrierError(e, 'VALIDATION'), name);
  }
});

test('ANSI music is removed; Delete Line with a count is kept', async () => {
  const body = 'A\x1b[MFT120L4CDEFG\x0eB\x1b[|MB C\x0eC\x1b[NL8C\x0eD\x1b[2ME\x1b[MF';
  const dir = await artDir({ 'tune.utf8.ans': body, 'tune2.ans': Buffer.from(body, 'latin1') });
  const cache = new ArtCache();
  const a = await loadArt(dir, 'tune', { encoding: 'utf8', cols: 132, cache });
  assert.equal(a?.bytes.toString('utf8'), 'ABCD\x1b[2ME');
  const b = await loadArt(dir, 'tune2', { encoding: 'cp437', cols: 132, cache });
  assert.equal(b?.bytes.toString('latin1'), 'ABCD\x1b[2ME');
});

test('everything after the first 0x1A is dropped, as DOS type did', async () => {
  const dir = await artDir({ 'eof.ans': Buffer.from('shown\x1ahidden', 'latin1') });
  const art = await loadArt(dir, 'eof', { encoding: 'cp437', cols: 132, cache: new ArtCache() });
  assert.equal(art?.bytes.toString('latin1'), 'shown');
});

test('a file over the size limit is refused by name before it is read', async () => {
  const dir = await artDir({ 'huge.ans': '' });
  await truncate(path.join(dir, 'huge.ans'), 10 * 1024 * 1024);
  await assert.rejects(
    loadArt(dir, 'huge', { encoding: 'cp437', cols: 80, cache: new ArtCache() }),
    (e) => isCarrierError(e, 'VALIDATION') && e.message.includes('huge.ans') && e.message.includes(String(MAX_ART_BYTES)),
  );
});

test('binary content full of NUL bytes is refused by name, even with an early 0x1A', async () => {
  const bin = Buffer.alloc(2000);
  bin.write('MZ\x1a\x90', 0, 'latin1');
  const dir = await artDir({ 'prog.ans': bin });
  await assert.rejects(
    loadArt(dir, 'prog', { encoding: 'cp437', cols: 80, cache: new ArtCache() }),
    (e) => isCarrierError(e, 'VALIDATION') && e.message.includes('prog.ans'),
  );
});

test('a file is parsed once and re-read only after it changes', async () => {
  const dir = await artDir({ 'news.utf8.ans': 'old news\r\n' });
  const file = path.join(dir, 'news.utf8.ans');
  const cache = new ArtCache();
  const opts = { encoding: 'utf8' as const, cols: 132, cache };
  assert.equal((await loadArt(dir, 'news', opts))?.bytes.toString(), 'old news\r\n');
  assert.equal(cache.files, 1);
  const first = await loadArt(dir, 'news', opts);
  const again = await loadArt(dir, 'news', opts);
  assert.equal(first?.bytes, again?.bytes, 'the same cached rendering is handed out');

  await writeFile(file, 'new news\r\n');
  await utimes(file, new Date(), new Date(Date.now() + 5000));
  assert.equal((await loadArt(dir, 'news', opts))?.bytes.toString(), 'new news\r\n');
  assert.equal(cache.files, 1);
});

test('the cache lets go of the least recently used files past its byte budget', async () => {
  const big = 'x'.repeat(1000) + '\r\n';
  const dir = await artDir({ 'a.utf8.ans': big, 'b.utf8.ans': big, 'c.utf8.ans': big });
  const cache = new ArtCache(5000);
  for (const name of ['a', 'b', 'c']) await loadArt(dir, name, { encoding: 'utf8', cols: 80, cache });
  assert.ok(cache.bytes <= 5000, `${cache.bytes} bytes held`);
  assert.ok(cache.files < 3);
});

test('detectUtf8Text wants valid UTF-8 with at least one multi-byte character', () => {
  const cases: [Buffer, boolean][] = [
    [Buffer.from('plain ASCII'), false],
    [Buffer.from('box ─ drawing', 'utf8'), true],
    [Buffer.from('\xc4\xc4\xdb\xdb\xb0', 'latin1'), false],
    [Buffer.from([0xe2, 0x94]), false],
    [Buffer.from([0xed, 0xa0, 0x80]), false],
    [Buffer.alloc(0), false],
  ];
  for (const [buf, want] of cases) assert.equal(detectUtf8Text(buf), want, buf.toString('hex'));
});

test('findArtFiles lists every form and variant of a screen without reading them', async () => {
  const dir = await artDir({ 'main.ans': cp437Art(80), 'MAIN.utf8.ans': 'x', 'main.2.ans': cp437Art(80), 'mainframe.ans': 'x', 'main.txt': 'x' });
  assert.deepEqual(
    (await findArtFiles(dir, 'main')).map((f) => path.basename(f)),
    ['MAIN.utf8.ans', 'main.2.ans', 'main.ans'],
  );
  assert.deepEqual(await findArtFiles(dir, 'nothing'), []);
  await assert.rejects(findArtFiles(dir, '../main'), (e) => isCarrierError(e, 'VALIDATION'));
});

test('loadArtFile renders that exact file, framed like a pick by loadArt', async () => {
  const dir = await artDir({ 'wide.ans': cp437Art(80, { iceColors: true }), 'wide.2.ans': cp437Art(40) });
  const file = path.join(dir, 'wide.ans');
  const cp = await loadArtFile(file, { encoding: 'cp437', cols: 80, cache: new ArtCache() });
  assert.deepEqual(cp.bytes, Buffer.concat([Buffer.from('\x1b[?33h' + WRAP_OFF, 'latin1'), CP437_BODY, Buffer.from(WRAP_ON + '\x1b[?33l', 'latin1')]));
  const u = await loadArtFile(file, { encoding: 'utf8', cols: 132, cache: new ArtCache() });
  assert.equal(u.bytes.toString('utf8'), '\x1b[?33h' + CP437_AS_UTF8 + '\x1b[?33l');
  assert.equal(u.sauce?.iceColors, true);
});
