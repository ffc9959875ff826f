import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * `require` for a package's own files (ssh2's server, knex's sqlite3 dialect) that loads
 * each from where it really is. Resolved through a workspace package's symlink
 * (packages/ssh/node_modules/ssh2 -> node_modules/.pnpm/...), such a file can come back under
 * the link's path when the process's last stat call was of a socket: Node 20's realpath
 * then stops at a cached path component (server/data-dir-lock.ts, whose claim was such a
 * stat, says more and no longer leaves one). The file's own `require('asn1')` or
 * `require('lodash/defaults')` would then look in the link's node_modules folders, where
 * pnpm puts only the workspace package's direct dependencies, and fail. From the real path
 * it finds the package's own dependencies beside it, whatever stat came last.
 */
export function realRequire(fromUrl: string): (id: string) => unknown {
  const require = createRequire(fromUrl);
  return (id) => require(realpathSync(require.resolve(id)));
}
