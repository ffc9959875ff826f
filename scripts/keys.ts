// SSH keys: a caller lists, adds (pastes an OpenSSH public key line) and removes the
// keys they log in with over ssh. The same keys the sysop manages with
// `carrier user key add|list|remove`.
import { clipToWidth, drawAndReadKey, LONG_LINE_MAX, pipeLiteral, type Session } from '@carrier/engine';

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
        s.println('|15Your SSH keys|07 - log in over ssh with no password');
        s.println(`|08${'-'.repeat(60)}`);
        if (list.length === 0) s.println('|07No keys yet.');
        // One row a key: a comment (up to 100 characters) is cut at the screen's edge, not wrapped under the next key.
        list.forEach((k, i) => {
          const head = `${String(i + 1).padStart(2)} ${k.algo.padEnd(12)} ${k.fingerprint}  `;
          const comment = clipToWidth(k.comment ?? '', Math.max(0, s.terminal.cols - 1 - head.length));
          s.println(`|15${head.slice(0, 2)}|07${head.slice(2)}|08${pipeLiteral(comment)}`);
        });
        s.print('\n|08[|15A|08]|07dd a key  |08[|15R|08]|07emove one  |08[|15Q|08]|07uit: ');
      })
    ).toLowerCase();
    s.println('');
    if (key === 'a') {
      s.println('|07Paste one line of your |15~/.ssh/id_ed25519.pub|07 (or another .pub file), then Enter:');
      // A key line is long (an 8192-bit RSA key is 1,409 characters, 16384-bit ~2.8 KB):
      // the prompt takes more than the board's usual line, and says so if even that is cut.
      const typed = await s.readLine({ maxLength: LONG_LINE_MAX, longLine: true });
      const line = typed.trim();
      if (line === '') continue;
      if ([...typed].length >= LONG_LINE_MAX) {
        s.println(`|12That line is too long for a public key (more than ${LONG_LINE_MAX} characters).|07`);
        await s.pause();
        continue;
      }
      try {
        const added = await s.store.keys.add(user.id, line);
        s.println(`|10Added|07 ${added.fingerprint}.`);
      } catch (err) {
        const code = (err as { code?: string }).code;
        const message = code === 'VALIDATION' || code === 'DUPLICATE' ? (err as Error).message : 'that key could not be added';
        s.println(`|12${pipeLiteral(message)}|07`);
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
      s.println(`|10Removed|07 ${target.fingerprint}.`);
      await s.pause();
    } else if (key === 'q' || key === 'escape' || key === 'enter') {
      return;
    }
  }
}
