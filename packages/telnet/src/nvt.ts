import { Cmd, type SimpleCommand } from './constants.js';

/**
 * The NVT editing and interrupt functions (RFC 854) as the keys a line editor already
 * understands, so a client that sends IAC IP for ^C or IAC EC for backspace (linemode-
 * style "localchars") still reaches the session. Returns undefined for commands that
 * carry nothing for the session (NOP, DM, GA, AO, BRK, AYT).
 */
export function inputForCommand(command: SimpleCommand): Buffer | undefined {
  switch (command) {
    case Cmd.IP:
      return CTRL_C;
    case Cmd.EC:
      return BACKSPACE;
    case Cmd.EL:
      return CTRL_U;
    default:
      return undefined;
  }
}

/** The answer to IAC AYT (RFC 854 asks for "some visible evidence"); ASCII, so any encoding shows it. */
export const AYT_REPLY = Buffer.from('\r\n[carrier: yes]\r\n', 'ascii');

const CTRL_C = Buffer.from([0x03]);
const BACKSPACE = Buffer.from([0x08]);
const CTRL_U = Buffer.from([0x15]);
