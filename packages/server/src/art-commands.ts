import { open } from 'node:fs/promises';
import { isCarrierError } from '@carrier/core';
import { ArtCache, checkArtFile, detectUtf8Text, loadArtFile, MAX_ART_BYTES, parseSauce, type Sauce } from '@carrier/terminal';

/**
 * `carrier art show <file> [--encoding cp437|utf8]` draws an art file on the sysop's
 * terminal the way a caller with that encoding gets it (UTF-8 by default: the terminal
 * a sysop runs the CLI in). `carrier art info <file>` prints what its SAUCE record says,
 * or why there is none that can be trusted.
 */

export const ART_USAGE = `  art show <file> [--encoding cp437|utf8]  draw an art file as a caller would see it
  art info <file>                         print an art file's SAUCE record
`;

export interface ArtCommandIO {
  out(line: string): void;
  err(line: string): void;
  bytes(data: Buffer): void;
  /** the sysop's terminal width, for the auto-wrap decision */
  cols: number;
}

/** Exit status: 0 done, 1 the file cannot be shown, 2 usage. */
export async function artCommand(args: string[], io: ArtCommandIO): Promise<number> {
  const [sub, ...rest] = args;
  const files = rest.filter((a, i) => !a.startsWith('--') && rest[i - 1] !== '--encoding');
  const usage = (why: string): number => {
    io.err(`carrier: ${why}\nusage:\n${ART_USAGE}`);
    return 2;
  };
  if (sub !== 'show' && sub !== 'info') return usage(`unknown art verb ${JSON.stringify(sub ?? '')}`);
  if (files.length !== 1) return usage(`art ${sub} needs one file`);
  const file = files[0]!;
  if (sub === 'info') return info(file, io);
  const i = rest.indexOf('--encoding');
  const encoding = i >= 0 ? rest[i + 1] : 'utf8';
  if (encoding !== 'utf8' && encoding !== 'cp437') return usage('--encoding takes cp437 or utf8');
  const unknown = rest.find((a) => a.startsWith('--') && a !== '--encoding');
  if (unknown) return usage(`unknown option ${unknown}`);
  try {
    const art = await loadArtFile(file, { encoding, cols: io.cols, cache: new ArtCache() });
    // The art's last colour would otherwise stay on for the shell prompt.
    io.bytes(Buffer.concat([art.bytes, Buffer.from('\x1b[0m\r\n', 'latin1')]));
    return 0;
  } catch (err) {
    io.err(`carrier: art show: ${isCarrierError(err) ? err.message : describe(err, file)}`);
    return 1;
  }
}

const DATA_TYPES = ['None', 'Character', 'Bitmap', 'Vector', 'Audio', 'BinaryText', 'XBin', 'Archive', 'Executable'];
const CHARACTER_TYPES = ['ASCII', 'ANSi', 'ANSiMation', 'RIP script', 'PCBoard', 'Avatar', 'HTML', 'Source', 'TundraDraw'];
const LETTER_SPACING = ['legacy', '8-pixel font', '9-pixel font', 'invalid'];
const ASPECT = ['legacy', 'stretched (DOS aspect)', 'square pixels', 'invalid'];

async function info(file: string, io: ArtCommandIO): Promise<number> {
  let buf: Buffer;
  let size: number;
  try {
    ({ buf, size } = await readTail(file));
  } catch (err) {
    io.err(`carrier: art info: ${describe(err, file)}`);
    return 1;
  }
  const { sauce, comments, contentLength } = parseSauce(buf);
  const content = buf.subarray(0, contentLength);
  const encoding = /\.utf8\.[^.]+$/i.test(file) || detectUtf8Text(content) ? 'UTF-8' : 'CP437';
  io.out(`file: ${file}`);
  if (size === buf.length) io.out(`size: ${size} bytes, ${contentLength} of them art (${encoding})`);
  else io.out(`size: ${size} bytes (only the last ${buf.length}, where SAUCE lives, were read)`);
  if (sauce) printSauce(sauce, comments, io);
  else io.out('SAUCE: none');
  const problem = await checkArtFile(file);
  if (problem) io.out(`problem: ${problem}`);
  return problem ? 1 : 0;
}

function printSauce(sauce: Sauce, comments: string[], io: ArtCommandIO): void {
  const date = /^\d{8}$/.test(sauce.date) ? `${sauce.date.slice(0, 4)}-${sauce.date.slice(4, 6)}-${sauce.date.slice(6)}` : sauce.date || '(none)';
  const dataType = DATA_TYPES[sauce.dataType] ?? `unknown (${sauce.dataType})`;
  const fileType = sauce.dataType === 1 ? (CHARACTER_TYPES[sauce.fileType] ?? `unknown (${sauce.fileType})`) : String(sauce.fileType);
  io.out('SAUCE: yes');
  io.out(`title: ${sauce.title || '(none)'}`);
  io.out(`author: ${sauce.author || '(none)'}`);
  io.out(`group: ${sauce.group || '(none)'}`);
  io.out(`date: ${date}`);
  io.out(`type: ${dataType} / ${fileType}`);
  if (sauce.dataType === 1) io.out(`dimensions: ${sauce.tinfo1} columns x ${sauce.tinfo2} lines`);
  else io.out(`tinfo: ${sauce.tinfo1} ${sauce.tinfo2} ${sauce.tinfo3} ${sauce.tinfo4}`);
  io.out(`iCE colors: ${sauce.iceColors ? 'yes' : 'no'}`);
  io.out(`letter spacing: ${LETTER_SPACING[sauce.letterSpacing] ?? sauce.letterSpacing}`);
  io.out(`aspect ratio: ${ASPECT[sauce.aspectRatio] ?? sauce.aspectRatio}`);
  io.out(`font: ${sauce.tinfos || '(none)'}`);
  io.out(`comments: ${comments.length === 0 ? '(none)' : ''}`);
  for (const c of comments) io.out(`  ${c}`);
}

/**
 * The whole file when it is art-sized; for a bigger one only its tail, where SAUCE
 * lives (the record, and up to 255 comment lines before it), so `info` still answers.
 */
async function readTail(file: string): Promise<{ buf: Buffer; size: number }> {
  const fh = await open(file, 'r');
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`${file} is not a regular file`);
    const want = Math.min(st.size, MAX_ART_BYTES);
    const buf = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await fh.read(buf, got, want - got, st.size - want + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return { buf: buf.subarray(0, got), size: st.size };
  } finally {
    await fh.close();
  }
}

function describe(err: unknown, file: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `no file ${file}`;
  if (code === 'EISDIR') return `${file} is a folder`;
  return (err as Error).message;
}
