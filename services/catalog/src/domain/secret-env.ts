import { FluxiError, type SecretKeyRing } from '@fluxi/common';
import { validateSecretValue } from './secret.js';

/** A job's environment variable, its value in the clear (in the snapshot, the payload, the API). */
export interface PlainEnvVar {
  name: string;
  value: string;
  secret?: false;
}

/**
 * A job's environment variable marked secret: its value is sealed with the installation's key (the
 * job id and the name bound in), never answered by an API, never in a snapshot or a payload; the
 * executor gets it when an attempt starts (fluxi.catalog.secrets.resolve) and masks it.
 */
export interface SecretEnvVar {
  name: string;
  secret: true;
  /** A new value to seal (from an input); never stored in the clear. */
  value?: string;
  /**
   * As stored: the sealed value, or null when it is not set (a job imported from a `fluxi.yaml`,
   * which never holds one). Absent: nothing stored yet (the store seals `value`, or stores null).
   */
  sealed?: string | null;
}

export type EnvVar = PlainEnvVar | SecretEnvVar;

/** An environment variable as a client sends it (`sealed` only from the catalog's own code). */
export interface EnvVarInput {
  name?: string | null;
  value?: string | null;
  secret?: boolean | null;
  sealed?: string | null;
}

export const isSecretEnv = (entry: EnvVar): entry is SecretEnvVar => entry.secret === true;

/** The associated data a secret environment value is sealed with: a copied value opens nowhere else. */
export const secretEnvSealContext = (jobId: string, name: string): string => `job-env:${jobId}:${name}`;

/**
 * A validated secret entry. With a value: the value (the rules of secrets: 4+ characters). Without:
 * the stored value it carries (`sealed`), or, when `unsetAllowed` (a `fluxi.yaml`), none yet; else
 * BAD_USER_INPUT: a client must send the value the first time.
 */
export function secretEnvEntry(name: string, item: EnvVarInput, field: string, unsetAllowed: boolean): SecretEnvVar {
  if (item.value !== undefined && item.value !== null) {
    return { name, secret: true, value: validateSecretValue(item.value, field, `value of ${name} (secret)`) };
  }
  if (item.sealed !== undefined) return { name, secret: true, sealed: item.sealed };
  if (unsetAllowed) return { name, secret: true };
  throw new FluxiError(
    'BAD_USER_INPUT',
    `value of ${name} is required: secret: true without a value keeps the value stored for ${name}, and the job has none`,
    { field },
  );
}

/**
 * `entries` (an update's env), each secret entry without a value given the stored value of the
 * same name in `current` when that one is secret too: sending `{ name, secret: true }` keeps it.
 */
export function keepStoredSecretEnv<T extends EnvVarInput>(
  entries: readonly T[],
  current: readonly EnvVar[],
): (T | (T & { sealed: string | null }))[] {
  return entries.map((entry) => {
    if (entry.secret !== true || (entry.value !== undefined && entry.value !== null)) return entry;
    if (entry.sealed !== undefined) return entry;
    const stored = current.find((item) => item.name === entry.name);
    if (stored === undefined || !isSecretEnv(stored) || stored.sealed === undefined) return entry;
    return { ...entry, sealed: stored.sealed };
  });
}

/** The names of the secret entries, in order. */
export const secretEnvNames = (env: readonly EnvVar[]): string[] => env.filter(isSecretEnv).map((v) => v.name);

/** The entries in the clear (what a snapshot carries). */
export const plainEnv = (env: readonly EnvVar[]): PlainEnvVar[] => env.filter((v): v is PlainEnvVar => !isSecretEnv(v));

/** What an API answers of an entry: never a secret's value (sealed or not). */
export function envAnswer(entry: EnvVar): { name: string; value: string | null; secret: boolean } {
  return isSecretEnv(entry)
    ? { name: entry.name, value: null, secret: true }
    : { name: entry.name, value: entry.value, secret: false };
}

/**
 * The secret entries of `job` named `names` (an attempt's JobSpec.secret_env_names). A name that is
 * not (or no longer) a secret variable of the job is refused: the run's snapshot is older than
 * the definition, and its values are the definition's.
 */
export function pickSecretEnv(job: { name: string; env: readonly EnvVar[] }, names: readonly string[]): SecretEnvVar[] {
  return names.map((name) => {
    const entry = job.env.find((item) => item.name === name);
    if (entry === undefined || !isSecretEnv(entry)) {
      throw new FluxiError(
        'BAD_USER_INPUT',
        `job ${job.name} has no secret environment variable ${name} (any more): rerun the pipeline to use its definition`,
        { field: name },
      );
    }
    return entry;
  });
}

/**
 * `env` as stored for job `jobId`: a secret entry's new value sealed (the job id and name bound in),
 * a stored one kept, or opened from job `sealedFor` (a copy) and sealed again; none: null (unset).
 */
export function sealEnv(env: readonly EnvVar[], jobId: string, keys: SecretKeyRing, sealedFor: string): EnvVar[] {
  return env.map((entry): EnvVar => {
    if (!isSecretEnv(entry)) return { name: entry.name, value: entry.value };
    const { name } = entry;
    const context = secretEnvSealContext(jobId, name);
    if (entry.value !== undefined) return { name, secret: true, sealed: keys.seal(entry.value, context) };
    if (entry.sealed === undefined || entry.sealed === null) return { name, secret: true, sealed: null };
    if (sealedFor === jobId) return { name, secret: true, sealed: entry.sealed };
    return { name, secret: true, sealed: keys.seal(openSecretEnvValue(keys, sealedFor, entry), context) };
  });
}

/** The value of a stored secret entry of job `jobId`; NOT_FOUND when unset, INTERNAL when no key opens it. */
export function openSecretEnvValue(keys: SecretKeyRing, jobId: string, entry: SecretEnvVar): string {
  if (entry.sealed === undefined || entry.sealed === null) {
    throw new FluxiError(
      'NOT_FOUND',
      `secret environment variable ${entry.name} of job ${jobId} has no value: set it with updateJob (env: { name: "${entry.name}", value: "…", secret: true })`,
      { field: entry.name },
    );
  }
  try {
    return keys.open(entry.sealed, secretEnvSealContext(jobId, entry.name)).plaintext;
  } catch {
    throw new FluxiError(
      'INTERNAL',
      `secret environment variable ${entry.name} of job ${jobId} does not open with the configured keys (another secrets.masterKey?): set it again`,
    );
  }
}
