import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, type Logger, type LogSink } from '@carrier/core';
import type { CarrierConfig } from './config-schema.js';

/** The sysop log: JSON lines on stdout, and in <dataDir>/logs/carrier.log when enabled. */
export function openLog(cfg: CarrierConfig): { log: Logger; close: () => Promise<void> } {
  const sinks: LogSink[] = [{ write: (l) => process.stdout.write(l) }];
  let file: ReturnType<typeof createWriteStream> | undefined;
  if (cfg.log.file) {
    const dir = join(cfg.dataDir, 'logs');
    mkdirSync(dir, { recursive: true });
    file = createWriteStream(join(dir, 'carrier.log'), { flags: 'a' });
    file.on('error', () => {
      /* a full disk must not crash the board; stdout still has the line */
    });
    const f = file;
    sinks.push({ write: (l) => f.write(l) });
  }
  const log = createLogger({ level: cfg.log.level, sinks, base: { pid: process.pid } });
  return {
    log,
    close: () => new Promise((resolve) => (file ? file.end(() => resolve()) : resolve())),
  };
}
