// What `npm start` runs the board with, read from the root package.json's start script:
// the environment assignments and node flags before `packages/server/dist/cli.js`. The
// benchmarks start the built server the same way, so they measure what a sysop runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StartRuntime {
  env: Record<string, string>;
  nodeFlags: string[];
}

export function npmStartRuntime(repoRoot: string): StartRuntime {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const command = pkg.scripts.start.split('&&').map((c) => c.trim()).find((c) => c.includes('packages/server/dist/cli.js'));
  if (!command) throw new Error('package.json: no start command runs packages/server/dist/cli.js');
  const words = command.split(/\s+/);
  const env: Record<string, string> = {};
  const nodeFlags: string[] = [];
  let i = 0;
  for (; i < words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[i]!); i++) {
    const [k, ...v] = words[i]!.split('=');
    env[k!] = v.join('=');
  }
  if (words[i] !== 'node') throw new Error(`package.json start: expected node after the environment, found ${words[i]}`);
  for (i++; i < words.length && words[i]!.startsWith('--'); i++) nodeFlags.push(words[i]!);
  return { env, nodeFlags };
}
