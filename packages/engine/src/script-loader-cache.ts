import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stampOf } from './file-stamp.js';
import { COMPILER_URL } from './script-compiler.js';

/**
 * What the script loader remembers across restarts: for each script, the build it last
 * made and the stamps of every file bundled into it. A board that starts with unchanged
 * scripts imports these builds as they are, so esbuild (about 12 MiB once loaded, plus
 * its service process) is loaded only when a script was edited. A build is reused only
 * by the same carrier: the same loader and compiler files (a moved or rebuilt install,
 * or the sources run through tsx instead of dist, resolve the engine elsewhere) and the
 * same esbuild.
 */
export interface BuildManifest {
  /** the build file, in the same dir as the builds */
  out: string;
  /** [file, stamp] of every file bundled in */
  stamps: Array<[string, string]>;
  carrier: string;
}

let identity: Promise<string> | undefined;

/** The loader, the compiler (and its stamp) and esbuild this process would build with. */
export function carrierIdentity(): Promise<string> {
  identity ??= (async () => {
    let esbuildUrl = 'unresolved';
    try {
      esbuildUrl = import.meta.resolve('esbuild');
    } catch {
      // no esbuild: a cached build is still usable, a new one will fail with a clear error
    }
    return [import.meta.url, COMPILER_URL, (await stampOf(fileURLToPath(COMPILER_URL))) ?? 'missing', esbuildUrl].join('|');
  })();
  return identity;
}

function manifestFile(outDir: string, name: string): string {
  return join(outDir, 'manifest', `${name}.json`);
}

/** The build recorded for `name` if it is still current (every stamp unchanged, same carrier), else undefined. */
export async function currentBuild(outDir: string, name: string): Promise<{ file: string; stamps: Map<string, string> } | undefined> {
  let m: BuildManifest;
  try {
    m = JSON.parse(await readFile(manifestFile(outDir, name), 'utf8')) as BuildManifest;
  } catch {
    return undefined;
  }
  if (typeof m.out !== 'string' || !Array.isArray(m.stamps) || m.carrier !== (await carrierIdentity())) return undefined;
  if (m.out.includes('/') || m.out.includes('\\')) return undefined;
  for (const [file, stamp] of m.stamps) if ((await stampOf(file)) !== stamp) return undefined;
  const file = join(outDir, m.out);
  if ((await stampOf(file)) === undefined) return undefined;
  return { file, stamps: new Map(m.stamps) };
}

/** Records a fresh build (written under a temporary name and renamed, as the builds are). */
export async function recordBuild(outDir: string, name: string, out: string, stamps: Map<string, string>): Promise<void> {
  const file = manifestFile(outDir, name);
  await mkdir(dirname(file), { recursive: true });
  const manifest: BuildManifest = { out, stamps: [...stamps], carrier: await carrierIdentity() };
  const tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  await writeFile(tmp, JSON.stringify(manifest));
  await rename(tmp, file);
}
