import { encodingForTerminalType, sanitizeToken, TERMINAL_LIMITS, type TerminalInfo } from '@carrier/core';
import type { RloginHandshake } from './handshake.js';

/**
 * Door servers put the door to run in the terminal field (`xtrn=LORD`) instead of a
 * terminal type (PROTOCOL-NOTES, "How BBSes use it").
 */
const DOOR_FIELD = /^xtrn=/i;

/**
 * What the handshake says about the caller's terminal: the type from the terminal
 * field (lowercased, sanitized, capped), the encoding the type implies (same table as
 * telnet's TTYPE), and the raw field as RLOGIN_TERM in the untrusted env. rlogin
 * carries no size we can ask for (that needs urgent data), so the size stays 'default'
 * and the engine probes it.
 */
export function rloginTerminal(handshake: RloginHandshake): Partial<TerminalInfo> {
  const field = sanitizeToken(handshake.terminalField, TERMINAL_LIMITS.maxEnvValueLength);
  const type = DOOR_FIELD.test(handshake.terminalField)
    ? ''
    : sanitizeToken(handshake.terminalType, TERMINAL_LIMITS.maxTypeLength, true);
  const encoding = type ? encodingForTerminalType(type) : undefined;
  return {
    protocol: 'rlogin',
    type: type || 'unknown',
    types: type ? [type] : [],
    env: field ? { RLOGIN_TERM: field } : {},
    ...(encoding ? { encoding, encodingSource: 'ttype' as const } : {}),
  };
}
