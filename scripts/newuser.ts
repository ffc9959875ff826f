// The new-user application: a handle that passes the rules and is free, a password typed
// twice, a location. Nothing is written until the caller confirms; returns true when the
// caller is logged in as the new account.
import { printPrompt, printWords, type Session } from '@carrier/engine';

export default async function newuser(s: Session): Promise<boolean> {
  s.setActivity('applying for an account');
  if (!(await s.newAccountAllowed())) {
    await s.pause();
    return false;
  }
  await s.art('newuser', { fallback: 'New user application' });
  printWords(s, '|07Answer a few questions. An empty answer cancels.');

  let handle = '';
  for (;;) {
    s.println();
    printPrompt(s, '|11Handle (2-20 letters, digits, space, _ - .): |15');
    const typed = (await s.readLine({ maxLength: 20 })).trim();
    if (typed === '') return cancelled(s);
    const check = s.checkHandle(typed);
    if (!check.ok) {
      said(s, `|12${check.reason}|07`);
      continue;
    }
    // Taken, or reads like one that is (`aIice` for alice): refused here, not after the
    // whole application, as account creation would refuse it.
    const twin = await s.store.users.findLookalike(check.handle);
    if (twin) {
      const same = twin.handle.toLowerCase() === check.handle.toLowerCase();
      said(s, same ? '|12That handle is taken. Try another.|07' : '|12That handle looks too much like one already taken. Try another.|07');
      continue;
    }
    handle = check.handle;
    break;
  }

  const password = await choosePassword(s, handle);
  if (password === undefined) return cancelled(s);

  s.println();
  printPrompt(s, '|11Where do you call from (city, country; Enter to skip)? |15');
  const location = (await s.readLine({ maxLength: 40 })).trim();

  s.println();
  printPrompt(s, `|07Create the account |15${handle}|07? |08[|15Y|08/|15n|08]|07 `);
  const answer = (await s.readKey()).toLowerCase();
  if (answer === 'n') return cancelled(s);

  const user = await s.createUser({ handle, password, location: location || null });
  if (!user) {
    said(s, '|12Someone took that handle a moment ago. Please apply again.|07');
    return false;
  }
  s.println();
  said(s, `|10Welcome aboard, ${handle}!|07`);
  await s.login(user);
  return true;
}

/** How often a caller may retype a password (or its confirmation) before the application ends. */
const PASSWORD_TRIES = 3;

/**
 * A password that passes the rules, typed twice. A confirmation that does not match asks
 * for the confirmation again (up to three times) rather than throwing the application
 * away; a password the rules refuse is asked for again, up to three times.
 */
export async function choosePassword(s: Session, handle: string): Promise<string | undefined> {
  for (let attempt = 0; attempt < PASSWORD_TRIES; attempt++) {
    s.print('\n|11Password: |15');
    const first = await s.readLine({ mask: '*', maxLength: 128 });
    if (first === '') return undefined;
    const check = s.checkPassword(first, handle);
    if (!check.ok) {
      said(s, `|12${check.reason}|07`);
      continue;
    }
    for (let confirm = 0; confirm < PASSWORD_TRIES; confirm++) {
      s.print('\n|11Password again: |15');
      const second = await s.readLine({ mask: '*', maxLength: 128 });
      if (second === '') return undefined;
      if (second === first) return first;
      const left = PASSWORD_TRIES - confirm - 1;
      said(s, left > 0 ? `|12The passwords do not match. ${left} more ${left === 1 ? 'try' : 'tries'}.|07` : '|12The passwords do not match.|07');
    }
    return undefined;
  }
  return undefined;
}

function cancelled(s: Session): false {
  said(s, '|07Application cancelled.');
  return false;
}

/** A sentence under the answer typed above it, after a blank row, broken between words at the caller's width. */
export function said(s: Session, text: string): void {
  s.println();
  printWords(s, text);
}
