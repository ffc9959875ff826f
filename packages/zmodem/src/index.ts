// @carrier/zmodem: a pure ZMODEM codec (bytes in, bytes and events out) and the sender and
// receiver state machines. No sockets, files or timers: the engine drives them.
export * from './constants.js';
export { crc16, crc32 } from './crc.js';
export { escape, encodeHexHeader, encodeBinHeader, encodeSubpacket, positionBytes, bytesPosition, type EscapeOptions } from './encoder.js';
export { ZmodemDecoder, type ZmodemEvent, type HeaderForm, type DecodeErrorCode, type ZmodemDecoderOptions } from './decoder.js';
export { encodeFileInfo, parseFileInfo, MAX_NAME_BYTES, type FileInfo } from './file-info.js';
export { DEFAULT_LIMITS, type TransferLimits, type FailureCode } from './limits.js';
export { ZmodemSender, type SenderEvent, type SenderOptions, type SenderState, type Step } from './sender.js';
export { ZmodemReceiver, type ReceiverEvent, type ReceiverOptions, type ReceiverState } from './receiver.js';
