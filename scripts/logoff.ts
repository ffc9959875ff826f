// Goodbye: the art, then the hang-up. The engine records the end of the call.
import { printWords, type Session } from '@carrier/engine';

export default async function logoff(s: Session): Promise<void> {
  s.setActivity('logging off');
  await s.art('goodbye', { fallback: `Thanks for calling ${s.board.name}!` });
  s.println();
  printWords(s, `|07Goodbye${s.user ? `, |15${s.user.handle}|07` : ''}. Call again soon.`);
  void s.hangup('logoff');
}
