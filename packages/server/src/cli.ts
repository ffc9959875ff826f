#!/usr/bin/env node
// The `carrier` command: `npm run carrier -- <verb>`. Exit codes: 0 done, 1 failed,
// 2 invalid config or usage (the message names the file and the key), or a start on a data dir
// another board runs on.
import { ErrorCodes, isCarrierError } from '@carrier/core';
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
    // A start error is one line naming what to change, and so is a database or Redis that
    // does not answer (down, or a wrong URL: the sysop's to fix); anything else is a bug: its stack.
    const text = err instanceof StartError || unreachable(err) ? (err as Error).message : ((err as Error)?.stack ?? String(err));
    process.stderr.write(`carrier: ${text}\n`);
    process.exitCode = 1;
  },
);

function unreachable(err: unknown): boolean {
  return isCarrierError(err, ErrorCodes.STORE_UNAVAILABLE) || isCarrierError(err, ErrorCodes.BUS_UNAVAILABLE);
}
