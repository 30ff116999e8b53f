import { describe, expect, it } from 'vitest';
import { createdEvents, kindOfStatus, stepEvents, type JobRunFacts, type RunFacts } from './run-events.js';

const at = new Date('2030-01-01T00:00:00Z');
const run: RunFacts = {
  status: 'QUEUED',
  number: 1,
  reason: null,
  trigger: 'manual',
  createdAt: at,
  startedAt: null,
  endedAt: null,
  waitingForGroup: null,
};
const jobRun = (name: string, position: number, patch: Partial<JobRunFacts> = {}): JobRunFacts => ({
  id: `JR-${name}`,
  name,
  stageName: 'build',
  stageIndex: 0,
  jobId: `J-${name}`,
  position,
  status: 'QUEUED',
  attempt: 1,
  exitCode: null,
  failureClass: null,
  reason: null,
  startedAt: null,
  endedAt: null,
  notBefore: null,
  ...patch,
});

describe('kindOfStatus', () => {
  it('names a status change by the new status, and anything else UPDATED', () => {
    expect(kindOfStatus('PENDING', 'QUEUED')).toBe('QUEUED');
    expect(kindOfStatus('QUEUED', 'RUNNING')).toBe('STARTED');
    expect(kindOfStatus('RUNNING', 'SUCCESS')).toBe('SUCCEEDED');
    expect(kindOfStatus('RUNNING', 'FAILED')).toBe('FAILED');
    expect(kindOfStatus('QUEUED', 'CANCELLED')).toBe('CANCELLED');
    expect(kindOfStatus('PENDING', 'SKIPPED')).toBe('SKIPPED');
    expect(kindOfStatus('RUNNING', 'RUNNING')).toBe('UPDATED');
  });
});

describe('createdEvents', () => {
  it('tell the run first, then its stages, then its job runs', () => {
    const stage = { index: 0, name: 'build', status: 'QUEUED' as const, startedAt: null, endedAt: null };
    const events = createdEvents(run, [stage], [jobRun('a', 0), jobRun('b', 1)]);
    expect(events.map((event) => `${event.kind} ${event.entity}`)).toEqual([
      'CREATED run',
      'CREATED stage',
      'CREATED jobRun',
      'CREATED jobRun',
    ]);
  });
});

describe('stepEvents', () => {
  it('tell replaced attempts, job runs in run order, stages, then the run', () => {
    const before = new Map([
      ['JR-a', jobRun('a', 0, { status: 'RUNNING' })],
      ['JR-b', jobRun('b', 1, { status: 'RUNNING' })],
    ]);
    const events = stepEvents({
      endedAttempts: [
        {
          jobRunId: 'JR-b',
          name: 'b',
          attempt: 1,
          status: 'FAILED',
          exitCode: 2,
          failureClass: 'JOB',
          reason: 'exited with 2',
          startedAt: at,
          endedAt: at,
        },
      ],
      jobRunsBefore: before,
      jobRunsAfter: [jobRun('b', 1, { attempt: 2 }), jobRun('a', 0, { status: 'SUCCESS', endedAt: at })],
      stagesBefore: [{ index: 0, name: 'build', status: 'RUNNING', startedAt: at, endedAt: null }],
      stagesChanged: [],
      runBefore: { ...run, status: 'RUNNING' },
      runAfter: undefined,
    });
    expect(
      events.map((event) => `${event.kind} ${event.entity === 'jobRun' ? event.jobRun.name : event.entity}`),
    ).toEqual(['ATTEMPT_ENDED attempt', 'SUCCEEDED a', 'RETRY_SCHEDULED b']);
  });

  it('end with the run when it changed, ADMITTED when its group let it in', () => {
    const base = {
      endedAttempts: [],
      jobRunsBefore: new Map<string, JobRunFacts>(),
      jobRunsAfter: [],
      stagesBefore: [],
      stagesChanged: [],
      runBefore: { ...run, waitingForGroup: 'deploy' },
    };
    expect(stepEvents({ ...base, runAfter: undefined })).toEqual([]);
    const ended = stepEvents({ ...base, runAfter: { ...run, status: 'FAILED', endedAt: at } });
    expect(ended.map((event) => event.kind)).toEqual(['FAILED']);
    const admitted = stepEvents({ ...base, runAfter: undefined, admitted: true });
    expect(admitted.map((event) => event.kind)).toEqual(['ADMITTED']);
  });
});
