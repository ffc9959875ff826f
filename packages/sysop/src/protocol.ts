// The control protocol alone: frames, verbs and the client that dials a control socket.
// The server imports this entry (`@carrier/sysop/protocol`), not the package's index, so a
// board does not load the console and its headless terminal (@xterm/headless) to answer
// control requests; the console is loaded when a sysop opens it.
export { FrameDecoder, encodeFrame, encodeMessage, parseMessage, MAX_FRAME_BYTES, MAX_REPLY_BYTES, FRAME_HEADER_BYTES, type FrameEvent, type FrameError } from './frame.js';
export {
  VERBS,
  isVerb,
  checkArgs,
  ownAccountRefusal,
  type AccountChange,
  type Verb,
  type ArgsOf,
  type Schema,
  type FieldSpec,
  type ControlError,
  type ControlErrorCode,
  type NodeInfo,
  type UserInfo,
  type UserDetail,
  type StatsInfo,
  type BanInfo,
  type LogLine,
  type SpyData,
} from './verbs.js';
export { ControlClient, ControlRequestError, dialControl, registerControlDialer, controlDialerFor, type ControlEndpoint, type ControlDialer } from './client.js';
