import { badInput, FluxiError } from '@fluxi/common';
import { ENV_NAME_RULE, isEnvName, quote } from './names.js';

/**
 * Secrets: a name (a shell identifier: it becomes an environment variable of the jobs that list
 * it), a value, and a scope (global, or one pipeline whose own secret of a name wins over the global
 * one). The value is sealed with the installation's key, the row id bound in, and never shown again.
 */
export interface SecretInput {
  name?: string | null;
  value?: string | null;
  pipelineId?: string | null;
}

export interface SecretDefinition {
  name: string;
  value: string;
  /** null: global. */
  pipelineId: string | null;
}

/** What any API may say of a secret: never its value. */
export interface SecretInfo {
  id: string;
  name: string;
  pipelineId: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt: Date | null;
}

/**
 * Shorter values are refused: the executor masks every value (and its encodings) in what a job
 * prints, and masking 1-3 characters would mask ordinary text everywhere.
 */
export const MIN_SECRET_LENGTH = 4;
export const MAX_SECRET_LENGTH = 65_536;
const MAX_NAME_LENGTH = 128;
/** Most secrets one job lists. */
export const MAX_JOB_SECRETS = 64;

export function validateSecretName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw badInput('secret name is required', field);
  if (!isEnvName(value) || value.length > MAX_NAME_LENGTH) {
    throw badInput(`secret name ${quote(value)} is invalid: use ${ENV_NAME_RULE} (at most ${MAX_NAME_LENGTH})`, field);
  }
  return value;
}

/** Validates `setSecret`'s input; the pipeline's existence is the store's to check. */
export function validateSecret(input: SecretInput, path = 'input'): SecretDefinition {
  const name = validateSecretName(input.name, `${path}.name`);
  const value = validateSecretValue(input.value, `${path}.value`);
  const pipelineId = input.pipelineId === undefined || input.pipelineId === '' ? null : input.pipelineId;
  return { name, value, pipelineId };
}

/**
 * The rules of a value Fluxi masks (a secret's, or a job's environment variable marked secret):
 * 4 to 65536 characters, not blank, no NUL. `what` starts the messages ("secret value").
 */
export function validateSecretValue(value: unknown, field: string, what = 'secret value'): string {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) {
    throw badInput(
      `${what} must be at least ${MIN_SECRET_LENGTH} characters (shorter ones cannot be masked in logs)`,
      field,
    );
  }
  if (value.length > MAX_SECRET_LENGTH) throw badInput(`${what} is longer than ${MAX_SECRET_LENGTH} characters`, field);
  if (value.includes('\0')) throw badInput(`${what} must not contain NUL characters`, field);
  if (value.trim() === '') throw badInput(`${what} must not be blank`, field);
  return value;
}

/** A job's `secrets`: distinct secret names, at most MAX_JOB_SECRETS, none also in its env. */
export function validateJobSecrets(
  value: ReadonlyArray<string> | null | undefined,
  envNames: ReadonlySet<string>,
  field: string,
): string[] {
  if (value === undefined || value === null) return [];
  if (value.length > MAX_JOB_SECRETS) throw badInput(`a job lists at most ${MAX_JOB_SECRETS} secrets`, field);
  const seen = new Set<string>();
  return value.map((name, index) => {
    const at = `${field}[${index}]`;
    validateSecretName(name, at);
    if (seen.has(name)) throw badInput(`secret ${name} is listed twice`, at);
    if (envNames.has(name)) {
      throw badInput(`${name} is both an environment variable and a secret of the job: keep one`, at);
    }
    seen.add(name);
    return name;
  });
}

/** The associated data a secret's value is sealed with: its row id (a copied value does not open elsewhere). */
export const secretSealContext = (id: string): string => `secret:${id}`;

/** A stored secret a resolution may use, with its value opened. */
export interface OpenedSecretRow {
  id: string;
  name: string;
  pipelineId: string | null;
  value: string;
}

/**
 * The values of `names` for an attempt of a run of `pipelineId` (empty: a job run alone): the
 * pipeline's own secret of a name wins over the global one. Throws NOT_FOUND naming the first
 * name that is set in neither scope.
 */
export function pickSecrets(
  rows: readonly OpenedSecretRow[],
  names: readonly string[],
  pipelineId: string,
): { values: Map<string, string>; used: string[] } {
  const values = new Map<string, string>();
  const used: string[] = [];
  for (const name of names) {
    const own = pipelineId === '' ? undefined : rows.find((r) => r.name === name && r.pipelineId === pipelineId);
    const row = own ?? rows.find((r) => r.name === name && r.pipelineId === null);
    if (row === undefined) {
      throw new FluxiError('NOT_FOUND', missingSecretMessage(name, pipelineId), { field: name });
    }
    values.set(name, row.value);
    used.push(row.id);
  }
  return { values, used };
}

export function missingSecretMessage(name: string, pipelineId: string): string {
  return pipelineId === ''
    ? `secret ${name} is not set (global; a job run alone sees global secrets only)`
    : `secret ${name} is not set (global or for pipeline ${pipelineId})`;
}
