// SSH keys: a caller lists, adds (pastes an OpenSSH public key line) and removes the
// keys they log in with over ssh. The same keys the sysop manages with
// `carrier user key add|list|remove`.
import { clipToWidth, drawAndReadKey, firstFitting, LONG_LINE_MAX, pipeLiteral, printWords, type Session } from '@carrier/engine';

export default async function keys(s: Session): Promise<void> {
  const user = s.user;
  if (!user) return;
  s.setActivity('ssh keys');
  for (;;) {
    const list = await s.store.keys.list(user.id);
    // Drawn again for a sysop's spy that starts while the caller picks (for the spy alone).
    const key = (
      await drawAndReadKey(s, () => {
        s.clear();
        const room = Math.max(1, s.terminal.cols - 1);
        s.println(firstFitting(['|15Your SSH keys|07 - log in over ssh with no password'], s.terminal.cols) ?? '|15Your SSH keys');
        s.println(`|08${'-'.repeat(Math.min(60, room))}`);
        if (list.length === 0) s.println('|07No keys yet.');
        list.forEach((k, i) => {
          const head = `${String(i + 1).padStart(2)} ${k.algo.padEnd(12)} ${k.fingerprint}  `;
          if (head.length <= room) {
            // One row a key: a comment (up to 100 characters) is cut at the screen's edge, not wrapped under the next key.
            const comment = clipToWidth(k.comment ?? '', room - head.length);
            s.println(`|15${head.slice(0, 2)}|07${head.slice(2)}|08${pipeLiteral(comment)}`);
            return;
          }
          // Narrower than the fingerprint's row (a phone, a 40-column terminal): the number,
          // type and comment on one row, the fingerprint under them in pieces that fit.
          const top = `${String(i + 1).padStart(2)} ${k.algo} `;
          s.println(`|15${top.slice(0, 2)}|07${top.slice(2)}|08${pipeLiteral(clipToWidth(k.comment ?? '', Math.max(0, room - top.length)))}`);
          const piece = Math.max(1, room - 3);
          for (let at = 0; at < k.fingerprint.length; at += piece) s.println(`|07   ${k.fingerprint.slice(at, at + piece)}`);
        });
        s.print(
          `\n${
            firstFitting(['|08[|15A|08]|07dd a key  |08[|15R|08]|07emove one  |08[|15Q|08]|07uit: ', '|08[|15A|08]|07dd |08[|15R|08]|07emove |08[|15Q|08]|07uit: '], s.terminal.cols) ??
            '|08[|15A R Q|08]|07: '
          }`,
        );
      })
    ).toLowerCase();
    s.println('');
    if (key === 'a') {
      printWords(s, '|07Paste one line of your |15~/.ssh/id_ed25519.pub|07 (or another .pub file), then Enter:');
      // A key line is long (an 8192-bit RSA key is 1,409 characters, 16384-bit ~2.8 KB):
      // the prompt takes more than the board's usual line, and says so if even that is cut.
      const typed = await s.readLine({ maxLength: LONG_LINE_MAX, longLine: true });
      const line = typed.trim();
      if (line === '') continue;
      if ([...typed].length >= LONG_LINE_MAX) {
        printWords(s, `|12That line is too long for a public key (more than ${LONG_LINE_MAX} characters).|07`);
        await s.pause();
        continue;
      }
      try {
        const added = await s.store.keys.add(user.id, line);
        printWords(s, `|10Added|07 ${added.fingerprint}.`);
      } catch (err) {
        const code = (err as { code?: string }).code;
        const message = code === 'VALIDATION' || code === 'DUPLICATE' ? (err as Error).message : 'that key could not be added';
        printWords(s, `|12${pipeLiteral(message)}|07`);
      }
      await s.pause();
    } else if (key === 'r') {
      if (list.length === 0) {
        s.println('|07You have no keys to remove.');
        await s.pause();
        continue;
      }
      s.print('|07Remove which number? ');
      const typed = (await s.readLine({ maxLength: 3 })).trim();
      if (typed === '') continue;
      const n = Number(typed);
      const target = Number.isInteger(n) ? list[n - 1] : undefined;
      // A number the list does not show says so (it went straight back to the list, as if removed).
      if (!target) {
        s.println(`|12No key has the number ${pipeLiteral(typed)}.|07`);
        await s.pause();
        continue;
      }
      await s.store.keys.remove(user.id, target.id);
      printWords(s, `|10Removed|07 ${target.fingerprint}.`);
      await s.pause();
    } else if (key === 'q' || key === 'escape' || key === 'enter') {
      return;
    }
  }
}
