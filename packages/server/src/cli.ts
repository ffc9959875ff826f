#!/usr/bin/env node
// The `carrier` command: `npm run carrier -- <verb>`. Exit codes: 0 done, 1 failed,
// 2 invalid config or usage (the message names the file and the key).
import { runCli } from './commands.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`carrier: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
