import { ContractVersion, create, FailureClass, JobOutcome, JobRunEventSchema } from '@fluxi/contracts';
import { describe, expect, it } from 'vitest';
import { toEventInput } from './advance.js';

const NOW = new Date('2030-01-01T00:00:00Z');
const base = { version: ContractVersion.CONTRACT_VERSION_1, jobRunId: 'JR1', pipelineRunId: 'R1', attempt: 2 };

describe('toEventInput', () => {
  it('reads a started event at the executor time', () => {
    const event = create(JobRunEventSchema, { ...base, atMs: 1_000n, kind: { case: 'started', value: { pid: 7 } } });
    expect(toEventInput(event, () => NOW)).toEqual({
      kind: 'started',
      jobRunId: 'JR1',
      attempt: 2,
      at: new Date(1000),
    });
  });

  it('reads a finished event, mapping outcome and failure class', () => {
    const event = create(JobRunEventSchema, {
      ...base,
      kind: {
        case: 'finished',
        value: { outcome: JobOutcome.FAILED, exitCode: -1, failureClass: FailureClass.TIMEOUT, reason: 'timed out' },
      },
    });
    expect(toEventInput(event, () => NOW)).toEqual({
      kind: 'finished',
      jobRunId: 'JR1',
      attempt: 2,
      at: NOW,
      outcome: 'FAILED',
      exitCode: -1,
      failureClass: 'TIMEOUT',
      reason: 'timed out',
    });
  });

  it('counts an unspecified outcome as a failure and ignores an event without kind', () => {
    const finished = create(JobRunEventSchema, { ...base, kind: { case: 'finished', value: {} } });
    expect(toEventInput(finished, () => NOW)).toMatchObject({ outcome: 'FAILED', failureClass: null, reason: null });
    expect(toEventInput(create(JobRunEventSchema, base), () => NOW)).toBeUndefined();
  });

  it('makes the job run id and the reason storable (a NUL would fail every write)', () => {
    const event = create(JobRunEventSchema, {
      ...base,
      jobRunId: 'JR\u00001',
      kind: { case: 'finished', value: { outcome: JobOutcome.FAILED, reason: 'boom\u0000' } },
    });
    expect(toEventInput(event, () => NOW)).toMatchObject({ jobRunId: 'JR\uFFFD1', reason: 'boom\uFFFD' });
  });
});
