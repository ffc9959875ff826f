export { FrameDecoder, encodeFrame, encodeMessage, parseMessage, MAX_FRAME_BYTES, MAX_REPLY_BYTES, FRAME_HEADER_BYTES, type FrameEvent, type FrameError } from './frame.js';
export {
  VERBS,
  isVerb,
  checkArgs,
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
export { runConsole, nodeRow, NODE_HEADER, type ConsoleOptions } from './console/console.js';
export { SpyScreen } from './console/spy-screen.js';
export { runLocalConsole } from './console/local.js';
