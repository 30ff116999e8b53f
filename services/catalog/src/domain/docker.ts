import { badInput } from '@fluxi/common';
import { quote } from './names.js';

export const PULL_POLICIES = ['IF_NOT_PRESENT', 'ALWAYS', 'NEVER'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

/** How a job with an image runs (ignored by the shell driver, refused without an image). */
export interface DockerOptions {
  pullPolicy: PullPolicy;
  /** CPUs the container may use (fractions allowed); null: no limit. */
  cpus: number | null;
  /** Memory limit in MiB; null: no limit. */
  memoryMiB: number | null;
  /** Replaces the image's entrypoint (the command is its last argument); empty: the image's /bin/sh -c. */
  entrypoint: string[];
  /** Keep the container of a failed attempt for inspection. */
  keepOnFailure: boolean;
}

export interface DockerOptionsInput {
  pullPolicy?: string | null;
  cpus?: number | null;
  memoryMiB?: number | null;
  entrypoint?: ReadonlyArray<string> | null;
  keepOnFailure?: boolean | null;
}

export const MAX_CPUS = 256;
export const MIN_MEMORY_MIB = 4;
export const MAX_MEMORY_MIB = 4 * 1024 * 1024;
const MAX_ENTRYPOINT_ITEMS = 32;
const MAX_ITEM = 1024;

export const DEFAULT_DOCKER: Readonly<DockerOptions> = Object.freeze({
  pullPolicy: 'IF_NOT_PRESENT',
  cpus: null,
  memoryMiB: null,
  entrypoint: [],
  keepOnFailure: false,
});

export const defaultDocker = (): DockerOptions => ({ ...DEFAULT_DOCKER, entrypoint: [] });

/** Whether the options are all defaults (a job without an image may only have these). */
export function isDefaultDocker(options: DockerOptions): boolean {
  return (
    options.pullPolicy === 'IF_NOT_PRESENT' &&
    options.cpus === null &&
    options.memoryMiB === null &&
    options.entrypoint.length === 0 &&
    !options.keepOnFailure
  );
}

/** Validates docker options (null: the defaults). Field paths under `field`. */
export function validateDocker(input: DockerOptionsInput | null | undefined, field: string): DockerOptions {
  if (input === undefined || input === null) return defaultDocker();
  const pullPolicy = input.pullPolicy ?? 'IF_NOT_PRESENT';
  if (!(PULL_POLICIES as readonly string[]).includes(pullPolicy)) {
    throw badInput(
      `pullPolicy ${quote(pullPolicy)} is invalid: use one of ${PULL_POLICIES.join(', ')}`,
      `${field}.pullPolicy`,
    );
  }
  const cpus = input.cpus ?? null;
  if (cpus !== null && (!Number.isFinite(cpus) || cpus <= 0 || cpus > MAX_CPUS)) {
    throw badInput(`cpus must be a number above 0 and at most ${MAX_CPUS}, got ${cpus}`, `${field}.cpus`);
  }
  const memoryMiB = input.memoryMiB ?? null;
  if (
    memoryMiB !== null &&
    (!Number.isInteger(memoryMiB) || memoryMiB < MIN_MEMORY_MIB || memoryMiB > MAX_MEMORY_MIB)
  ) {
    throw badInput(
      `memoryMiB must be a whole number from ${MIN_MEMORY_MIB} to ${MAX_MEMORY_MIB}, got ${memoryMiB}`,
      `${field}.memoryMiB`,
    );
  }
  return {
    pullPolicy: pullPolicy as PullPolicy,
    cpus,
    memoryMiB,
    entrypoint: entrypoint(input.entrypoint, `${field}.entrypoint`),
    keepOnFailure: input.keepOnFailure ?? false,
  };
}

function entrypoint(value: ReadonlyArray<string> | null | undefined, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (value.length > MAX_ENTRYPOINT_ITEMS) {
    throw badInput(`entrypoint has more than ${MAX_ENTRYPOINT_ITEMS} parts`, field);
  }
  return value.map((part, index) => {
    const at = `${field}[${index}]`;
    if (part === '') throw badInput('an entrypoint part must not be empty', at);
    if (part.length > MAX_ITEM) throw badInput(`an entrypoint part is longer than ${MAX_ITEM} characters`, at);
    if (part.includes('\0')) throw badInput('an entrypoint part must not contain NUL characters', at);
    return part;
  });
}
