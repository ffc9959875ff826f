// FILE_ID.DIZ: the one-paragraph description BBS archives have carried since the 1990s,
// read from inside a zip with yauzl (no unzip binary), bounded in every direction.
// yauzl is loaded on the first DIZ read, not when the board starts (issue 18: idle memory).
import type yauzl from 'yauzl';

/** A DIZ is 10 lines of 45 characters by the spec; anything near this is not one. */
const MAX_DIZ_BYTES = 16 * 1024;
/** Central-directory entries looked at before giving up. */
const MAX_ENTRIES = 10_000;

async function openZip(path: string): Promise<yauzl.ZipFile> {
  const { default: zipLib } = await import('yauzl');
  return new Promise((resolve, reject) =>
    zipLib.open(path, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }, (err, zip) =>
      err || !zip ? reject(err ?? new Error('no zip')) : resolve(zip),
    ),
  );
}

/** The FILE_ID.DIZ text of a zip (CP437 decoded as latin1, controls removed), or undefined. */
export async function readFileIdDiz(path: string): Promise<string | undefined> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path);
  } catch {
    return undefined;
  }
  try {
    return await new Promise<string | undefined>((resolve, reject) => {
      let seen = 0;
      zip.on('error', reject);
      zip.on('end', () => resolve(undefined));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (++seen > MAX_ENTRIES) return resolve(undefined);
        const base = entry.fileName.split('/').pop() ?? '';
        if (base.toLowerCase() !== 'file_id.diz' || entry.uncompressedSize > MAX_DIZ_BYTES) return zip.readEntry();
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_DIZ_BYTES) stream.destroy(new Error('FILE_ID.DIZ too large'));
            else chunks.push(c);
          });
          stream.on('error', reject);
          stream.on('end', () => resolve(cleanDescription(Buffer.concat(chunks).toString('latin1'))));
        });
      });
      zip.readEntry();
    });
  } catch {
    return undefined;
  } finally {
    zip.close();
  }
}

/** One description as the index keeps it: controls out, lines joined, bounded. */
export function cleanDescription(text: string, max = 512): string {
  return text
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .join('\n')
    .slice(0, max);
}
