import { createWriteStream } from 'node:fs';
import { TELNET_USAGE, parseTelnetArgs } from './args.js';
import { InteractiveCaller } from './caller.js';
import { formatHistory, type ConnectionHistory } from './history.js';
import { LocalTerminal, type LocalInput, type LocalOutput } from './local-terminal.js';

export interface TelnetCommandDeps {
  /** where connections are recorded (the server passes the board's store) */
  history?: ConnectionHistory | undefined;
  input?: LocalInput;
  output?: LocalOutput;
  errors?: { write(text: string): unknown };
  env?: NodeJS.ProcessEnv;
}

/** Long enough for a board across the world; a person can Ctrl-C a hung connect anyway. */
const CONNECT_TIMEOUT_MS = 15_000;

/** `carrier telnet ...`: returns the exit status (0 done, 1 failed, 2 usage). */
export async function runTelnetCommand(argv: readonly string[], deps: TelnetCommandDeps = {}): Promise<number> {
  const output = deps.output ?? process.stdout;
  const errors = deps.errors ?? process.stderr;
  const env = deps.env ?? process.env;
  const args = parseTelnetArgs(argv);
  if ('error' in args) {
    errors.write(`carrier telnet: ${args.error}\n${TELNET_USAGE}`);
    return 2;
  }
  if (args.kind === 'history') {
    if (!deps.history) {
      errors.write('carrier telnet: no history store is available\n');
      return 1;
    }
    output.write(formatHistory(await deps.history.recent(args.limit)).join('\n') + '\n');
    return 0;
  }
  const trace = args.trace ? createWriteStream(args.trace, { flags: 'a' }) : undefined;
  trace?.on('error', (err) => errors.write(`carrier telnet: --trace ${args.trace}: ${err.message}\n`));
  const caller = new InteractiveCaller({
    terminal: new LocalTerminal(deps.input ?? process.stdin, output, errors),
    history: deps.history,
    charset: args.charset,
    escapeByte: args.escapeByte,
    terminalType: env['TERM'] || 'ansi',
    connectTimeout: CONNECT_TIMEOUT_MS,
    trace: trace ? (line) => trace.write(`${line}\n`) : undefined,
  });
  try {
    return await caller.run(args.host === undefined ? undefined : { host: args.host, port: args.port });
  } finally {
    trace?.end();
  }
}
