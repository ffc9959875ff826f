export {
  MessageEditor,
  EDITOR_DEFAULTS,
  EDITOR_MAX_WIDTH,
  EDITOR_MAX_HEIGHT,
  displayWidth,
  isSaveKey,
  quotePrefix,
  quoteLines,
  quoteStart,
  fitQuotedLine,
  quoteDepth,
  QUOTE_MAX_DEPTH,
  QUOTE_START_LINES,
  type EditorOptions,
  type EditorMode,
  type EditorOutcome,
} from './editor.js';
export { EDITOR_KEYS, EDITOR_KEY_COLUMN, helpRows } from './help.js';
export { EditorScreen, ABORT_PROMPT, EMPTY_PROMPT, EDITOR_HELP, EDITOR_HELP_ITEMS, EDITOR_HELP_SHORT, fitWidth, type EditorScreenOptions } from './render.js';
export { LineModeEditor, LINE_MODE_HELP, pickLines, type LineModeOutcome } from './line-mode.js';
