// A usage mistake in a verb's arguments names the verb and shows that verb's usage
// line(s), exit 2: not the 40-line list of every verb (the real CLI, no board running).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, run } from '../harness.js';

describe('usage mistakes in a verb\'s arguments', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'carrier-cli-usage-'));
    writeFileSync(join(dir, 'carrier.yaml'), `dataDir: ${join(dir, 'data')}\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const carrier = (args: string[], input = ''): ReturnType<typeof run> =>
    run(process.execPath, ['--conditions=carrier-src', '--import', 'tsx', join(repoRoot, 'packages/server/src/cli.ts'), ...args], {
      env: { ...process.env, CARRIER_CONFIG: join(dir, 'carrier.yaml') },
      input,
      timeoutMs: 60_000,
    });

  const cases: { args: string[]; input?: string; says: RegExp; usage: RegExp }[] = [
    { args: ['msg', 'post', 'nowhere', '--subject', 'x'], input: 'body\n', says: /^carrier: msg post: no message area "nowhere"/, usage: /^ {2}msg post <area>/m },
    { args: ['msg', 'post', 'general', '--subject', 'x'.repeat(73)], input: 'body\n', says: /^carrier: msg post: --subject is longer than 72 characters/, usage: /^ {2}msg post <area>/m },
    { args: ['msg', 'post', 'general', '--subject', 'x', '--to', 'y'.repeat(40)], input: 'body\n', says: /^carrier: msg post: --to is longer than/, usage: /^ {2}msg post <area>/m },
    { args: ['ban', 'add', '10.0.0.0/33'], says: /^carrier: ban add: "10\.0\.0\.0\/33" is not an IP address or CIDR range/, usage: /^ {2}ban add <ip\|cidr>/m },
    { args: ['ban', 'add', '10.0.0.1', '--for', 'soon'], says: /^carrier: ban add: --for needs a duration/, usage: /^ {2}ban add <ip\|cidr>/m },
    { args: ['files', 'approve', 'abc', 'general'], says: /^carrier: files approve: not an upload number: "abc"/, usage: /^ {2}files approve <upload> <area>/m },
    { args: ['files', 'scan', 'nope'], says: /^carrier: files scan: no file area "nope" \(areas: /, usage: /^ {2}files scan \[area\]/m },
    { args: ['files', 'approve', '1', 'nope'], says: /^carrier: files approve: no file area "nope" \(areas: /, usage: /^ {2}files approve <upload> <area>/m },
  ];
  for (const c of cases) {
    it(`carrier ${c.args.join(' ').slice(0, 50)}`, async () => {
      const r = await carrier(c.args, c.input);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, c.says);
      assert.match(r.stderr, c.usage);
      assert.doesNotMatch(r.stderr, /start \[--workers N\]/, 'only the verb\'s usage, not every verb\'s');
    });
  }
});
