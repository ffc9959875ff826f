import { escapeClientText } from '@carrier/core';
import { Charset, Env, Opt, TelnetDecoder, Ttype, commandName, optionName, type TelnetEvent } from '@carrier/telnet';

/** Where debug lines go: one line per event, no trailing newline. */
export type DebugSink = (line: string) => void;

/** Long enough to show any SB a sane server sends; the trace never holds more. */
const TRACE_MAX_SB = 64 * 1024;
/** Bytes of one data event shown in full; a longer one is shown up to here with its length. */
const TRACE_MAX_DATA = 4096;

/**
 * The debug mode: every byte sent and received, telnet commands by name (`IAC DO TTYPE`,
 * `IAC SB NAWS 80x25 IAC SE`), data with every non-printable byte as `\xNN`. Each
 * direction has its own decoder, so the trace reads the wire exactly as the peer does,
 * whatever the client itself made of it.
 */
export class ByteTrace {
  private readonly decoders: Record<'<' | '>', TelnetDecoder> | undefined;
  private readonly t0 = performance.now();

  constructor(private readonly sink: DebugSink, raw: boolean) {
    const make = () => new TelnetDecoder({ normalizeEnter: false, dropBareDataMark: false, maxSubnegotiation: TRACE_MAX_SB });
    this.decoders = raw ? undefined : { '<': make(), '>': make() };
  }

  /** `<` bytes from the server, `>` bytes to it. */
  trace(direction: '<' | '>', bytes: Buffer): void {
    const stamp = `${(performance.now() - this.t0).toFixed(1).padStart(9)}ms ${direction} `;
    const events: TelnetEvent[] = this.decoders ? this.decoders[direction].push(bytes) : [{ type: 'data', bytes }];
    for (const ev of events) this.sink(stamp + describeEvent(ev));
  }
}

export function describeEvent(ev: TelnetEvent): string {
  switch (ev.type) {
    case 'data': {
      const shown = ev.bytes.length > TRACE_MAX_DATA ? ev.bytes.subarray(0, TRACE_MAX_DATA) : ev.bytes;
      const more = ev.bytes.length > shown.length ? `… (${ev.bytes.length} bytes)` : '';
      return `data ${ev.bytes.length} "${escapeClientText(shown, Infinity)}"${more}`;
    }
    case 'command':
      return ev.option === undefined ? `IAC ${commandName(ev.command)}` : `IAC ${commandName(ev.command)} ${optName(ev.option)}`;
    case 'subnegotiation':
      return `IAC SB ${optName(ev.option)} ${describeSb(ev.option, ev.data)} IAC SE`;
    case 'error':
      return ev.code === 'UNDEFINED_COMMAND'
        ? `IAC 0x${(ev.byte ?? 0).toString(16)} (undefined command, dropped)`
        : `(${ev.code.toLowerCase()} ${ev.option === undefined ? '' : optName(ev.option)})`;
  }
}

function optName(option: number): string {
  return optionName(option).toUpperCase();
}

const SB_CODES: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  [Opt.TTYPE]: { [Ttype.IS]: 'IS', [Ttype.SEND]: 'SEND' },
  [Opt.NEW_ENVIRON]: { [Env.IS]: 'IS', [Env.SEND]: 'SEND', [Env.INFO]: 'INFO' },
  [Opt.CHARSET]: Object.fromEntries(Object.entries(Charset).map(([name, n]) => [n, name])),
};

function describeSb(option: number, data: Buffer): string {
  if (option === Opt.NAWS && data.length === 4) return `${data.readUInt16BE(0)}x${data.readUInt16BE(2)}`;
  const codes = SB_CODES[option];
  const first = data[0];
  if (codes && first !== undefined && codes[first]) {
    const rest = data.subarray(1);
    return rest.length > 0 ? `${codes[first]} "${escapeClientText(rest, Infinity)}"` : codes[first]!;
  }
  return [...data].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}
