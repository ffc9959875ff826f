export type { Session, ScriptBoard, ScriptFunction, ReadLineOptions } from './session-api.js';
export { LONG_LINE_MAX } from './session-api.js';
export { createBoard, type BoardOptions } from './board.js';
export { DEFAULT_BOARD_CONFIG, MAX_CHAT_REQUEST_TIMEOUT_MS, type BoardConfig } from './board-config.js';
export type { Board, LiveSession } from './board-types.js';
export { MAX_GUARD_DELAY_MS, type LoginGuard, type LoginAttempt, type LoginVerdict, type LoginEvent } from './login-guard.js';
export { InProcessBus, type Bus, type TopicHandler, type Unsubscribe } from './bus.js';
export { InProcessPresence, isEarlierStart, newProcessId, type Presence, type PresenceEntry } from './presence.js';
export { RedisBus, clearProcessPresence, inspectBoard, type BusStatus, type RedisBusOptions } from './redis-bus.js';
export type { ProcessGone, ProcessInfo } from './redis-presence.js';
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
  type SpyRequest,
  type SpyChunk,
  type SpyEnd,
} from './topics.js';
export { SpyRelay, SPY_LEASE_MS, SPY_RENEW_MS, type SpyHandlers } from './sysop/spy-relay.js';
export { BreakInChat, CHAT_LINE_MAX, type BreakInHandlers } from './sysop/break-in-chat.js';
export { APOLOGY, STORE_APOLOGY, MAX_SCRIPT_DEPTH } from './script-stack.js';
export { compileScript, type CompileResult, type ScriptProblem } from './script-compiler.js';
export { checkScripts } from './script-check.js';
export { KEY_RATE, keyName } from './key-input.js';
export { chatRoom, type ChatRoomOptions } from './chat/chat-room.js';
export { DEFAULT_CHAT_SETTINGS, chatSettings, type ChatSettings } from './chat/settings.js';
export { DEFAULT_ROOM } from './chat/room-name.js';
export { whosOnline } from './social/whos-online.js';
export { requestPrivateChat, type ChatPeer } from './social/split-chat.js';
export { ANSWER_KEY_NAME, noticeText, type Notice, type NoticeKind } from './social/notice.js';
export type { SessionSocial, Invitation } from './social/session-social.js';
export type { SessionView } from './session-view.js';
export { wrapLine, type PagerOptions } from './pager.js';
export { firstFitting, keyLegend, keyPrompt, LEGEND_KEY, printPrompt, printWords, type PromptKey } from './prompt-fit.js';
export type { LightbarItem, LightbarOptions } from './lightbar.js';
export { MENU_PREFIX, type Menu, type MenuDocument, type MenuParser, type MenuProblem } from './menu/types.js';
export { checkMenus, type MenuCheckOptions } from './menu/check.js';
export { boardMenuRefs, type BoardMenuOptions } from './menu/board-menus.js';
export * from './messages/index.js';
export { BoardDoors, readDoorsFile, type BoardDoorsOptions, type DoorsParser } from './doors/board-doors.js';
export { runDoor, doorsFor, doorsByLevel, DOOR_ACTIVITY_PREFIX, type DoorOutcome } from './doors/run-door.js';
export { BoardFiles, SIDECAR_SUFFIX, loadFilesFile, mib, type BoardFilesOptions, type FilesFileProblem, type FilesParser, type UploadSlot, type ScanResult, type Verdict, type LinkMaker } from './files/board-files.js';
export { validateFilesConfig, defaultFilesConfig, canList, canDownload, isSysop, TAG_PATTERN, PENDING_FOLDER, type FileArea, type FilesConfig, type UploadRules, type FilesProblem } from './files/areas.js';
export { fileNameProblem, describeNameProblem, baseName, MAX_FILE_NAME_LENGTH, type NameProblem } from './files/safe-name.js';
export { readFileIdDiz, cleanDescription } from './files/diz.js';
export { filesMenu } from './files/files-menu.js';
export { listingRow, formatSize } from './files/files-text.js';
export { sendFiles, receiveFiles, DEFAULT_STALL_MS, type OutgoingFile, type SendReport, type ReceiveReport, type TransferOptions, type TransferFailure } from './files/zmodem-transfer.js';
export { withTransferWire } from './files/session-transfer.js';
export type { TransferWire } from './files/wire.js';
export { DownloadLinks, LINK_ROUTE, type DownloadLinksOptions, type DownloadLink } from './files/download-links.js';
export { sftpBackendFor, type SftpBackendLike } from './files/sftp-backend.js';
export { singleFlight } from './single-flight.js';
// For scripts: a prompt whose screen a sysop's spy can have drawn again (for the spy alone).
export { drawAndReadKey, printAndReadLine, readLineUnder, type DrawAbove } from './draw-again.js';
export { clipToWidth, fitToWidth } from './text-fit.js';
// For scripts: a caller's text inside pipe-coded output.
export { pipeLiteral } from '@carrier/terminal';
