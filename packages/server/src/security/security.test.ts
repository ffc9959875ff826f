import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { scratchDir } from '@carrier/core/testing';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../config.js';
import { scryptParams, startupLimits } from './security.js';

function config(yaml: string) {
  const file = join(scratchDir('carrier-sec'), 'carrier.yaml');
  writeFileSync(file, yaml);
  return loadConfig({ file, env: {} }).config;
}

describe('security settings', () => {
  it('secure defaults: loopback allowlisted, trap and penalties on, MaxStartups 10:30:100, scrypt N=16384', () => {
    const cfg = config('');
    assert.deepEqual(cfg.security.allowlist, ['127.0.0.1', '::1']);
    assert.equal(cfg.security.trap.enabled, true);
    assert.equal(cfg.security.penalties.enabled, true);
    assert.deepEqual(startupLimits(cfg), { start: 10, rate: 30, full: 100 });
    assert.deepEqual(scryptParams(cfg), { N: 16384, r: 8, p: 1, keylen: 32 });
    assert.equal(cfg.session.maxDuration, 4 * 3_600_000);
    assert.equal(cfg.host, '127.0.0.1');
  });

  it('names the key of an scrypt N that is not a power of two', () => {
    assert.throws(() => scryptParams(config('security:\n  scrypt:\n    N: 3000\n')), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.key, 'security.scrypt.N');
      assert.match(e.message, /power of two/);
      return true;
    });
  });

  it('names the key of MaxStartups whose start exceeds full', () => {
    assert.throws(() => startupLimits(config('limits:\n  startups: { start: 50, rate: 30, full: 10 }\n')), /limits\.startups: start \(50\) must not exceed full \(10\)/);
  });

  it('refuses an allowlist entry that is not an address, with its line', () => {
    assert.throws(() => config('security:\n  allowlist: [127.0.0.1, localhost]\n'), /:2: security\.allowlist: "localhost" is not an IP address or CIDR/);
  });
});
