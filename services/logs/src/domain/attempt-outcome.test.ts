import { describe, expect, it } from 'vitest';
import { ContractVersion, create, JobOutcome, JobRunEventSchema } from '@fluxi/contracts';
import { outcomeOf } from './attempt-outcome.js';

const header = {
  version: ContractVersion.CONTRACT_VERSION_1,
  jobRunId: 'JR1',
  pipelineRunId: 'R1',
  attempt: 2,
  atMs: 1234n,
};

describe('outcomeOf', () => {
  it('reads the status of a finished attempt', () => {
    for (const [outcome, status] of [
      [JobOutcome.SUCCESS, 'SUCCESS'],
      [JobOutcome.FAILED, 'FAILED'],
      [JobOutcome.CANCELLED, 'CANCELLED'],
    ] as const) {
      const event = create(JobRunEventSchema, { ...header, kind: { case: 'finished', value: { outcome } } });
      expect(outcomeOf(event)).toEqual({ jobRunId: 'JR1', attempt: 2, status, finishedAtMs: 1234 });
    }
  });

  it('ignores started events and unknown outcomes', () => {
    expect(outcomeOf(create(JobRunEventSchema, { ...header, kind: { case: 'started', value: {} } }))).toBeUndefined();
    const unknown = create(JobRunEventSchema, {
      ...header,
      kind: { case: 'finished', value: { outcome: JobOutcome.UNSPECIFIED } },
    });
    expect(outcomeOf(unknown)).toBeUndefined();
  });
});
