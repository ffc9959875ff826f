import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { realRequire } from './real-require.js';

describe('realRequire', () => {
  it("loads a package's file from its real path, so the file's own dependencies are found beside it", () => {
    // The pnpm layout: store/pkg@1/node_modules/{pkg,dep}, and a workspace package that links only pkg.
    const root = mkdtempSync(join(tmpdir(), 'carrier-real-require-'));
    try {
      const store = join(root, 'store', 'pkg@1', 'node_modules');
      mkdirSync(join(store, 'pkg', 'lib'), { recursive: true });
      mkdirSync(join(store, 'dep'), { recursive: true });
      writeFileSync(join(store, 'dep', 'index.js'), 'module.exports = "dep";\n');
      writeFileSync(join(store, 'pkg', 'lib', 'inner.js'), 'module.exports = { dep: require("dep"), file: __filename };\n');
      const ws = join(root, 'ws', 'node_modules');
      mkdirSync(ws, { recursive: true });
      symlinkSync(join(store, 'pkg'), join(ws, 'pkg'));
      const from = pathToFileURL(join(root, 'ws', 'src.js')).href;
      const inner = realRequire(from)('pkg/lib/inner.js') as { dep: string; file: string };
      assert.equal(inner.dep, 'dep');
      assert.equal(inner.file, join(store, 'pkg', 'lib', 'inner.js'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
