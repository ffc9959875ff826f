import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * `require` for a package's own files (ssh2's server, knex's sqlite3 dialect) that loads
 * each from where it really is. Resolved through a workspace package's symlink
 * (packages/ssh/node_modules/ssh2 -> node_modules/.pnpm/...), such a file can come back under
 * the link's path: seen under tsx's loader on some boards (a PostgreSQL board with ssh on,
 * once the data dir's lock was claimed at start), and the file's own `require('asn1')` or
 * `require('lodash/defaults')` then looks in the link's node_modules folders, where pnpm
 * puts only the workspace package's direct dependencies, and fails. From the real path it
 * finds the package's own dependencies beside it, as Node's resolution intends.
 */
export function realRequire(fromUrl: string): (id: string) => unknown {
  const require = createRequire(fromUrl);
  return (id) => require(realpathSync(require.resolve(id)));
}
