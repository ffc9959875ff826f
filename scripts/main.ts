// The main menu. Hotkeys are part of the board's contract (README): W who's online,
// C chat, O oneliners, L last callers, G goodbye.
import type { Session } from '@carrier/engine';

export default async function main(s: Session): Promise<unknown> {
  for (;;) {
    s.setActivity('main menu');
    await s.art('main', { fallback: `${s.board.name} main menu` });
    s.print(`\n|08[|15${s.user?.handle ?? 'guest'}|08] |07Command: `);
    const key = (await s.readKey()).toLowerCase();
    s.println(key.length === 1 ? key.toUpperCase() : '');
    switch (key) {
      case 'w':
        await s.gosub('online');
        break;
      case 'l':
        await s.gosub('lastcallers');
        break;
      case 'g':
        return s.goto('logoff');
      case 'enter':
      case '?':
        break;
      default:
        s.println('|08Unknown command. Press a highlighted key.|07');
    }
  }
}
