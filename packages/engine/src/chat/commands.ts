/**
 * What a line typed in a chat room asks for. Pure: the room decides what each means for
 * whom (moderation needs a level, /msg needs the target online).
 */
export type ChatCommand =
  | { kind: 'empty' }
  | { kind: 'say'; text: string }
  | { kind: 'me'; text: string }
  | { kind: 'join'; room: string }
  | { kind: 'rooms' }
  | { kind: 'who' }
  | { kind: 'help' }
  | { kind: 'quit' }
  | { kind: 'accept' }
  | { kind: 'dnd' }
  /** `rest` starts with a handle, which may contain spaces: see splitHandle */
  | { kind: 'msg'; rest: string }
  | { kind: 'kick'; rest: string }
  | { kind: 'mute'; rest: string }
  | { kind: 'unmute'; rest: string }
  | { kind: 'broadcast'; text: string }
  | { kind: 'unknown'; name: string };

const SIMPLE = { rooms: 'rooms', who: 'who', help: 'help', '?': 'help', quit: 'quit', q: 'quit', accept: 'accept', dnd: 'dnd' } as const;

export function parseChatLine(line: string): ChatCommand {
  const text = line.trim();
  if (text === '') return { kind: 'empty' };
  // `//x` says "/x": a way to start a line with a slash.
  if (text.startsWith('//')) return { kind: 'say', text: text.slice(1) };
  if (!text.startsWith('/')) return { kind: 'say', text };
  const m = /^\/(\S+)\s*([\s\S]*)$/.exec(text);
  const name = (m?.[1] ?? '').toLowerCase();
  const rest = (m?.[2] ?? '').trim();
  if (Object.hasOwn(SIMPLE, name)) return { kind: SIMPLE[name as keyof typeof SIMPLE] };
  switch (name) {
    case 'me':
      return rest === '' ? { kind: 'empty' } : { kind: 'me', text: rest };
    case 'join':
    case 'j':
      return { kind: 'join', room: rest };
    case 'msg':
    case 'm':
      return { kind: 'msg', rest };
    case 'kick':
      return { kind: 'kick', rest };
    case 'mute':
      return { kind: 'mute', rest };
    case 'unmute':
      return { kind: 'unmute', rest };
    case 'broadcast':
      return { kind: 'broadcast', text: rest };
    default:
      return { kind: 'unknown', name: name.slice(0, 20) };
  }
}

/**
 * Handles may contain spaces ("Carol Ann"), so `/msg carol ann hi` is read against the
 * handles online: the longest run of leading words that names one of them wins. A
 * quoted handle (`/msg "carol ann" hi`) is taken as written. Otherwise the first word.
 */
export function splitHandle(rest: string, handles: Iterable<string>): { handle: string; text: string } {
  const quoted = /^"([^"]+)"\s*([\s\S]*)$/.exec(rest);
  if (quoted) return { handle: quoted[1]!.trim(), text: quoted[2]!.trim() };
  const known = new Set<string>();
  for (const h of handles) known.add(h.toLowerCase());
  const words = rest.split(/\s+/).filter((w) => w !== '');
  for (let n = Math.min(words.length, 4); n >= 1; n--) {
    const candidate = words.slice(0, n).join(' ');
    if (known.has(candidate.toLowerCase())) return { handle: candidate, text: words.slice(n).join(' ') };
  }
  return { handle: words[0] ?? '', text: words.slice(1).join(' ') };
}
