export { RloginServer, RLOGIN_DEFAULT_PORT, RLOGIN_DEFAULT_HANDSHAKE_TIMEOUT_MS, type RloginServerOptions } from './rlogin-server.js';
export { RloginConnection } from './rlogin-connection.js';
export {
  RloginHandshakeParser,
  RLOGIN_MAX_FIELD_BYTES,
  type RloginHandshake,
  type RloginHandshakeStep,
  type RloginHandshakeErrorCode,
} from './handshake.js';
export { RloginWindowSizeFilter, type RloginWindowSize, type RloginInputEvent } from './window-size.js';
export { AddressList } from './address-list.js';
