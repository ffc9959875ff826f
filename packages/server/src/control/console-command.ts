import { runLocalConsole } from '@carrier/sysop';
import type { CarrierConfig } from '../config-schema.js';
import { dialBoard, notRunning } from './cli-verbs.js';

/** `carrier sysop`: the full-screen console on the running board, over its control channel only. */
export async function sysopConsoleCommand(cfg: CarrierConfig, err: (line: string) => void): Promise<number> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    err('carrier: sysop draws a full-screen console and needs a terminal');
    return 2;
  }
  const client = await dialBoard(cfg);
  if (!client) {
    err(`carrier: ${notRunning(cfg)}`);
    return 1;
  }
  try {
    await runLocalConsole(client, cfg.board.name);
  } finally {
    client.close();
  }
  return 0;
}
