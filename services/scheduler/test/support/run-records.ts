import { IdPrefix, newId } from '@fluxi/common';
import { NO_RETRY_RULE } from '../../src/domain/retry.js';
import type { JobRunRecord, NewPipelineRun } from '../../src/store/records.js';

/** A run of a new pipeline as the store takes it: manual, QUEUED, nothing started; `overrides` on top. */
export function newRunRecord(overrides: Partial<NewPipelineRun> = {}): NewPipelineRun {
  const pipelineId = overrides.pipelineId ?? newId(IdPrefix.pipeline);
  return {
    id: newId(IdPrefix.pipelineRun),
    pipelineId,
    jobId: null,
    number: 1,
    status: 'QUEUED',
    trigger: 'manual',
    triggeredBy: null,
    triggeredByName: null,
    branch: null,
    commitSha: null,
    rerunOf: null,
    failedOnly: false,
    reason: null,
    timeoutSec: null,
    deadlineAt: null,
    concurrencyGroup: null,
    concurrencyState: null,
    snapshot: { pipelineId, stages: [] },
    createdAt: new Date(),
    startedAt: null,
    endedAt: null,
    ...overrides,
  };
}

/** Job run `a` of stage `build` of run `pipelineRunId`: `true`, SUCCESS at attempt 1; `overrides` on top. */
export function newJobRunRecord(pipelineRunId: string, overrides: Partial<JobRunRecord> = {}): JobRunRecord {
  return {
    id: newId(IdPrefix.jobRun),
    pipelineRunId,
    position: 0,
    stageIndex: 0,
    stageName: 'build',
    name: 'a',
    entry: 'a',
    matrix: [],
    jobId: newId(IdPrefix.job),
    spec: { name: 'a', command: 'true' },
    needs: [],
    when: 'on_success',
    allowFailure: false,
    allowFailureExitCodes: [],
    startAtOnce: false,
    artifactsFrom: null,
    maxAttempts: 1,
    retry: NO_RETRY_RULE,
    status: 'SUCCESS',
    attempt: 1,
    notBefore: null,
    reusedFrom: null,
    exitCode: 0,
    failureClass: null,
    reason: null,
    startedAt: null,
    endedAt: null,
    ...overrides,
  };
}
