import { create, FailureClass, RunEventSchema, RunStatus } from '@fluxi/contracts';
import { describe, expect, it } from 'vitest';
import { cicdResult, spanOfEvent } from './trace-spans.js';

const jobRunEvent = (status: RunStatus, failureClass = FailureClass.UNSPECIFIED) =>
  create(RunEventSchema, {
    pipelineRunId: 'PR1',
    atMs: 5000n,
    entity: {
      case: 'jobRun',
      value: {
        jobRunId: 'JR1',
        name: 'build',
        stageName: 'b',
        status,
        failureClass,
        startedAtMs: 2000n,
        endedAtMs: 4000n,
        attempt: 2,
        reason: 'exit 1',
      },
    },
  });

describe('CI/CD results', () => {
  it('follow the semantic conventions', () => {
    expect(cicdResult(RunStatus.SUCCESS)).toBe('success');
    expect(cicdResult(RunStatus.FAILED, FailureClass.JOB)).toBe('failure');
    expect(cicdResult(RunStatus.FAILED, FailureClass.TIMEOUT)).toBe('timeout');
    expect(cicdResult(RunStatus.FAILED, FailureClass.INFRASTRUCTURE)).toBe('error');
    expect(cicdResult(RunStatus.CANCELLED)).toBe('cancellation');
    expect(cicdResult(RunStatus.SKIPPED)).toBe('skip');
    expect(cicdResult(RunStatus.RUNNING)).toBeUndefined();
    expect(cicdResult(RunStatus.MANUAL)).toBeUndefined();
  });
});

describe('spans of run events', () => {
  it('a job run that ended gives its task span, from when it was queued', () => {
    const span = spanOfEvent(jobRunEvent(RunStatus.FAILED, FailureClass.JOB), 1000);
    expect(span).toMatchObject({
      kind: 'task',
      runId: 'PR1',
      jobRunId: 'JR1',
      start: 1000,
      end: 4000,
      error: 'exit 1',
    });
    expect(span?.attributes).toMatchObject({
      'cicd.pipeline.task.name': 'build',
      'cicd.pipeline.task.run.id': 'JR1',
      'cicd.pipeline.task.run.result': 'failure',
    });
    // Queued time unknown (another replica saw it): from its start.
    expect(spanOfEvent(jobRunEvent(RunStatus.SUCCESS))).toMatchObject({ start: 2000, end: 4000, error: undefined });
  });

  it('a job run or run still going gives none', () => {
    expect(spanOfEvent(jobRunEvent(RunStatus.RUNNING))).toBeUndefined();
    const running = create(RunEventSchema, {
      pipelineRunId: 'PR1',
      entity: { case: 'run', value: { status: RunStatus.RUNNING, createdAtMs: 1n } },
    });
    expect(spanOfEvent(running)).toBeUndefined();
  });

  it('a run that ended gives its run span, from its creation', () => {
    const ended = create(RunEventSchema, {
      pipelineRunId: 'PR1',
      atMs: 9000n,
      entity: {
        case: 'run',
        value: { status: RunStatus.CANCELLED, createdAtMs: 1000n, endedAtMs: 8000n, name: 'ship', number: 3 },
      },
    });
    expect(spanOfEvent(ended)).toMatchObject({
      kind: 'run',
      start: 1000,
      end: 8000,
      error: undefined,
      attributes: {
        'cicd.pipeline.name': 'ship',
        'cicd.pipeline.run.id': 'PR1',
        'cicd.pipeline.result': 'cancellation',
      },
    });
  });
});
