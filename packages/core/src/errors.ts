/**
 * Every error carrier raises on purpose carries a string code, so logs, tests and
 * callers can tell failures apart without parsing messages.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  PROTOCOL_VIOLATION: 'PROTOCOL_VIOLATION',
  SUBNEGOTIATION_TOO_LONG: 'SUBNEGOTIATION_TOO_LONG',
  HANDSHAKE_INVALID: 'HANDSHAKE_INVALID',
  TIMEOUT: 'TIMEOUT',
  CONNECTION_CLOSED: 'CONNECTION_CLOSED',
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  BANNED: 'BANNED',
  AUTH_FAILED: 'AUTH_FAILED',
  NOT_FOUND: 'NOT_FOUND',
  DUPLICATE: 'DUPLICATE',
  VALIDATION: 'VALIDATION',
  SCRIPT_FAILED: 'SCRIPT_FAILED',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  BUS_UNAVAILABLE: 'BUS_UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class CarrierError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CarrierError';
    this.code = code;
    this.details = details;
  }
}

/** A read or a wait that ran out of time; `received` is what had arrived so far. */
export class TimeoutError extends CarrierError {
  readonly received: string;
  constructor(message: string, received = '') {
    super(ErrorCodes.TIMEOUT, message);
    this.name = 'TimeoutError';
    this.received = received;
  }
}

/** The peer hung up (or we closed) while something was waiting for it. */
export class ConnectionClosedError extends CarrierError {
  constructor(reason: string) {
    super(ErrorCodes.CONNECTION_CLOSED, `connection closed: ${reason}`);
    this.name = 'ConnectionClosedError';
  }
}

export function isCarrierError(e: unknown, code?: ErrorCode): e is CarrierError {
  return e instanceof CarrierError && (code === undefined || e.code === code);
}
