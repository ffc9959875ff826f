// The matrix: the first screen every caller sees. Login with a limited number of tries,
// or `new` for the new-user application. The prompts `login:` and `password:` and the
// message `Login incorrect` are part of the board's contract (README): keep them.
import { printWords, type Session } from '@carrier/engine';

export default async function matrix(s: Session): Promise<unknown> {
  s.setActivity('logging in');
  await s.art('welcome', { fallback: `Welcome to ${s.board.name}` });
  printWords(s, '|07Type |15new|07 at the login prompt to apply for an account.');
  const maxTries = s.board.config.maxLoginTries;
  let failures = 0;
  let hint = s.conn.loginHint;
  // rlogin from a host that sends the password in the handshake (SyncTERM order): try it
  // once, so the caller goes straight in; a wrong one falls through to the prompts.
  if (hint && s.conn.loginPassword) {
    const user = await s.authenticate(hint, s.conn.loginPassword);
    if (user) {
      await s.login(user);
      return s.goto('main');
    }
  }
  while (failures < maxTries) {
    s.print('\n|15login: |07');
    let handle: string;
    if (hint) {
      // rlogin told us who is calling: show it and go straight to the password, as
      // Synchronet does. A failure clears the hint, so the next try asks for the name.
      s.println(hint);
      handle = hint;
      hint = undefined;
    } else {
      handle = (await s.readLine({ maxLength: 30 })).trim();
    }
    if (handle === '') continue;
    if (handle.toLowerCase() === 'new') {
      const created = await s.gosub('newuser');
      if (created) return s.goto('main');
      continue;
    }
    // The board's policy sees the name first: a bot-trap word hangs up here, before any password.
    await s.checkLoginName(handle);
    s.print('|15password: |07');
    const password = await s.readLine({ mask: '*', maxLength: 128 });
    const user = await s.authenticate(handle, password);
    if (user) {
      await s.login(user);
      return s.goto('main');
    }
    failures += 1;
    s.println('\n|12Login incorrect|07');
  }
  s.println();
  printWords(s, 'Too many failed logins. Goodbye.');
  void s.hangup('too many failed logins');
  return undefined;
}
