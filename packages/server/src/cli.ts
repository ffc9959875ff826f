#!/usr/bin/env node
// The `carrier` command: `npm run carrier -- <verb>`. Exit codes: 0 done, 1 failed,
// 2 invalid config or usage (the message names the file and the key).
import { runCli } from './commands.js';
import { StartError } from './start-error.js';

// Output piped into `head` (or anything that stops reading): the reader has what it wanted,
// so stop quietly, as other command-line tools do, instead of an unhandled EPIPE stack.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

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
