import { create, FailureClass, RunEventKind, RunEventSchema, RunStatus } from '@fluxi/contracts';
import { describe, expect, it } from 'vitest';
import { occurrencesOf } from './events.js';
import { bodyOf, payloadOf, slackText } from './payload.js';

const at = 1_735_689_600_000n;

describe('occurrencesOf', () => {
  it('maps pipeline run transitions to pipeline_run.* and ignores the others', () => {
    const run = (kind: RunEventKind, status: RunStatus) =>
      create(RunEventSchema, {
        id: 'EV1',
        pipelineRunId: 'R1',
        pipelineId: 'P1',
        atMs: at,
        kind,
        entity: { case: 'run', value: { status, number: 3 } },
      });
    expect(occurrencesOf(run(RunEventKind.FAILED, RunStatus.FAILED)).map((o) => o.type)).toEqual([
      'pipeline_run.failed',
    ]);
    expect(occurrencesOf(run(RunEventKind.STARTED, RunStatus.RUNNING)).map((o) => o.type)).toEqual([
      'pipeline_run.started',
    ]);
    expect(occurrencesOf(run(RunEventKind.QUEUED, RunStatus.QUEUED))).toEqual([]);
    expect(occurrencesOf(run(RunEventKind.CREATED, RunStatus.PENDING))).toEqual([]);
  });

  it('maps a failed job run, and an executor lost, with distinct keys', () => {
    const event = create(RunEventSchema, {
      id: 'EV2',
      pipelineRunId: 'R1',
      atMs: at,
      kind: RunEventKind.FAILED,
      entity: {
        case: 'jobRun',
        value: {
          jobRunId: 'JR1',
          name: 'build',
          status: RunStatus.FAILED,
          failureClass: FailureClass.INFRASTRUCTURE,
          reason: 'executor lost: no heartbeat from e1',
        },
      },
    });
    const found = occurrencesOf(event);
    expect(found.map((o) => [o.type, o.key])).toEqual([
      ['job_run.failed', 'EV2:job_run.failed'],
      ['executor.lost', 'EV2:executor.lost'],
    ]);
    expect(found[0]?.pipelineId).toBeNull();
    expect(found[0]?.data['jobRun']).toMatchObject({ name: 'build', failureClass: 'INFRASTRUCTURE' });
  });

  it('maps an attempt replaced by a retry because its executor was lost', () => {
    const event = create(RunEventSchema, {
      id: 'EV3',
      pipelineRunId: 'R1',
      atMs: at,
      kind: RunEventKind.ATTEMPT_ENDED,
      entity: { case: 'attempt', value: { jobRunId: 'JR1', attempt: 1, reason: 'executor lost: gone' } },
    });
    expect(occurrencesOf(event).map((o) => o.type)).toEqual(['executor.lost']);
  });
});

describe('payloadOf', () => {
  it('is the Standard Webhooks structure with a version, the run completed from the store', () => {
    const [occurrence] = occurrencesOf(
      create(RunEventSchema, {
        id: 'EV1',
        pipelineRunId: 'R1',
        pipelineId: 'P1',
        atMs: at,
        kind: RunEventKind.FAILED,
        entity: { case: 'run', value: { status: RunStatus.FAILED, number: 3 } },
      }),
    );
    const payload = payloadOf(occurrence!, {
      pipelineRunId: 'R1',
      number: 3,
      pipelineId: 'P1',
      jobId: null,
      name: 'deploy',
      status: 'FAILED',
      trigger: 'webhook',
      triggeredBy: null,
      branch: 'main',
      commit: 'abc',
      failedJobRuns: ['test'],
    });
    expect(payload).toMatchObject({
      type: 'pipeline_run.failed',
      version: 1,
      timestamp: '2025-01-01T00:00:00.000Z',
      data: {
        pipelineRunId: 'R1',
        number: 3,
        pipelineName: 'deploy',
        status: 'FAILED',
        branch: 'main',
        failedJobRuns: ['test'],
      },
    });
    expect(slackText(payload)).toBe('Fluxi: deploy #3 failed on main (failed: test) [R1]');
    expect(JSON.parse(bodyOf(payload, 'SLACK'))).toEqual({ text: slackText(payload) });
    expect(JSON.parse(bodyOf(payload, 'STANDARD'))).toEqual(payload);
  });
});
