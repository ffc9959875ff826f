export { openStore, type Store, type StoreOptions } from './store.js';
export type { StoreKind, PoolSize } from './database.js';
export type { User, NewUser, UsersRepository } from './users.js';
export { MAX_RECENT_CALLS, type Call, type CallStart, type CallsRepository } from './calls.js';
export { KEY_ALGORITHMS, fingerprintOf, parsePublicKeyLine, type KeysRepository, type UserKey, type ParsedPublicKey } from './keys.js';
export { MIGRATIONS, type Migration } from './migrations.js';
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
  HANDLE_RULES,
  PASSWORD_RULES,
  LOCATION_RULES,
  type HandleValidation,
  type Validation,
} from './handles.js';
export { LEVELS, MIN_LEVEL, MAX_LEVEL, isValidLevel, type LevelName } from './levels.js';
