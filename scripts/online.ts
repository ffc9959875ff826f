// Who's online (menu key W): the live list of every caller on every node. From it a
// caller pages someone (P), asks for a split-screen chat (C), answers a chat request
// (A) or turns do-not-disturb on (D); a sysop also disconnects a node (K), sends it a
// message (M) or reads its terminal details (T). See packages/engine/src/social/.
import { whosOnline, type Session } from '@carrier/engine';
import { titleCard } from './lib/title-card.js';

export default async function online(s: Session): Promise<void> {
  await titleCard(s, 'online');
  await whosOnline(s);
}
