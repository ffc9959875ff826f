// Private mail (menu key E): S sends (the recipient's handle is checked at once), R reads
// the inbox, O the mail you sent, Q goes back. An online recipient is told at once, on
// any node.
import { mailBox, type Session } from '@carrier/engine';

export default async function mail(s: Session): Promise<void> {
  await mailBox(s);
}
