import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { resolve } from 'node:path';
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import { CarrierError, ErrorCodes, parseCidr } from '@carrier/core';
import { parseDuration } from './duration.js';
import { isField, schema, type CarrierConfig, type Field, type Section } from './config-schema.js';

/** A config problem, always naming where: the file (or env variable), the key and, when known, the line. */
export class ConfigError extends CarrierError {
  constructor(readonly source: string, readonly key: string, readonly problem: string, readonly line?: number) {
    super(ErrorCodes.CONFIG_INVALID, `${source}${line ? `:${line}` : ''}: ${key}: ${problem}`, { source, key, line });
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  config: CarrierConfig;
  /** the YAML file read, or undefined when running on defaults */
  file: string | undefined;
}

/** Core's parser decides (the one every address list uses), so config and use agree. */
export function isAddressOrCidr(s: string): boolean {
  return parseCidr(s) !== undefined;
}

function checkField(f: Field, raw: unknown, fail: (problem: string) => never): unknown {
  switch (f.kind) {
    case 'int': {
      if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < f.min || raw > f.max) {
        fail(`must be a whole number from ${f.min} to ${f.max} (got ${JSON.stringify(raw)})`);
      }
      return raw;
    }
    case 'duration': {
      const ms = parseDuration(raw);
      if (ms === undefined) fail(`must be a duration such as 1500, "1500ms", "30s", "10m" or "24h" (got ${JSON.stringify(raw)})`);
      if ((f.min !== undefined && ms < f.min) || (f.max !== undefined && ms > f.max)) {
        fail(`must be a duration from ${f.min ?? 0} ms to ${f.max ?? Infinity} ms (got ${JSON.stringify(raw)})`);
      }
      return ms;
    }
    case 'string': {
      if (typeof raw !== 'string') fail(`must be a string (got ${JSON.stringify(raw)})`);
      if (f.oneOf && !f.oneOf.includes(raw)) fail(`must be one of ${f.oneOf.join(', ')} (got ${JSON.stringify(raw)})`);
      return raw;
    }
    case 'bool': {
      if (typeof raw !== 'boolean') fail(`must be true or false (got ${JSON.stringify(raw)})`);
      return raw;
    }
    case 'port': {
      if (raw === 'off' || raw === false) return 'off';
      const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) {
        fail(`must be a port number 0-65535 or off (got ${JSON.stringify(raw)})`);
      }
      return n;
    }
    case 'list': {
      if (!Array.isArray(raw)) fail(`must be a list (got ${JSON.stringify(raw)})`);
      const out: string[] = [];
      for (const item of raw) {
        if (typeof item !== 'string') fail(`every entry must be a string (got ${JSON.stringify(item)})`);
        if (f.item === 'address' && !isAddressOrCidr(item)) fail(`"${item}" is not an IP address or CIDR`);
        out.push(item);
      }
      return out;
    }
  }
}

function defaults(section: Section): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(section)) out[k] = isField(v) ? (Array.isArray(v.default) ? [...v.default] : v.default) : defaults(v);
  return out;
}

function lineOf(doc: Document, counter: LineCounter, path: string[]): number | undefined {
  const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  if (node && node.range) return counter.linePos(node.range[0]).line;
  return undefined;
}

function walk(
  section: Section,
  raw: unknown,
  path: string[],
  out: Record<string, unknown>,
  fail: (path: string[], problem: string) => never,
  collect?: ConfigError[],
): void {
  if (raw === null || raw === undefined) return;
  if (typeof raw !== 'object' || Array.isArray(raw)) fail(path, 'must be a mapping of keys');
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    try {
      const spec = section[key];
      const here = [...path, key];
      if (!spec) {
        const known = Object.keys(section).join(', ');
        fail(here, `unknown key (known here: ${known})`);
      }
      if (isField(spec)) out[key] = checkField(spec, value, (p) => fail(here, p));
      else walk(spec, value, here, out[key] as Record<string, unknown>, fail, collect);
    } catch (err) {
      // Collecting (`carrier check`): the bad key keeps its default and the rest is read.
      if (!collect || !(err instanceof ConfigError)) throw err;
      collect.push(err);
    }
  }
}

/** Apply the documented environment overrides; a bad value names the variable. */
function applyEnv(cfg: CarrierConfig, env: NodeJS.ProcessEnv): void {
  // The variable as the source and the key it sets: `environment CARRIER_SSH_PORT: ssh.port: …`.
  const portVar = (name: string, key: string, f: Field, set: (v: number | 'off') => void) => {
    const v = env[name];
    if (v === undefined || v === '') return;
    set(checkField(f, v.trim(), (p) => { throw new ConfigError(`environment ${name}`, key, p); }) as number | 'off');
  };
  if (env['CARRIER_HOST']) cfg.host = env['CARRIER_HOST'];
  if (env['CARRIER_DATA_DIR']) cfg.dataDir = env['CARRIER_DATA_DIR'];
  portVar('CARRIER_TELNET_PORT', 'telnet.port', schema.telnet.port, (v) => (cfg.telnet.port = v));
  portVar('CARRIER_SSH_PORT', 'ssh.port', schema.ssh.port, (v) => (cfg.ssh.port = v));
  portVar('CARRIER_RLOGIN_PORT', 'rlogin.port', schema.rlogin.port, (v) => (cfg.rlogin.port = v));
  portVar('CARRIER_WEB_PORT', 'web.port', schema.web.port, (v) => (cfg.web.port = v));
  if (env['DATABASE_URL']) cfg.database.url = env['DATABASE_URL'];
  if (env['REDIS_URL']) cfg.bus.redisUrl = env['REDIS_URL'];
  if (net.isIP(cfg.host) === 0 && cfg.host !== 'localhost') {
    throw new ConfigError(env['CARRIER_HOST'] ? 'environment CARRIER_HOST' : 'config', 'host', `"${cfg.host}" is not an IP address`);
  }
}

/**
 * Read the config: CARRIER_CONFIG, else ./config/carrier.yaml when present, else defaults;
 * then the environment overrides. Relative paths resolve against `cwd`. The first problem
 * throws, unless `problems` is given: then every problem is pushed there and a bad key
 * keeps its default (what `carrier check` reports in one run).
 */
export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv; cwd?: string; problems?: ConfigError[] } = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const explicit = opts.file ?? env['CARRIER_CONFIG'];
  const file = explicit ? resolve(cwd, explicit) : existsSync(resolve(cwd, 'config/carrier.yaml')) ? resolve(cwd, 'config/carrier.yaml') : undefined;
  const cfg = defaults(schema) as unknown as CarrierConfig;
  const collect = opts.problems;
  const tryStep = (step: () => void): void => {
    try {
      step();
    } catch (err) {
      if (!collect || !(err instanceof ConfigError)) throw err;
      collect.push(err);
    }
  };
  if (file) tryStep(() => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(file, '(file)', `cannot be read: ${(err as Error).message}`);
    }
    const counter = new LineCounter();
    // Plain errors (as menu-yaml.ts parses): the line goes in file:line, and yaml's pretty
    // form ("… at line 2, column 1:" and the source after it) would say it again, cut at a colon.
    const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const offset = e.pos[0];
      const line = offset === undefined ? undefined : counter.linePos(offset).line;
      throw new ConfigError(file, '(yaml)', e.message.split('\n')[0] || 'invalid YAML', line);
    }
    if (doc.contents !== null && !isMap(doc.contents)) throw new ConfigError(file, '(top level)', 'must be a mapping of keys');
    const fail = (path: string[], problem: string): never => {
      throw new ConfigError(file, path.join('.'), problem, lineOf(doc, counter, path));
    };
    walk(schema, doc.toJS(), [], cfg as unknown as Record<string, unknown>, fail, collect);
  });
  tryStep(() => applyEnv(cfg, env));
  cfg.dataDir = resolve(cwd, cfg.dataDir);
  cfg.paths.scripts = resolve(cwd, cfg.paths.scripts);
  cfg.paths.art = resolve(cwd, cfg.paths.art);
  cfg.paths.menus = resolve(cwd, cfg.paths.menus);
  return { config: cfg, file };
}
