export { openStore, type Store, type StoreOptions } from './store.js';
export type { StoreKind, PoolSize } from './database.js';
export type { User, NewUser, UsersRepository, UserSettings, MenuStyle } from './users.js';
export { MENU_STYLES, USER_ENCODINGS } from './users.js';
export { MAX_RECENT_CALLS, type Call, type CallStart, type CallsRepository } from './calls.js';
export type { ProcessBeat, ProcessesRepository } from './processes.js';
export { KEY_ALGORITHMS, fingerprintOf, parsePublicKeyLine, type KeysRepository, type UserKey, type ParsedPublicKey, type PublicKeyCheck } from './keys.js';
export { MIGRATIONS, type Migration } from './migrations.js';
export { MAX_CLIENT_HISTORY, type ClientHistoryEntry, type ClientHistoryRepository } from './client-history.js';
export { BAN_SOURCES, MAX_ACTIVE_BANS, canonicalBanTarget, type Ban, type BanSource, type NewBan, type BansRepository } from './bans.js';
export type { LoginRecord, LoginsRepository } from './logins.js';
export type { PoolStats } from './pool-stats.js';
export { guardRepository, isUnavailable } from './unavailable.js';
export {
  FILE_COLUMNS,
  MAX_FILE_PAGE,
  type FileEntry,
  type NewFileEntry,
  type QuarantinedUpload,
  type NewUpload,
  type FileSearch,
  type FilesRepository,
} from './files.js';
export {
  ONELINER_MAX_LENGTH,
  MAX_RECENT_ONELINERS,
  ONELINER_WALL,
  DEFAULT_ONELINER_LIMITS,
  type OnelinerLimits,
  type Oneliner,
  type NewOneliner,
  type OnelinersRepository,
} from './oneliners.js';
export { MAX_CHAT_HISTORY, type ChatHistoryLine, type ChatHistoryRepository } from './chat-history.js';
export {
  hashPassword,
  verifyPassword,
  needsRehash,
  storedHashParams,
  DEFAULT_SCRYPT_PARAMS,
  type ScryptParams,
} from './passwords.js';
export {
  validateHandle,
  validatePassword,
  validateLocation,
  handleKey,
  handleSkeleton,
  HANDLE_RULES,
  PASSWORD_RULES,
  LOCATION_RULES,
  type HandleValidation,
  type HandleOptions,
  type Validation,
} from './handles.js';
export { LEVELS, MIN_LEVEL, MAX_LEVEL, isValidLevel, type LevelName } from './levels.js';
export {
  MESSAGE_LIMITS,
  MAX_LIST,
  MAX_THREAD,
  MAX_SEARCH,
  fitSubject,
  fitBody,
  replySubject,
  searchWords,
  deletedRecipient,
  DELETED_RECIPIENT_MARK,
  type Message,
  type MessageSummary,
  type NewMessage,
  type MessageScan,
  type MessagesRepository,
} from './messages.js';
export { MAX_MAILBOX, type Mail, type MailSummary, type NewMail, type MailRepository } from './mail.js';
export { utcDay, type DoorUsageRepository } from './door-usage.js';
