// Chat (menu key C): multi-user rooms, lobby first. /help inside lists the commands;
// /quit comes back here. The room itself (screen, commands, flood control, history)
// lives in the engine: see packages/engine/src/chat/. It opens at once: what is typed
// right after C (`c` then `quickly`) arrives in the input line whole.
import { chatRoom, type Session } from '@carrier/engine';

export default async function chat(s: Session, room?: string): Promise<void> {
  await chatRoom(s, { room: typeof room === 'string' ? room : 'lobby' });
}
