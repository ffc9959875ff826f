import { escapeClientText } from '@carrier/core';
import { TelnetDecoder, commandName, optionName } from '@carrier/telnet';

export type ServiceKind = 'telnet' | 'ssh' | 'rlogin' | 'http' | 'unknown';

export interface ServiceGuess {
  service: ServiceKind;
  /** what it said, safe to print: options asked, a version line, a status line */
  detail: string;
}

/** A detail longer than this is cut: a probe report is one line per port. */
const MAX_DETAIL = 200;

function firstLine(bytes: Buffer, max = 120): string {
  const text = bytes.toString('latin1');
  const end = text.search(/[\r\n]/);
  return escapeClientText(end < 0 ? text : text.slice(0, end), max);
}

function cut(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}

/**
 * What a service's first words (sent before we said anything) make it: telnet when they
 * hold option negotiation (the options it asks are the detail), SSH when they begin with
 * its identification line (RFC 4253 §4.2), else unknown with the first line.
 */
export function classifyBanner(banner: Buffer): ServiceGuess {
  if (banner.subarray(0, 4).toString('latin1') === 'SSH-') return { service: 'ssh', detail: firstLine(banner, 255) };
  const asks: string[] = [];
  const text: Buffer[] = [];
  for (const ev of new TelnetDecoder({ normalizeEnter: false, dropBareDataMark: false, maxSubnegotiation: 1024 }).push(banner)) {
    if (ev.type === 'command' && ev.option !== undefined) asks.push(`${commandName(ev.command)} ${optionName(ev.option).toUpperCase()}`);
    else if (ev.type === 'subnegotiation') asks.push(`SB ${optionName(ev.option).toUpperCase()}`);
    else if (ev.type === 'data') text.push(ev.bytes);
  }
  if (asks.length > 0) return { service: 'telnet', detail: cut(`asks ${asks.join(', ')}`) };
  const words = Buffer.concat(text);
  if (words.subarray(0, 5).toString('latin1') === 'HTTP/') return { service: 'http', detail: firstLine(words) };
  return { service: 'unknown', detail: cut(`says "${firstLine(words)}"`) };
}

/** A silent service's answer to an HTTP request: a status line makes it a web server. */
export function classifyHttpReply(reply: Buffer): ServiceGuess | undefined {
  if (reply.subarray(0, 5).toString('latin1') !== 'HTTP/') return undefined;
  const server = /\r?\nserver:[ \t]*([^\r\n]*)/i.exec(reply.toString('latin1'));
  const status = firstLine(reply);
  return { service: 'http', detail: server ? `${status} (${escapeClientText(server[1]!, 60)})` : status };
}

/** A silent service's answer to an rlogin handshake: one NUL first is the RFC 1282 acceptance. */
export function classifyRloginReply(reply: Buffer): ServiceGuess | undefined {
  if (reply.length === 0 || reply[0] !== 0) return undefined;
  return { service: 'rlogin', detail: 'accepted the handshake' };
}
