#!/usr/bin/env node
// The `carrier` command: `npm run carrier -- <verb>`. Exit codes: 0 done, 1 failed,
// 2 invalid config or usage (the message names the file and the key).
import { runCli } from './commands.js';
import { StartError } from './start-error.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    // A start error is one line naming what to change; anything else is a bug: its stack.
    const text = err instanceof StartError ? err.message : ((err as Error)?.stack ?? String(err));
    process.stderr.write(`carrier: ${text}\n`);
    process.exitCode = 1;
  },
);
