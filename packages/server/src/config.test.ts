import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { scratchDir } from '@carrier/core/testing';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from './config.js';
import { isField, schema, type Section } from './config-schema.js';
import { parseDuration } from './duration.js';

const repoRoot = resolve(import.meta.dirname, '../../..');
const tmp = (): string => scratchDir('carrier-config');

function writeConfig(text: string): string {
  const file = join(tmp(), 'carrier.yaml');
  writeFileSync(file, text);
  return file;
}

function keys(section: Section, prefix = ''): string[] {
  return Object.entries(section).flatMap(([k, v]) => (isField(v) ? [prefix + k] : keys(v, `${prefix}${k}.`)));
}

describe('the config schema', () => {
  it('is documented key by key, with the same defaults, in config/carrier.yaml', () => {
    const shipped = loadConfig({ file: join(repoRoot, 'config/carrier.yaml'), env: {}, cwd: repoRoot }).config;
    const defaults = loadConfig({ file: writeConfig('{}\n'), env: {}, cwd: repoRoot }).config;
    assert.deepEqual(shipped, defaults);
    const doc = parse(readFileSync(join(repoRoot, 'config/carrier.yaml'), 'utf8')) as Record<string, unknown>;
    const lookup = (path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
    for (const key of keys(schema)) assert.notEqual(lookup(key), undefined, `config/carrier.yaml documents ${key}`);
  });

  it('gives the contract defaults: telnet 2323, ssh 2222, rlogin off, host 127.0.0.1', () => {
    const { config } = loadConfig({ file: writeConfig(''), env: {}, cwd: '/srv' });
    assert.equal(config.telnet.port, 2323);
    assert.equal(config.ssh.port, 2222);
    assert.equal(config.rlogin.port, 'off');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.dataDir, '/srv/data');
  });

  it('applies the environment overrides, with off disabling a front end', () => {
    const { config } = loadConfig({
      file: writeConfig(''),
      cwd: '/srv',
      env: { CARRIER_HOST: '0.0.0.0', CARRIER_TELNET_PORT: 'off', CARRIER_SSH_PORT: '2022', CARRIER_RLOGIN_PORT: '5513', CARRIER_DATA_DIR: '/var/lib/carrier', DATABASE_URL: 'postgres://db/bbs', REDIS_URL: 'redis://r:6379' },
    });
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.telnet.port, 'off');
    assert.equal(config.ssh.port, 2022);
    assert.equal(config.rlogin.port, 5513);
    assert.equal(config.dataDir, '/var/lib/carrier');
    assert.equal(config.database.url, 'postgres://db/bbs');
    assert.equal(config.bus.redisUrl, 'redis://r:6379');
  });

  it('names the file, line and key of a bad value', () => {
    const file = writeConfig('board:\n  name: x\ntelnet:\n  port: banana\n');
    assert.throws(() => loadConfig({ file, env: {} }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.key, 'telnet.port');
      assert.equal(e.line, 4);
      assert.ok(e.message.startsWith(`${file}:4: telnet.port:`), e.message);
      return true;
    });
  });

  it('names the file and line of broken YAML once, in one sentence with no dangling colon', () => {
    const file = writeConfig('board: [\n');
    assert.throws(() => loadConfig({ file, env: {} }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.line, 2);
      assert.ok(e.message.startsWith(`${file}:2: (yaml): `), e.message);
      assert.doesNotMatch(e.message, /:$|at line \d+, column/, 'the position is the file:line already, not again with a colon');
      return true;
    });
  });

  it('refuses unknown keys, so a typo is not silently ignored', () => {
    const file = writeConfig('session:\n  idleTimout: 5m\n');
    assert.throws(() => loadConfig({ file, env: {} }), /session\.idleTimout: unknown key/);
  });

  it('names the environment variable of a bad override, and the key it sets, once each', () => {
    assert.throws(() => loadConfig({ file: writeConfig(''), env: { CARRIER_SSH_PORT: 'twenty' } }), {
      message: 'environment CARRIER_SSH_PORT: ssh.port: must be a port number 0-65535 or off (got "twenty")',
    });
  });

  it('validates rlogin trusted addresses', () => {
    assert.throws(() => loadConfig({ file: writeConfig('rlogin:\n  trusted: [10.0.0.0/33]\n'), env: {} }), /rlogin\.trusted/);
    const ok = loadConfig({ file: writeConfig('rlogin:\n  trusted: [127.0.0.1, 10.0.0.0/8, "::1"]\n'), env: {} });
    assert.deepEqual(ok.config.rlogin.trusted, ['127.0.0.1', '10.0.0.0/8', '::1']);
  });

  it('reads durations the way sysops write them', () => {
    assert.equal(parseDuration(1500), 1500);
    assert.equal(parseDuration('1500ms'), 1500);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('10m'), 600_000);
    assert.equal(parseDuration('24h'), 86_400_000);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('soon'), undefined);
    assert.equal(parseDuration(-1), undefined);
  });

  it('takes limits.chatRequestTimeout as a duration from 1s to 1h, naming the key and its line otherwise', () => {
    assert.equal(loadConfig({ file: writeConfig('limits:\n  chatRequestTimeout: 90s\n'), env: {} }).config.limits.chatRequestTimeout, 90_000);
    assert.equal(loadConfig({ file: writeConfig('board: { name: x }\n'), env: {} }).config.limits.chatRequestTimeout, 60_000);
    for (const bad of ['0', '500ms', '2h', 'soon']) {
      assert.throws(
        () => loadConfig({ file: writeConfig(`limits:\n  chatRequestTimeout: ${bad}\n`), env: {} }),
        (err: unknown) => err instanceof ConfigError && err.key === 'limits.chatRequestTimeout' && err.line === 2,
        bad,
      );
    }
  });
});
