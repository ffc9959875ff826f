export { DROP_BAUD, DROP_FILE_KINDS, door32Sys, doorSys, dorinfo1Def, dropFile, type DropFileKind, type DropInfo } from './drop-files.js';
export {
  DEFAULT_LEVEL,
  DOOR_NAME,
  MAX_DOORS,
  parseDuration,
  validateDoors,
  type DoorDefinition,
  type DoorTerminal,
  type DoorProblem,
  type DoorsDocument,
  type DoorsValidation,
} from './config.js';
export { DOOR_PATH, doorEnvironment, doorTerm, type DoorEnvironmentInput } from './environment.js';
export {
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_PRLIMIT,
  DOOR_MISSING,
  DoorProcess,
  groupMembers,
  limitedArgv,
  signalGroup,
  type DoorExit,
  type DoorSpawnOptions,
} from './runner.js';
export { TERMINAL_RESET, bridgeDoor, type BridgeOptions, type BridgeStats, type DoorBridge, type DoorEndpoint } from './bridge.js';
