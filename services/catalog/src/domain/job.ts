import { badInput } from '@fluxi/common';
import { validateArtifacts } from './artifacts.js';
import { validateExitCodes } from './exit-codes.js';
import { isDefaultDocker, validateDocker, type DockerOptions, type DockerOptionsInput } from './docker.js';
import { DEFAULT_POOL, optionalPool, validateTags } from './routing.js';
import { ENV_NAME_RULE, isEnvName, quote, requireName } from './names.js';
import { retryInput, validateRetry, type RetryPolicy, type RetryPolicyInput } from './retry.js';
import { validateJobSecrets } from './secret.js';
import { keepStoredSecretEnv, secretEnvEntry, type EnvVar, type EnvVarInput } from './secret-env.js';

export type { EnvVar, EnvVarInput } from './secret-env.js';

/** The definition of a job as the catalog stores it (valid, defaults applied). */
export interface JobDefinition {
  name: string;
  command: string;
  /** Docker image; null runs the job with the shell driver. */
  image: string | null;
  /** Secret entries hold their value sealed (see secret-env.ts), never in the clear once stored. */
  env: EnvVar[];
  workdir: string | null;
  /** Seconds; null uses the executor's default timeout. */
  timeoutSec: number | null;
  maxAttempts: number;
  allowFailure: boolean;
  /** A failure with one of these exit codes does not fail the run (GitLab allow_failure: exit_codes). */
  allowFailureExitCodes: number[];
  retry: RetryPolicy;
  /** Globs relative to the work folder, saved after the job. */
  artifacts: string[];
  /** Executor pool the job runs in ("default" unless set). */
  pool: string;
  /** Tags an executor of the pool must all carry to take the job. */
  tags: string[];
  /** Most attempts of this job running at once, across all runs; null: no limit. */
  maxConcurrent: number | null;
  /** How the job runs when it has an image. */
  docker: DockerOptions;
  /** Fetch the run's commit (a git push's) into the work folder before the command runs. */
  checkout: boolean;
  /** Secret names the attempt gets as environment variables (values resolved when it starts). */
  secrets: string[];
}

export interface Job extends JobDefinition {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Job input as a client sends it: anything may be missing or null. */
export interface JobInput {
  name?: string | null;
  command?: string | null;
  image?: string | null;
  env?: ReadonlyArray<EnvVarInput> | null;
  workdir?: string | null;
  timeoutSec?: number | null;
  maxAttempts?: number | null;
  allowFailure?: boolean | null;
  allowFailureExitCodes?: ReadonlyArray<number> | null;
  retry?: RetryPolicyInput | null;
  artifacts?: ReadonlyArray<string> | null;
  pool?: string | null;
  tags?: ReadonlyArray<string> | null;
  maxConcurrent?: number | null;
  docker?: DockerOptionsInput | null;
  checkout?: boolean | null;
  secrets?: ReadonlyArray<string> | null;
}

export const MAX_TIMEOUT_SEC = 604_800;
export const MAX_ATTEMPTS = 10;
export const MAX_CONCURRENT = 10_000;
const MAX_TEXT = 65_536;

export interface ValidateJobOptions {
  /**
   * A secret environment variable may come without a value and none stored (a `fluxi.yaml`, which
   * never holds one): it is stored unset, and an attempt fails naming it until it is set.
   */
  unsetSecretEnv?: boolean;
}

/**
 * Validates a job input and applies the defaults. Throws BAD_USER_INPUT with the
 * field path (`${path}.env[2].name`) of the first fault found.
 */
export function validateJob(input: JobInput, path = 'input', options: ValidateJobOptions = {}): JobDefinition {
  const name = requireName(input.name, 'job name', `${path}.name`);
  const image = optionalText(input.image, `${path}.image`, 'image', /^\S+$/, 'must not contain whitespace');
  const docker = validateDocker(input.docker, `${path}.docker`);
  if (image === null && !isDefaultDocker(docker)) {
    throw badInput('docker options apply to a job with an image: set image, or remove docker', `${path}.docker`);
  }
  const variables = env(input.env, `${path}.env`, options.unsetSecretEnv ?? false);
  return {
    name,
    command: command(input.command, `${path}.command`),
    image,
    env: variables,
    workdir: optionalText(input.workdir, `${path}.workdir`, 'workdir', /^[^\0]+$/, 'must not contain NUL characters'),
    timeoutSec: optionalInt(input.timeoutSec, `${path}.timeoutSec`, 'timeoutSec', 1, MAX_TIMEOUT_SEC),
    maxAttempts: optionalInt(input.maxAttempts, `${path}.maxAttempts`, 'maxAttempts', 1, MAX_ATTEMPTS) ?? 1,
    allowFailure: input.allowFailure ?? false,
    allowFailureExitCodes: validateExitCodes(input.allowFailureExitCodes, `${path}.allowFailureExitCodes`),
    retry: validateRetry(input.retry, `${path}.retry`),
    artifacts: validateArtifacts(input.artifacts, `${path}.artifacts`),
    pool: optionalPool(input.pool, `${path}.pool`) ?? DEFAULT_POOL,
    tags: validateTags(input.tags, `${path}.tags`),
    maxConcurrent: optionalInt(input.maxConcurrent, `${path}.maxConcurrent`, 'maxConcurrent', 1, MAX_CONCURRENT),
    docker,
    checkout: input.checkout ?? false,
    secrets: validateJobSecrets(input.secrets, new Set(variables.map((v) => v.name)), `${path}.secrets`),
  };
}

/**
 * Applies a partial update to a job: a field that is absent keeps its value, a
 * field set to null is cleared (or reset to its default), then the result is validated.
 */
export function applyJobPatch(current: JobDefinition, patch: JobInput, path = 'input'): JobDefinition {
  // `retry` is stored in milliseconds: back to its input form, replaced whole by a patch that sets it.
  const merged: JobInput = { ...current, retry: retryInput(current.retry) };
  for (const [key, value] of Object.entries(patch) as [keyof JobInput, unknown][]) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  // A secret entry sent without a value keeps the stored one of its name.
  if (patch.env !== undefined && patch.env !== null) merged.env = keepStoredSecretEnv(patch.env, current.env);
  return validateJob(merged, path);
}

function command(value: string | null | undefined, field: string): string {
  if (value === undefined || value === null || value.trim() === '')
    throw badInput('command is required and must not be blank', field);
  if (value.length > MAX_TEXT) throw badInput(`command is longer than ${MAX_TEXT} characters`, field);
  return value;
}

/** Optional text: null, undefined and "" mean "none". */
function optionalText(
  value: string | null | undefined,
  field: string,
  what: string,
  rule: RegExp,
  ruleText: string,
): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (value.length > 1024) throw badInput(`${what} is longer than 1024 characters`, field);
  if (!rule.test(value)) throw badInput(`${what} ${quote(value)} is invalid: it ${ruleText}`, field);
  return value;
}

/** A whole number in [min, max], or null when absent. */
export function optionalInt(
  value: number | null | undefined,
  field: string,
  what: string,
  min: number,
  max: number,
): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badInput(`${what} must be a whole number from ${min} to ${max}, got ${value}`, field);
  }
  return value;
}

function env(value: JobInput['env'], field: string, unsetSecretAllowed: boolean): EnvVar[] {
  if (value === undefined || value === null) return [];
  const seen = new Map<string, number>();
  return value.map((item, index) => {
    const at = `${field}[${index}]`;
    const name = item.name ?? '';
    if (!isEnvName(name)) {
      throw badInput(`environment variable name ${quote(name)} is invalid: use ${ENV_NAME_RULE}`, `${at}.name`);
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw badInput(`environment variable ${name} is set twice (env[${first}] and env[${index}])`, `${at}.name`);
    }
    seen.set(name, index);
    if (item.secret === true) return secretEnvEntry(name, item, `${at}.value`, unsetSecretAllowed);
    const text = item.value ?? '';
    if (text.length > MAX_TEXT) throw badInput(`value of ${name} is longer than ${MAX_TEXT} characters`, `${at}.value`);
    if (text.includes('\0')) throw badInput(`value of ${name} must not contain NUL characters`, `${at}.value`);
    return { name, value: text };
  });
}
