export { Session, type ReadLineOptions } from './session.js';
export { createBoard, DEFAULT_BOARD_CONFIG, type Board, type BoardConfig, type BoardOptions } from './board.js';
export { InProcessBus, type Bus, type TopicHandler, type Unsubscribe } from './bus.js';
export { InProcessPresence, type Presence, type PresenceEntry } from './presence.js';
export {
  topics,
  TOPIC_NAMES,
  isTopic,
  type Topic,
  type TopicPayload,
  type PresenceLeave,
  type SessionMessage,
  type SessionDisconnect,
  type ChatLine,
  type ChatMembership,
  type Page,
  type Broadcast,
} from './topics.js';
export { APOLOGY, MAX_SCRIPT_DEPTH } from './script-stack.js';
export type { ScriptFunction } from './script-loader.js';
export { compileScript, type CompileResult, type ScriptProblem } from './script-compiler.js';
export { checkScripts, type CheckOptions } from './script-check.js';
export { keyName } from './key-input.js';
