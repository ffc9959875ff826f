// Oneliners (menu key O): the last 20 lines on the wall, newest at the bottom, and one
// line of your own to add. The store cleans what is typed (no escape sequences, capped
// length); the sysop can delete a line by its number.
import { isCarrierError } from '@carrier/core';
import type { Session } from '@carrier/engine';
import { LEVELS, ONELINER_MAX_LENGTH } from '@carrier/store';

const WALL = 20;

export default async function oneliners(s: Session): Promise<void> {
  s.setActivity('oneliners');
  for (;;) {
    const wall = (await s.store.oneliners.recent(WALL)).reverse();
    s.clear();
    s.println('|15Oneliners |08- |07what callers left on the wall');
    s.println(`|08${'-'.repeat(Math.min(78, s.terminal.cols - 1))}`);
    if (wall.length === 0) s.println('|07The wall is empty. Be the first.');
    const width = Math.max(20, s.terminal.cols - 1);
    wall.forEach((o, i) => {
      // Text from the store is clean; '|' is doubled so a caller's pipe codes print as typed.
      const line = `${String(i + 1).padStart(2)} ${o.handle.slice(0, 15).padEnd(16)}${o.text}`.slice(0, width).replace(/\|/g, '||');
      s.println(`|07${line}`);
    });
    s.println('');
    const sysop = (s.user?.level ?? 0) >= LEVELS.sysop;
    s.print(`|08[|15A|08]|07dd a line  ${sysop ? '|08[|15D|08]|07elete one  ' : ''}|08[|15Q|08]|07uit: `);
    const key = (await s.readKey()).toLowerCase();
    s.println('');
    if (key === 'a') {
      s.print('|11Your line: |15');
      const text = (await s.readLine({ maxLength: ONELINER_MAX_LENGTH })).trim();
      if (text === '') continue;
      try {
        await s.store.oneliners.add({ userId: s.user?.id ?? null, handle: s.user?.handle ?? 'guest', text });
      } catch (err) {
        if (!isCarrierError(err, 'VALIDATION')) throw err;
        s.println('|12Nothing printable in that line.|07');
        await s.pause();
      }
    } else if (key === 'd' && sysop) {
      s.print('|11Delete which number? |15');
      const n = Number((await s.readLine({ maxLength: 3 })).trim());
      const target = Number.isInteger(n) ? wall[n - 1] : undefined;
      if (target && (await s.store.oneliners.remove(target.id))) s.log.info('oneliners.deleted', { id: target.id, by: s.user?.handle });
    } else if (key === 'q' || key === 'escape' || key === 'enter') {
      return;
    }
  }
}
