// Who's online (menu key W): the live list of every caller on every node. From it a
// caller pages someone (P), asks for a split-screen chat (C), answers a chat request
// (A) or turns do-not-disturb on (D); a sysop also disconnects a node (K), sends it a
// message (M) or reads its terminal details (T). See packages/engine/src/social/.
// It opens at once: keys typed right after W (`w` then `p`) reach the list.
import { whosOnline, type Session } from '@carrier/engine';

export default async function online(s: Session): Promise<void> {
  await whosOnline(s);
}
