/** The room every caller enters first. */
export const DEFAULT_ROOM = 'lobby';
/** Room names are short words: they sit in a title bar and in who's online. */
export const MAX_ROOM_NAME = 20;
const ROOM = /^[a-z0-9][a-z0-9_-]*$/;

export type RoomName = { ok: true; room: string } | { ok: false; reason: string };

/** `#Retro` and `retro` name one room; anything but letters, digits, _ and - is refused. */
export function roomName(input: string): RoomName {
  const name = input.trim().replace(/^#/, '').toLowerCase();
  if (name === '') return { ok: false, reason: 'Which room? Try /join lobby.' };
  if (name.length > MAX_ROOM_NAME) return { ok: false, reason: `A room name has at most ${MAX_ROOM_NAME} characters.` };
  if (!ROOM.test(name)) return { ok: false, reason: 'A room name is letters, digits, _ and -.' };
  return { ok: true, room: name };
}
