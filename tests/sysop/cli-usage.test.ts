// A usage mistake in a verb's arguments names the verb and shows that verb's usage
// line(s), exit 2: not the 40-line list of every verb (the real CLI, no board running).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { carrierArgv, repoRoot, run } from '../harness.js';

/** The real CLI on the config in `dir`. */
function carrierIn(dir: string, args: string[], input = ''): ReturnType<typeof run> {
  return run(process.execPath, [...carrierArgv, ...args], {
    env: { ...process.env, CARRIER_CONFIG: join(dir, 'carrier.yaml') },
    input,
    timeoutMs: 60_000,
  });
}

describe('usage mistakes in a verb\'s arguments', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'carrier-cli-usage-'));
    writeFileSync(join(dir, 'carrier.yaml'), `dataDir: ${join(dir, 'data')}\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const carrier = (args: string[], input = ''): ReturnType<typeof run> => carrierIn(dir, args, input);

  const cases: { args: string[]; input?: string; says: RegExp; usage: RegExp }[] = [
    { args: ['msg', 'post', 'nowhere', '--subject', 'x'], input: 'body\n', says: /^carrier: msg post: no message area "nowhere"/, usage: /^ {2}msg post <area>/m },
    { args: ['msg', 'post', 'general', '--subject', 'x'.repeat(73)], input: 'body\n', says: /^carrier: msg post: --subject is longer than 72 characters/, usage: /^ {2}msg post <area>/m },
    { args: ['msg', 'post', 'general', '--subject', 'x', '--to', 'y'.repeat(40)], input: 'body\n', says: /^carrier: msg post: --to is longer than/, usage: /^ {2}msg post <area>/m },
    { args: ['ban', 'add', '10.0.0.0/33'], says: /^carrier: ban add: "10\.0\.0\.0\/33" is not an IP address or CIDR range/, usage: /^ {2}ban add <ip\|cidr>/m },
    { args: ['ban', 'add', '10.0.0.1', '--for', 'soon'], says: /^carrier: ban add: --for needs a duration/, usage: /^ {2}ban add <ip\|cidr>/m },
    { args: ['files', 'approve', 'abc', 'general'], says: /^carrier: files approve: not an upload number: "abc"/, usage: /^ {2}files approve <upload> <area>/m },
    { args: ['files', 'scan', 'nope'], says: /^carrier: files scan: no file area "nope" \(areas: /, usage: /^ {2}files scan \[area\]/m },
    { args: ['files', 'approve', '1', 'nope'], says: /^carrier: files approve: no file area "nope" \(areas: /, usage: /^ {2}files approve <upload> <area>/m },
    { args: ['msg', 'post', 'general', '--subject', 'x', '--from', ''], input: 'body\n', says: /^carrier: msg post: --from needs a value/, usage: /^ {2}msg post <area>/m },
    { args: ['msg', 'post', 'general', '--subject', 'x', '--from', 'z'.repeat(33)], input: 'body\n', says: /^carrier: msg post: --from is longer than 32 characters/, usage: /^ {2}msg post <area>/m },
    { args: ['msg', 'post', 'general', '--subject', 'x', '--subject', 'y'], input: 'body\n', says: /^carrier: msg post: --subject is given twice/, usage: /^ {2}msg post <area>/m },
    { args: ['user', 'add', 'dave', '--password-stdin', '--syspo'], input: 'dave-password-1\n', says: /^carrier: user add: unknown option "--syspo"/, usage: /^ {2}user add <handle> --password-stdin \[--sysop\]$/m },
    { args: ['user', 'add', 'dave', 'eve', '--password-stdin'], input: 'dave-password-1\n', says: /^carrier: user add takes one handle/, usage: /^ {2}user add <handle>/m },
    { args: ['user', 'list', 'all'], says: /^carrier: user list takes no arguments/, usage: /^ {2}user list$/m },
    { args: ['user', 'frob'], says: /^carrier: unknown user verb "frob"/, usage: /^ {2}user set-level <handle>/m },
    { args: ['ban', 'add', '10.0.0.1', '--reson', 'spam'], says: /^carrier: ban add: unknown option "--reson"/, usage: /^ {2}ban add <ip\|cidr>/m },
    { args: ['ban', 'add', '10.0.0.1', '10.0.0.2'], says: /^carrier: ban add takes one IP address or CIDR range/, usage: /^ {2}ban add <ip\|cidr>/m },
    { args: ['start', '--workrs', '2'], says: /^carrier: start takes --workers N, not "--workrs"/, usage: /^ {2}start \[--workers N\]/m },
    { args: ['who', '3'], says: /^carrier: who takes no arguments \(got "3"\)/, usage: /^ {2}who {5,}who is on/m },
    { args: ['status', '-v'], says: /^carrier: status takes no arguments/, usage: /^ {2}status {5,}board/m },
    { args: ['broadcast', ' ', '\n'], says: /^carrier: broadcast needs a text of 1 to 500 characters/, usage: /^ {2}broadcast <text>/m },
    { args: ['message', '1', '\t'], says: /^carrier: message needs a node or a handle, and a text of 1 to 500 characters/, usage: /^ {2}message <node\|handle> <text>/m },
  ];
  for (const c of cases) {
    it(`carrier ${c.args.join(' ').slice(0, 50)}`, async () => {
      const r = await carrier(c.args, c.input);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, c.says);
      assert.match(r.stderr, c.usage);
      assert.doesNotMatch(r.stderr, /^ {2}probe <host>/m, 'only the verb\'s usage, not every verb\'s');
    });
  }

  it('a mistyped option of user add makes no account', async () => {
    assert.equal((await carrier(['user', 'add', 'fay', '--password-stdin', '--syspo'], 'fay-password-1\n')).code, 2);
    const shown = await carrier(['user', 'show', 'fay']);
    assert.equal(shown.code, 1, shown.stdout);
    assert.match(shown.stderr, /^carrier: user show: no user "fay"$/m);
  });

  it('user key add of a file that is not there: one line naming it, exit 1, no stack', async () => {
    assert.equal((await carrier(['user', 'add', 'gus', '--password-stdin'], 'gus-password-1\n')).code, 0);
    const missing = join(dir, 'no-such.pub');
    const r = await carrier(['user', 'key', 'add', 'gus', missing]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `carrier: user key add: cannot read ${JSON.stringify(missing)}: no such file\n`);
  });
});

describe('verbs on a board whose messages.yaml or files.yaml has a problem', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'carrier-cli-msgconf-'));
    writeFileSync(join(dir, 'messages.yaml'), 'conferences:\n  - name: Main\n    areas:\n      - tag: general\n        nmae: General\n');
    writeFileSync(join(dir, 'files.yaml'), `areas:\n  - tag: general\n    folder: ${join(dir, 'general')}\n    lsit: 10\n`);
    writeFileSync(join(dir, 'carrier.yaml'), `dataDir: ${join(dir, 'data')}\nmessages:\n  file: ${join(dir, 'messages.yaml')}\nfiles:\n  file: ${join(dir, 'files.yaml')}\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is an invalid config (exit 2) naming the file, line and key, not a usage mistake', async () => {
    const r = await carrierIn(dir, ['msg', 'post', 'general', '--subject', 'hello'], 'body\n');
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, `carrier: invalid config: ${join(dir, 'messages.yaml')}:5: conferences[0].areas[0].nmae: unknown key (tag, name, description, read, post)\n`);
  });

  it('user delete with no board running (its quarantined uploads go by files.yaml) is an invalid config too: exit 2, and the account stays', async () => {
    assert.equal((await carrierIn(dir, ['user', 'add', 'hal', '--password-stdin'], 'hal-password-1\n')).code, 0);
    const r = await carrierIn(dir, ['user', 'delete', 'hal']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^carrier: invalid config: ${join(dir, 'files.yaml').replace(/[.]/g, '\\.')}:4: areas\\[0\\]\\.lsit: `));
    assert.equal((await carrierIn(dir, ['user', 'show', 'hal'])).code, 0);
  });
});
