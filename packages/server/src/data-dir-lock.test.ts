// The data dir's claim must not change how the process resolves modules afterwards.
// Node 20's realpath (which require and import use) reads the shared buffer of the last
// stat call for a path component it has cached; left holding a socket's stat, it stops
// resolving there and hands back a symlinked path. pnpm links each workspace package's
// dependencies (packages/engine/node_modules/ioredis -> node_modules/.pnpm/...), and a
// module loaded under the link's path cannot find its own dependencies: a board claimed
// its dir, then failed "Cannot find module '@ioredis/commands'" when Redis was first used.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import { claimDataDir } from './data-dir-lock.js';

describe('the data dir claim and module resolution', () => {
  it('a package reached through a symlink still resolves to its real path after the claim', async () => {
    const root = scratchDir('carrier-lock-resolve-');
    mkdirSync(join(root, 'store', 'pkg'), { recursive: true });
    writeFileSync(join(root, 'store', 'pkg', 'index.js'), 'module.exports = 1;\n');
    mkdirSync(join(root, 'app'));
    symlinkSync(join('..', 'store', 'pkg'), join(root, 'app', 'pkg'));
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    const require = createRequire(pathToFileURL(join(root, 'entry.js')));
    const real = join(root, 'store', 'pkg', 'index.js');
    // The directories above are now realpath's cached, known components.
    assert.equal(require.resolve('./store/pkg/index.js'), real);

    const claim = await claimDataDir(dataDir);
    try {
      // Fails without: the claim's stat of its socket was the last one, and this came back as app/pkg/index.js.
      assert.equal(require.resolve('./app/pkg/index.js'), real);
    } finally {
      claim.release();
    }
  });
});
