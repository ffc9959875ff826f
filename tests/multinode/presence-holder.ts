// Starts tests/multinode/presence-holder.fixture.ts: a process that joins the board's
// presence under a given process id with `count` callers, and then only heartbeats.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '../harness.js';

/** Resolves with the child and its first caller's node once it is on the board (it says READY <node>). */
export function startPresenceHolder(processId: string, redisUrl: string, prefix: string, count?: number): Promise<{ child: ChildProcess; node: number }> {
  const args = [join(repoRoot, 'tests/multinode/presence-holder.fixture.ts'), processId, redisUrl, prefix, ...(count === undefined ? [] : [String(count)])];
  const child = spawn(process.execPath, ['--conditions=carrier-src', '--import', 'tsx', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the presence holder did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the presence holder exited (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^READY (\d+)$/.exec(line);
      if (!m) return;
      clearTimeout(timer);
      resolve({ child, node: Number(m[1]) });
    });
  });
}
