import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

const require = createRequire(import.meta.url);
const here = new URL('.', import.meta.url).pathname;

/**
 * Loads this package's ssh2 parts in a fresh node: where WebAssembly was compiled (the
 * calling frames of each compile), the builtins it added.
 */
function loadInFreshNode(): { wasm: string[]; builtins: string[] } {
  const script = `
    let wasm = [];
    for (const k of ['compile', 'instantiate']) {
      const f = WebAssembly[k];
      WebAssembly[k] = (...a) => { wasm.push(new Error().stack.split('\\n').slice(2, 6).join(' < ')); return f.apply(WebAssembly, a); };
    }
    const loaded = () => process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
    // The TypeScript loader (tsx, esbuild) has its own builtins: load a small .ts file first.
    await import(${JSON.stringify(new URL('./algorithms.ts', import.meta.url).href)});
    const before = new Set(loaded());
    wasm = [];
    const lib = await import(${JSON.stringify(new URL('./ssh2-lib.ts', import.meta.url).href)});
    new lib.Server({ hostKeys: [] });
    await new Promise((r) => setTimeout(r, 200));
    const builtins = loaded().filter((m) => !before.has(m));
    console.log(JSON.stringify({ wasm, builtins }));
  `;
  const r = spawnSync(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], { cwd: here, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { wasm: string[]; builtins: string[] };
}

describe("the ssh2 parts a board loads (idle memory, docs/benchmarks.md)", () => {
  it("loads ssh2's server without its client, agents or HTTP agents", () => {
    const { builtins } = loadInFreshNode();
    for (const m of ['https', 'tls', 'child_process']) assert.ok(!builtins.includes(m), `node:${m} is not loaded`);
  });

  it("compiles no WebAssembly when ssh2's crypto binding is built (patches/ssh2@*.patch)", (t) => {
    const { bindingAvailable } = require('ssh2/lib/protocol/crypto.js') as { bindingAvailable: boolean };
    if (!bindingAvailable) {
      t.skip('ssh2 was installed without its crypto binding: it needs the WebAssembly poly1305');
      return;
    }
    // Only ssh2's own compiles count: a CI run once counted one from elsewhere in the
    // process (not reproduced); the message names every caller, to tell them apart.
    const { wasm } = loadInFreshNode();
    assert.deepEqual(wasm.filter((site) => /[\\/]ssh2[\\/]/.test(site)), [], `poly1305 is left uncompiled; WebAssembly compiled at: ${wasm.join('; ') || 'nowhere'}`);
  });
});
