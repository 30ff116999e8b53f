import { FailureClass, RunStatus, type RunEvent } from '@fluxi/contracts';

/** `cicd.pipeline.result` / `cicd.pipeline.task.run.result` (OTel CI/CD semantic conventions). */
export type CicdResult = 'success' | 'failure' | 'error' | 'timeout' | 'cancellation' | 'skip';

/** The CI/CD result of an ended run or job run; undefined while it has not ended. */
export function cicdResult(status: RunStatus, failureClass = FailureClass.UNSPECIFIED): CicdResult | undefined {
  switch (status) {
    case RunStatus.SUCCESS:
      return 'success';
    case RunStatus.CANCELLED:
      return 'cancellation';
    case RunStatus.SKIPPED:
      return 'skip';
    case RunStatus.FAILED:
      if (failureClass === FailureClass.TIMEOUT) return 'timeout';
      if (failureClass === FailureClass.INFRASTRUCTURE) return 'error';
      if (failureClass === FailureClass.CANCELLED) return 'cancellation';
      return 'failure';
    default:
      return undefined;
  }
}

/** A span to export for a run event, in the terms of the CI/CD conventions; undefined: none. */
export type SpanOfEvent =
  | {
      kind: 'run';
      runId: string;
      start: number;
      end: number;
      attributes: Record<string, string | number>;
      error: string | undefined;
    }
  | {
      kind: 'task';
      runId: string;
      jobRunId: string;
      start: number;
      end: number;
      attributes: Record<string, string | number>;
      error: string | undefined;
    };

/**
 * The span a run event ends: a job run that ended (its `cicd.pipeline.task`, from when it was
 * queued, if seen, else started) or a run that ended (its `cicd.pipeline.run`, from its creation).
 */
export function spanOfEvent(event: RunEvent, queuedAtMs?: number): SpanOfEvent | undefined {
  const { entity } = event;
  if (entity.case === 'jobRun') {
    const jobRun = entity.value;
    const result = cicdResult(jobRun.status, jobRun.failureClass);
    if (result === undefined) return undefined;
    const end = Number(jobRun.endedAtMs) || Number(event.atMs);
    const start = Math.min(queuedAtMs ?? (Number(jobRun.startedAtMs) || end), end);
    return {
      kind: 'task',
      runId: event.pipelineRunId,
      jobRunId: jobRun.jobRunId,
      start,
      end,
      attributes: {
        'cicd.pipeline.run.id': event.pipelineRunId,
        'cicd.pipeline.task.name': jobRun.name,
        'cicd.pipeline.task.run.id': jobRun.jobRunId,
        'cicd.pipeline.task.run.result': result,
        'fluxi.stage.name': jobRun.stageName,
        'fluxi.attempts': jobRun.attempt,
      },
      error: failed(result) ? jobRun.reason || result : undefined,
    };
  }
  if (entity.case === 'run') {
    const run = entity.value;
    const result = cicdResult(run.status);
    if (result === undefined) return undefined;
    const end = Number(run.endedAtMs) || Number(event.atMs);
    return {
      kind: 'run',
      runId: event.pipelineRunId,
      start: Math.min(Number(run.createdAtMs) || end, end),
      end,
      attributes: {
        'cicd.pipeline.name': run.name,
        'cicd.pipeline.run.id': event.pipelineRunId,
        'cicd.pipeline.result': result,
        'fluxi.run.number': run.number,
        'fluxi.run.trigger': run.trigger,
      },
      error: failed(result) ? run.reason || result : undefined,
    };
  }
  return undefined;
}

function failed(result: CicdResult): boolean {
  return result === 'failure' || result === 'error' || result === 'timeout';
}
