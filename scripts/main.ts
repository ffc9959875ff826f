// The main menu is data: config/menus/main.yaml, run by the engine's menu runner.
// A sysop rearranges it there without writing code. Hotkeys are part of the board's
// contract (README): W who's online, C chat, O oneliners, L last callers, G goodbye.
import { loginNotices, type Session } from '@carrier/engine';

export default async function main(s: Session): Promise<never> {
  // Once per login: `You have N new mail`, and the new-scan if the caller asked for it.
  await loginNotices(s);
  return s.goto('menu:main');
}
