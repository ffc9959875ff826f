// The new-user application: a handle that passes the rules and is free, a password typed
// twice, a location. Nothing is written until the caller confirms; returns true when the
// caller is logged in as the new account.
import type { Session } from '@carrier/engine';

export default async function newuser(s: Session): Promise<boolean> {
  s.setActivity('applying for an account');
  await s.art('newuser', { fallback: 'New user application' });
  s.println('|07Answer a few questions. An empty answer cancels.');

  let handle = '';
  for (;;) {
    s.print('\n|11Handle (2-20 letters, digits, space, _ - .): |15');
    const typed = (await s.readLine({ maxLength: 20 })).trim();
    if (typed === '') return cancelled(s);
    const check = s.checkHandle(typed);
    if (!check.ok) {
      s.println(`\n|12${check.reason}|07`);
      continue;
    }
    if (await s.store.users.findByHandle(check.handle)) {
      s.println('\n|12That handle is taken. Try another.|07');
      continue;
    }
    handle = check.handle;
    break;
  }

  let password = '';
  for (let attempt = 0; attempt < 3 && password === ''; attempt++) {
    s.print('\n|11Password: |15');
    const first = await s.readLine({ mask: '*', maxLength: 128 });
    if (first === '') return cancelled(s);
    const check = s.checkPassword(first);
    if (!check.ok) {
      s.println(`\n|12${check.reason}|07`);
      continue;
    }
    s.print('\n|11Password again: |15');
    const second = await s.readLine({ mask: '*', maxLength: 128 });
    if (second !== first) {
      s.println('\n|12The passwords do not match.|07');
      continue;
    }
    password = first;
  }
  if (password === '') return cancelled(s);

  s.print('\n|11Where do you call from (city, country)? |15');
  const location = (await s.readLine({ maxLength: 40 })).trim();

  s.print(`\n|07Create the account |15${handle}|07? |08[|15Y|08/|15n|08]|07 `);
  const answer = (await s.readKey()).toLowerCase();
  if (answer === 'n') return cancelled(s);

  const user = await s.createUser({ handle, password, location: location || null });
  if (!user) {
    s.println('\n|12Someone took that handle a moment ago. Please apply again.|07');
    return false;
  }
  s.println(`\n\n|10Welcome aboard, ${handle}!|07`);
  await s.login(user);
  return true;
}

function cancelled(s: Session): false {
  s.println('\n|07Application cancelled.');
  return false;
}
