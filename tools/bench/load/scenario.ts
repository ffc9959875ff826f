// What every scenario gets and gives back; load.ts runs them.
import type { BenchBoard } from './bench-board.js';
import type { Distribution, ErrorTally } from './report.js';
import type { ProcSample } from './proc.js';

export interface ScenarioContext {
  board: BenchBoard;
  /** accounts on the board: load1..loadN */
  users: number;
  /** a numeric option from the command line, or its default */
  num(name: string, def: number): number;
  str(name: string, def: string): string;
  /** a progress line on stderr (stdout carries the report) */
  progress(text: string): void;
}

export interface ScenarioOutcome {
  params: Record<string, number | string | boolean>;
  latencies: Record<string, Distribution>;
  figures: Record<string, number>;
  errors: ErrorTally;
  notes: string[];
  /** the measured phase: the server's CPU is reported over it, its RSS at its end */
  window: { from: ProcSample; to: ProcSample };
}

export type Scenario = (ctx: ScenarioContext) => Promise<ScenarioOutcome>;
