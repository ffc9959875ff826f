export { Session, type ReadLineOptions } from './session.js';
export { createBoard, DEFAULT_BOARD_CONFIG, type Board, type BoardConfig, type BoardOptions } from './board.js';
export { MAX_GUARD_DELAY_MS, type LoginGuard, type LoginAttempt, type LoginVerdict, type LoginEvent } from './login-guard.js';
export { InProcessBus, type Bus, type TopicHandler, type Unsubscribe } from './bus.js';
export { InProcessPresence, type Presence, type PresenceEntry } from './presence.js';
export { RedisBus, clearProcessPresence, inspectBoard, type BusStatus, type RedisBusOptions } from './redis-bus.js';
export type { ProcessInfo } from './redis-presence.js';
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
  type PrivateMessage,
  type ChatKick,
  type ChatMute,
  type PrivateChatRequest,
  type PrivateChatAnswer,
  type PrivateChatLine,
  type PrivateChatEnd,
  type BusLink,
} from './topics.js';
export { APOLOGY, STORE_APOLOGY, MAX_SCRIPT_DEPTH } from './script-stack.js';
export type { ScriptFunction } from './script-loader.js';
export { compileScript, type CompileResult, type ScriptProblem } from './script-compiler.js';
export { checkScripts, type CheckOptions } from './script-check.js';
export { keyName } from './key-input.js';
export { chatRoom, type ChatRoomOptions } from './chat/chat-room.js';
export { DEFAULT_CHAT_SETTINGS, type ChatSettings } from './chat/settings.js';
export { DEFAULT_ROOM } from './chat/room-name.js';
export { whosOnline } from './social/whos-online.js';
export { requestPrivateChat, type ChatPeer } from './social/split-chat.js';
export { ANSWER_KEY_NAME, type Notice, type NoticeKind } from './social/notice.js';
export type { SessionSocial, Invitation } from './social/session-social.js';
export type { SessionView } from './session-view.js';
export type { PagerOptions } from './pager.js';
export type { LightbarItem, LightbarOptions } from './lightbar.js';
export { MENU_PREFIX, type Menu, type MenuDocument, type MenuParser, type MenuProblem } from './menu/types.js';
export { checkMenus, type MenuCheckOptions } from './menu/check.js';
export { boardMenuRefs, type BoardMenuOptions } from './menu/board-menus.js';
