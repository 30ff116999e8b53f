import { PullPolicy, type DockerOptions } from '@fluxi/contracts';

/** When the Docker driver fetches a job's image. */
export type PullPolicyName = 'if-not-present' | 'always' | 'never';

/** How a job's container is run, from its JobSpec's `docker` options. */
export interface ContainerOptions {
  pullPolicy: PullPolicyName;
  /** CPUs the container may use; 0: no limit. */
  cpus: number;
  /** Memory limit in MiB; 0: no limit. */
  memoryMib: number;
  /** Replaces the image's entrypoint (the command its last argument); empty: the image's /bin/sh -c. */
  entrypoint: string[];
  /** Keep the container of a failed attempt instead of removing it. */
  keepOnFailure: boolean;
}

const PULL_POLICIES: Record<PullPolicy, PullPolicyName> = {
  [PullPolicy.UNSPECIFIED]: 'if-not-present',
  [PullPolicy.IF_NOT_PRESENT]: 'if-not-present',
  [PullPolicy.ALWAYS]: 'always',
  [PullPolicy.NEVER]: 'never',
};

/** The container options of a job; a job without `docker` options gets the defaults. */
export function containerOptions(docker: DockerOptions | undefined): ContainerOptions {
  return {
    // A value from a newer contract than this executor knows falls back to the default.
    pullPolicy: PULL_POLICIES[docker?.pullPolicy ?? PullPolicy.UNSPECIFIED] ?? 'if-not-present',
    cpus: positiveOrZero(docker?.cpus),
    memoryMib: docker?.memoryMib ?? 0,
    entrypoint: [...(docker?.entrypoint ?? [])],
    keepOnFailure: docker?.keepOnFailure ?? false,
  };
}

function positiveOrZero(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : 0;
}
