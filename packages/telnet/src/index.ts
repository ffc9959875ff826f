export { Cmd, Opt, Ttype, Env, Charset, optionName, commandName } from './constants.js';
export type { NegotiationCommand, SimpleCommand } from './constants.js';
export { TelnetDecoder } from './decoder.js';
export type { TelnetEvent, TelnetDecoderOptions, TelnetDecodeErrorCode } from './decoder.js';
export {
  escapeIac,
  encodeCommand,
  encodeSubnegotiation,
  encodeNaws,
  encodeTtypeSend,
  encodeTtypeIs,
  encodeNewEnvironSend,
  encodeNewEnvironIs,
  encodeCharsetRequest,
  encodeCharsetAccepted,
  encodeCharsetRejected,
} from './encoder.js';
export type { EnvVarRef, EnvEntry } from './encoder.js';
export { QMethod } from './qmethod.js';
export type { Side, QState, OptionPolicy, QReceiveResult, QChange } from './qmethod.js';
export { parseTtype, parseMtts, MttsBit } from './options/ttype.js';
export { parseNaws } from './options/naws.js';
export { parseNewEnviron } from './options/new-environ.js';
export { parseCharset } from './options/charset.js';
export { ServerNegotiator } from './negotiator.js';
export type { NegotiatedTerminal } from './negotiator.js';
export { TelnetConnection } from './telnet-connection.js';
export type { NegotiationOutcome } from './telnet-connection.js';
export { TelnetServer, TELNET_DEFAULTS } from './telnet-server.js';
export type { TelnetServerOptions } from './telnet-server.js';
