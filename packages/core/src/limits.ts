/** Bounds applied to anything a client tells us about its terminal. */
export const TERMINAL_LIMITS = {
  /** Screens narrower or shorter than this are treated as lies (NetRunner answers 1x1). */
  minCols: 10,
  minRows: 5,
  /** 999 is what a cursor probe returns from clients that do not clamp `ESC[999;999H`. */
  maxCols: 500,
  maxRows: 300,
  defaultCols: 80,
  defaultRows: 25,
  /** TTYPE, TERM and env values longer than this are truncated. */
  maxTypeLength: 40,
  maxEnvKeyLength: 64,
  maxEnvValueLength: 256,
  maxEnvEntries: 64,
  /** TTYPE cycling stops after this many answers (PROTOCOL-NOTES). */
  maxTypeAnswers: 8,
} as const;

export function clampSize(cols: number, rows: number): { cols: number; rows: number; sane: boolean } {
  const L = TERMINAL_LIMITS;
  const sane =
    Number.isFinite(cols) && Number.isFinite(rows) &&
    cols >= L.minCols && rows >= L.minRows && cols < 999 && rows < 999;
  if (!sane) {
    // A nonsense size says nothing: 0x0, 65535x65535, 1x1. Fall back to the default
    // only for values that are clearly unusable, otherwise clamp into range.
    const c = Number.isFinite(cols) && cols >= L.minCols && cols < 999 ? cols : L.defaultCols;
    const r = Number.isFinite(rows) && rows >= L.minRows && rows < 999 ? rows : L.defaultRows;
    return { cols: Math.min(c, L.maxCols), rows: Math.min(r, L.maxRows), sane: false };
  }
  return { cols: Math.min(cols, L.maxCols), rows: Math.min(rows, L.maxRows), sane: true };
}
