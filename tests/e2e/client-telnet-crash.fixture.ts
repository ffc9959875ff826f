// For client-telnet.test.ts: the interactive caller's terminal guard, put in raw mode with
// the cursor hidden, and then an exception nobody catches. The test checks, from the shell
// that ran this, that the terminal came back in cooked mode.
import { LocalTerminal } from '@carrier/client/testing';

const terminal = new LocalTerminal(process.stdin, process.stdout);
terminal.enterRaw();
process.stdout.write("\x1b[?25l\x1b[?7l\x1b[1;31mRAW-MODE-ON\r\n");
setTimeout(() => {
  throw new Error('deliberate crash for the terminal-restore test');
}, 200);
