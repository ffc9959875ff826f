import { stat } from 'node:fs/promises';

/**
 * A file's version as `mtimeMs:size`, or undefined when it is missing or not a regular
 * file: what the hot-reloading loaders (scripts, menus) compare to notice a sysop's edit
 * on the next use, with no restart and no file watcher.
 */
export async function stampOf(file: string): Promise<string | undefined> {
  try {
    const st = await stat(file);
    if (!st.isFile()) return undefined;
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return undefined;
  }
}
