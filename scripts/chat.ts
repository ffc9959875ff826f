// Chat (menu key C): multi-user rooms, lobby first. /help inside lists the commands;
// /quit comes back here. The room itself (screen, commands, flood control, history)
// lives in the engine: see packages/engine/src/chat/.
import { chatRoom, type Session } from '@carrier/engine';
import { titleCard } from './lib/title-card.js';

export default async function chat(s: Session, room?: string): Promise<void> {
  await titleCard(s, 'chat');
  await chatRoom(s, { room: typeof room === 'string' ? room : 'lobby' });
}
