import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ZodError } from 'zod';
import { configSchema, type FluxiConfig } from './schema.js';
import { setPath } from './paths.js';

/** Environment variables that map to config keys besides the generic FLUXI_* ones. */
const WELL_KNOWN_ENV: Record<string, string> = {
  DATABASE_URL: 'database.url',
  NATS_URL: 'nats.url',
  REDIS_URL: 'redis.url',
  CLICKHOUSE_URL: 'clickhouse.url',
  DOCKER_HOST: 'executor.docker.host',
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** YAML config file to read; none is read when unset. */
  file?: string;
  /** Environment, e.g. process.env. */
  env?: Record<string, string | undefined>;
  /** Dotted keys from the command line, e.g. { 'executor.concurrency': '8' }. */
  flags?: Record<string, string | number | boolean>;
  /** What the user typed for each flag key (e.g. `--port abc`), named in errors; default `--<key>`. */
  flagSources?: Record<string, string>;
}

/**
 * Builds the config: YAML file < environment < flags, validated once. A bad or
 * unknown key is reported by its dotted name and the source it came from.
 */
export function loadConfig(options: LoadConfigOptions = {}): FluxiConfig {
  const raw: Record<string, unknown> = options.file === undefined ? {} : readConfigFile(options.file);
  const origin = new Map<string, string>();
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined || value === '') continue;
    const key = WELL_KNOWN_ENV[name] ?? envKey(name);
    // Other FLUXI_* variables (test overrides, tooling) are not configuration.
    if (key === undefined || !((key.split('.')[0] as string) in configSchema.shape)) continue;
    setPath(raw, key, coerce(value));
    origin.set(key, `environment variable ${name}`);
  }
  for (const [key, value] of Object.entries(options.flags ?? {})) {
    setPath(raw, key, typeof value === 'string' ? coerce(value) : value);
    origin.set(key, `flag ${options.flagSources?.[key] ?? `--${key}`}`);
  }
  try {
    return configSchema.parse(raw);
  } catch (error) {
    if (error instanceof ZodError) throw new ConfigError(describe(error, origin, options.file));
    throw error;
  }
}

function readConfigFile(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new ConfigError(`config file ${file} does not exist`);
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file} must hold a mapping of keys`);
  }
  return parsed as Record<string, unknown>;
}

/** FLUXI_EXECUTOR__CONCURRENCY → executor.concurrency; FLUXI_DATA_DIR → dataDir. */
function envKey(name: string): string | undefined {
  if (!name.startsWith('FLUXI_')) return undefined;
  const parts = name.slice('FLUXI_'.length).toLowerCase().split('__');
  return parts.map((part) => part.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())).join('.');
}

function coerce(value: string): string | number | boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

function describe(error: ZodError, origin: Map<string, string>, file: string | undefined): string {
  const lines = error.issues.map((issue) => {
    const base = issue.path.map(String).join('.');
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => (base ? `${base}.${k}` : k)) : [base];
    const where = keys.map((k) => originOf(k, origin) ?? (file === undefined ? 'defaults' : `file ${file}`)).join(', ');
    const message = issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message;
    return `  ${keys.join(', ')}: ${message} (from ${where})`;
  });
  return `invalid configuration:\n${lines.join('\n')}`;
}

/** Where `key` was set: the key itself, or a key below it (`--set nope.key=1` sets unknown `nope`). */
function originOf(key: string, origin: Map<string, string>): string | undefined {
  const exact = origin.get(key);
  if (exact !== undefined) return exact;
  for (const [set, where] of origin) if (set.startsWith(`${key}.`)) return where;
  return undefined;
}
