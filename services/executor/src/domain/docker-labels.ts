import { isSafeId } from '@fluxi/common';
import type { AttemptRef } from './messages.js';

/** The labels on every container of a job. */
export const LABELS = {
  jobRun: 'fluxi.job-run',
  attempt: 'fluxi.attempt',
  pipelineRun: 'fluxi.pipeline-run',
  job: 'fluxi.job',
  /** The executor's stable name (config executor.name). */
  executor: 'fluxi.executor',
  /** One life of that executor: its id (`host:pid`) and a nonce. */
  instance: 'fluxi.executor-instance',
} as const;

/** Which executor, and which life of it, runs a container. */
export interface ExecutorIdentity {
  name: string;
  instance: string;
}

/** The instance label of one executor life: `host:pid/nonce` (a pid can come back after a restart). */
export function instanceId(executorId: string, nonce: string): string {
  return `${executorId}/${nonce}`;
}

export function containerLabels(
  task: AttemptRef & { jobId: string },
  executor: ExecutorIdentity,
): Record<string, string> {
  return {
    [LABELS.jobRun]: task.jobRunId,
    [LABELS.attempt]: String(task.attempt),
    [LABELS.pipelineRun]: task.pipelineRunId,
    [LABELS.job]: task.jobId,
    [LABELS.executor]: executor.name,
    [LABELS.instance]: executor.instance,
  };
}

/** The attempt a container ran, from its labels; undefined when they do not name one. */
export function attemptOfLabels(labels: Record<string, string>): AttemptRef | undefined {
  const jobRunId = labels[LABELS.jobRun] ?? '';
  const pipelineRunId = labels[LABELS.pipelineRun] ?? '';
  const attempt = Number(labels[LABELS.attempt]);
  if (!isSafeId(jobRunId) || !isSafeId(pipelineRunId) || !Number.isInteger(attempt) || attempt < 1) return undefined;
  return { jobRunId, pipelineRunId, attempt };
}

/** The name a kept container (keep_on_failure) is given, so that no later life takes it for an orphan. */
export function keptName(ref: AttemptRef, containerId: string): string {
  return `fluxi-kept-${ref.jobRunId}-${ref.attempt}-${containerId.slice(0, 12)}`;
}

/** What a container carrying this executor's name is to this life of it. */
export type Leftover =
  /** Started by this very life. */
  | 'own'
  /** Kept on purpose after a failure (keep_on_failure). */
  | 'kept'
  /** Of another executor process of the same name, alive on this host. */
  | 'sibling'
  /** Left by an earlier life: its attempt is lost. */
  | 'orphan';

export interface LeftoverFacts {
  labels: Record<string, string>;
  /** Container names as the engine lists them ("/name"). */
  names: readonly string[];
}

export interface ThisProcess {
  host: string;
  pid: number;
  /** Whether a process of this host is alive. */
  alive(pid: number): boolean;
}

/** Tells a container this executor's name left apart from its own and its siblings'. */
export function leftoverKind(container: LeftoverFacts, me: ExecutorIdentity, self: ThisProcess): Leftover {
  const instance = container.labels[LABELS.instance] ?? '';
  if (instance === me.instance) return 'own';
  if (container.names.some((name) => name.replace(/^\//, '').startsWith('fluxi-kept-'))) return 'kept';
  const owner = ownerOf(instance);
  if (owner !== undefined && owner.host === self.host && owner.pid !== self.pid && self.alive(owner.pid)) {
    return 'sibling';
  }
  return 'orphan';
}

function ownerOf(instance: string): { host: string; pid: number } | undefined {
  const slash = instance.lastIndexOf('/');
  const executorId = slash < 0 ? instance : instance.slice(0, slash);
  const colon = executorId.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const pid = Number(executorId.slice(colon + 1));
  return Number.isInteger(pid) && pid > 0 ? { host: executorId.slice(0, colon), pid } : undefined;
}
