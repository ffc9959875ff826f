/**
 * The passwords that credential-stuffing and telnet/ssh brute-force bots try first,
 * drawn from the public top-password lists (SecLists, NCSC "100k most common",
 * Mirai's default credentials) plus the obvious ones for a BBS. Only entries of at least
 * the minimum password length are listed: shorter ones are refused by length already.
 * Lowercase; compared case-insensitively, since "Password1" is as guessable as "password1".
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '123456', '1234567', '12345678', '123456789', '1234567890', '0123456789', '654321',
  '666666', '111111', '000000', '121212', '123123', '123321', '112233', '696969', '987654321',
  '1q2w3e', '1q2w3e4r', '1q2w3e4r5t', 'qwerty', 'qwerty1', 'qwerty123', 'qwertyuiop', 'azerty',
  'asdfgh', 'asdfghjkl', 'zxcvbn', 'zxcvbnm', 'qazwsx', '1qaz2wsx', 'q1w2e3r4', 'abc123',
  'abcdef', 'abcd1234', 'a1b2c3', 'aa123456', 'password', 'password1', 'password12',
  'password123', 'passw0rd', 'p@ssw0rd', 'pa55word', 'letmein', 'welcome', 'welcome1',
  'changeme', 'secret', 'default', 'iloveyou', 'trustno1', 'monkey', 'dragon', 'master',
  'shadow', 'sunshine', 'princess', 'football', 'baseball', 'soccer', 'hockey', 'superman',
  'batman', 'starwars', 'pokemon', 'charlie', 'michael', 'jennifer', 'jordan23', 'hunter2',
  'freedom', 'whatever', 'computer', 'internet', 'access', 'master1', 'login1', 'admin1',
  'admin123', 'administrator', 'root123', 'toor12', 'guest1', 'user123', 'test123', 'testing',
  'qwe123', 'zaq12wsx', 'mustang', 'michelle', 'jessica', 'ashley', 'bailey', 'cheese',
  'killer', 'flower', 'lovely', 'loveme', 'ninja1', 'solo123', 'summer', 'winter', 'spring',
  'autumn', 'matrix', 'hacker', 'carrier', 'bbs123', 'sysop1', 'modem1', 'telnet', 'fidonet',
]);

export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}
