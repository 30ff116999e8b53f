import { contextNote } from '../../engine/systems/contexts.js';
import type { ContextRecord } from '../../store/context-records.js';
import type { JobRunRecord, PipelineRunRecord } from '../../store/records.js';
import type { ArtifactRecord, AttemptRecord, StageRunRecord } from '../../store/run-store.js';

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/** Where the gateway serves an artifact. */
export const artifactPath = (jobRunId: string, path: string): string =>
  `/artifacts/${encodeURIComponent(jobRunId)}/${path.split('/').map(encodeURIComponent).join('/')}`;

/** A run's own fields; `warnings`, `stages` and `jobRuns` are resolved when asked for. */
export function pipelineRunToGraphql(run: PipelineRunRecord) {
  return {
    id: run.id,
    pipelineId: run.pipelineId,
    jobId: run.jobId,
    number: run.number,
    status: run.status,
    reason: run.reason,
    trigger: run.trigger,
    triggeredBy: run.triggeredBy,
    triggeredByName: run.triggeredByName,
    branch: run.branch,
    commit: run.commitSha,
    idempotencyKey: run.idempotencyKey,
    scheduleId: run.provenance?.scheduleId ?? null,
    plannedAt: run.provenance?.plannedAt ?? null,
    webhookDeliveryId: run.provenance?.webhookDeliveryId ?? null,
    git: run.provenance?.git ?? null,
    variables: Object.entries(run.provenance?.variables ?? {})
      .map(([name, value]) => ({ name, value }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    rerunOf: run.rerunOf,
    failedOnly: run.failedOnly,
    timeoutSec: run.timeoutSec,
    deadlineAt: iso(run.deadlineAt),
    concurrencyGroup: run.concurrencyGroup,
    waiting: run.concurrencyState === 'waiting' && run.endedAt === null,
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    endedAt: iso(run.endedAt),
  };
}

export function stageRunToGraphql(stage: StageRunRecord) {
  return {
    index: stage.index,
    name: stage.name,
    status: stage.status,
    startedAt: iso(stage.startedAt),
    endedAt: iso(stage.endedAt),
  };
}

/** A job run's own fields, and its record for `attempts` and `artifacts`, resolved when asked for. */
export function jobRunToGraphql(jobRun: JobRunRecord) {
  return {
    record: jobRun,
    id: jobRun.id,
    pipelineRunId: jobRun.pipelineRunId,
    jobId: jobRun.jobId,
    name: jobRun.name,
    entry: jobRun.entry,
    stage: jobRun.stageName,
    matrix: jobRun.matrix,
    when: jobRun.when,
    allowFailure: jobRun.allowFailure,
    status: jobRun.status,
    exitCode: jobRun.exitCode,
    attempt: jobRun.attempt,
    maxAttempts: jobRun.maxAttempts,
    notBefore: iso(jobRun.notBefore),
    failureClass: jobRun.failureClass,
    reason: jobRun.reason,
    reusedFrom: jobRun.reusedFrom,
    startedAt: iso(jobRun.startedAt),
    endedAt: iso(jobRun.endedAt),
  };
}

export function artifactToGraphql(artifact: ArtifactRecord) {
  return {
    path: artifact.path,
    sizeBytes: artifact.sizeBytes,
    downloadPath: artifactPath(artifact.jobRunId, artifact.path),
  };
}

export function attemptToGraphql(attempt: AttemptRecord) {
  return {
    attempt: attempt.attempt,
    status: attempt.status,
    notBefore: iso(attempt.notBefore),
    startedAt: iso(attempt.startedAt),
    endedAt: iso(attempt.endedAt),
    exitCode: attempt.exitCode,
    failureClass: attempt.failureClass,
    reason: attempt.reason,
  };
}

export function contextToGraphql(context: ContextRecord) {
  return {
    ...context,
    kind: context.kind === 'job' ? 'JOB' : 'PIPELINE',
    note: contextNote(context),
    startedAt: iso(context.startedAt),
    updatedAt: context.updatedAt.toISOString(),
  };
}
